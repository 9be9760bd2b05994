/**
 * HA VPN gateways with their Cloud Router (`<gateway>-router`, BGP ASN of the cloud side), and
 * external VPN gateways for peers (their ASN and prefixes kept in the description).
 */
import type { protos } from '@google-cloud/compute';
import type { CallOptions, PeerGatewaySpec, VpnGatewaySpec, WaitOptions } from '../cloud/adapter.js';
import { inParallel } from '../cloud/parallel.js';
import type { PeerGateway, VpnGateway } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import { deleteResource, ensureResource, opOf } from './ensure.js';
import type { GcpApi } from './gcp-api.js';
import { globalLink } from './ids.js';

type Router = protos.google.cloud.compute.v1.IRouter;

const REDUNDANCY: Record<number, string> = {
  1: 'SINGLE_IP_INTERNALLY_REDUNDANT',
  2: 'TWO_IPS_REDUNDANCY',
  4: 'FOUR_IPS_REDUNDANCY',
};
const DEFAULT_ASN = 64514;

/** An HA VPN gateway (with its Cloud Router's ASN) as the seam sees it. */
export function toVpnGateway(
  gw: protos.google.cloud.compute.v1.IVpnGateway,
  router: Router | undefined,
): VpnGateway {
  return {
    id: gw.selfLink ?? '',
    name: gw.name ?? '',
    state: 'available',
    publicIps: (gw.vpnInterfaces ?? []).map((i) => i.ipAddress ?? '').filter(Boolean),
    ...(router?.bgp?.asn ? { asn: router.bgp.asn } : {}),
    ...(gw.network ? { networkId: gw.network } : {}),
    ...(router
      ? {
          bgpRanges: (router.interfaces ?? [])
            .filter((i) => i.ipRange)
            .map((i) => ({ name: i.name ?? '', range: i.ipRange ?? '' })),
        }
      : {}),
  };
}

/** An external VPN gateway as the seam sees it. */
export function toPeerGateway(gw: protos.google.cloud.compute.v1.IExternalVpnGateway): PeerGateway {
  const meta = peerMeta(gw.description);
  return {
    id: gw.selfLink ?? '',
    name: gw.name ?? '',
    publicIps: (gw.interfaces ?? []).map((i) => i.ipAddress ?? ''),
    ...(meta.asn === undefined ? {} : { asn: meta.asn }),
    cidrs: meta.cidrs,
  };
}

/** Reads `{asn, cidrs}` fedgate keeps in an external VPN gateway's description. */
function peerMeta(description: string | null | undefined): { asn?: number; cidrs: string[] } {
  try {
    const v = JSON.parse(description ?? '') as { asn?: unknown; cidrs?: unknown };
    return {
      ...(typeof v.asn === 'number' ? { asn: v.asn } : {}),
      cidrs: Array.isArray(v.cidrs) ? v.cidrs.filter((c): c is string => typeof c === 'string') : [],
    };
  } catch {
    return { cidrs: [] };
  }
}

/** HA VPN of the adapter's project and region. */
export class GcpVpn {
  constructor(
    private readonly api: GcpApi,
    private readonly region: string,
  ) {}

  async ensureGateway(spec: VpnGatewaySpec, opts: WaitOptions = {}): Promise<VpnGateway> {
    const { api, region } = this;
    const network = globalLink(api.project, 'networks', spec.networkId);
    const [gw, router] = await inParallel(opts, [
      (opts) =>
        ensureResource(
          api,
          {
            what: `VPN gateway ${spec.name}`,
            key: `vpnGateways/${api.project}/${region}/${spec.name}`,
            get: () => this.gateway(spec.name, opts),
            insert: async (requestId) =>
              opOf(
                await api.call(
                  'vpnGateways.insert',
                  (o) =>
                    api.vpnGateways.insert(
                      {
                        project: api.project,
                        region,
                        requestId,
                        vpnGatewayResource: { name: spec.name, network, stackType: 'IPV4_ONLY' },
                      },
                      o,
                    ),
                  opts.signal,
                ),
              ),
          },
          opts,
        ),
      (opts) =>
        ensureResource(
          api,
          {
            what: `Cloud Router ${spec.name}-router`,
            key: `routers/${api.project}/${region}/${spec.name}-router`,
            get: () => this.router(`${spec.name}-router`, opts),
            insert: async (requestId) =>
              opOf(
                await api.call(
                  'routers.insert',
                  (o) =>
                    api.routers.insert(
                      {
                        project: api.project,
                        region,
                        requestId,
                        routerResource: {
                          name: `${spec.name}-router`,
                          network,
                          bgp: { asn: spec.asn ?? DEFAULT_ASN },
                        },
                      },
                      o,
                    ),
                  opts.signal,
                ),
              ),
          },
          opts,
        ),
    ]);
    return toVpnGateway(gw, router);
  }

  async describeGateway(name: string, opts: CallOptions = {}): Promise<VpnGateway | undefined> {
    const [gw, router] = await inParallel(opts, [
      (opts) => this.gateway(name, opts),
      (opts) => this.router(`${name}-router`, opts),
    ]);
    return gw ? toVpnGateway(gw, router) : undefined;
  }

  async deleteGateway(name: string, opts: WaitOptions = {}): Promise<void> {
    const { api, region } = this;
    await deleteResource(
      api,
      `VPN gateway ${name}`,
      async () =>
        opOf(
          await api.call(
            'vpnGateways.delete',
            (o) => api.vpnGateways.delete({ project: api.project, region, vpnGateway: name }, o),
            opts.signal,
          ),
        ),
      opts,
    );
    await deleteResource(
      api,
      `Cloud Router ${name}-router`,
      async () =>
        opOf(
          await api.call(
            'routers.delete',
            (o) => api.routers.delete({ project: api.project, region, router: `${name}-router` }, o),
            opts.signal,
          ),
        ),
      opts,
    );
  }

  async ensurePeer(spec: PeerGatewaySpec, opts: WaitOptions = {}): Promise<PeerGateway> {
    const api = this.api;
    const redundancyType = REDUNDANCY[spec.publicIps.length];
    if (!redundancyType)
      throw new ProviderError(
        'Invalid',
        `publicIps: an external VPN gateway has 1, 2 or 4 addresses, not ${spec.publicIps.length}`,
        { provider: 'gcp' },
      );
    const gw = await ensureResource(
      api,
      {
        what: `external VPN gateway ${spec.name}`,
        key: `externalVpnGateways/${api.project}/${spec.name}`,
        get: () =>
          api.find(
            'externalVpnGateways.get',
            (o) => api.externalVpnGateways.get({ project: api.project, externalVpnGateway: spec.name }, o),
            opts.signal,
          ),
        insert: async (requestId) =>
          opOf(
            await api.call(
              'externalVpnGateways.insert',
              (o) =>
                api.externalVpnGateways.insert(
                  {
                    project: api.project,
                    requestId,
                    externalVpnGatewayResource: {
                      name: spec.name,
                      redundancyType,
                      interfaces: spec.publicIps.map((ipAddress, id) => ({ id, ipAddress })),
                      description: JSON.stringify({ asn: spec.asn, cidrs: spec.cidrs }),
                    },
                  },
                  o,
                ),
              opts.signal,
            ),
          ),
      },
      opts,
    );
    return toPeerGateway(gw);
  }

  async describePeer(name: string, opts: CallOptions = {}): Promise<PeerGateway | undefined> {
    const api = this.api;
    const gw = await api.find(
      'externalVpnGateways.get',
      (o) => api.externalVpnGateways.get({ project: api.project, externalVpnGateway: name }, o),
      opts.signal,
    );
    if (!gw) return undefined;
    return toPeerGateway(gw);
  }

  async deletePeer(name: string, opts: WaitOptions = {}): Promise<void> {
    const api = this.api;
    await deleteResource(
      api,
      `external VPN gateway ${name}`,
      async () =>
        opOf(
          await api.call(
            'externalVpnGateways.delete',
            (o) => api.externalVpnGateways.delete({ project: api.project, externalVpnGateway: name }, o),
            opts.signal,
          ),
        ),
      opts,
    );
  }

  /** The VPN gateway, or undefined. */
  gateway(name: string, opts: CallOptions = {}) {
    const { api, region } = this;
    return api.find(
      'vpnGateways.get',
      (o) => api.vpnGateways.get({ project: api.project, region, vpnGateway: name }, o),
      opts.signal,
    );
  }

  /** The Cloud Router, or undefined. */
  router(name: string, opts: CallOptions = {}): Promise<Router | undefined> {
    const { api, region } = this;
    return api.find(
      'routers.get',
      (o) => api.routers.get({ project: api.project, region, router: name }, o),
      opts.signal,
    );
  }
}
