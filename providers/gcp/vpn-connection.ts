/**
 * HA VPN connections: one tunnel per gateway interface (`<name>-<i>`; two per interface to a peer
 * with four interfaces, Google's topology for AWS) plus, on the gateway's Cloud
 * Router, an interface and a BGP peer per tunnel (one routers.patch). HA VPN routes only with BGP:
 * a static-routing connection is refused as Invalid.
 */
import type { protos } from '@google-cloud/compute';
import type { CallOptions, VpnConnectionSpec, WaitOptions } from '../cloud/adapter.js';
import { networkOf, overlapsAny } from '../cloud/ip-ranges.js';
import { inParallel } from '../cloud/parallel.js';
import { pollUntil } from '../cloud/poll.js';
import type { VpnConnection, VpnTunnel } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import { deleteResource, ensureResource, opOf } from './ensure.js';
import type { GcpApi } from './gcp-api.js';
import { globalLink, nameOf, scopedLink } from './ids.js';
import type { GcpVpn } from './vpn.js';

type Tunnel = protos.google.cloud.compute.v1.IVpnTunnel;

const DEFAULT_PEER_ASN = 65000;

/** The tunnel's telemetry as the seam sees it. */
export function toTunnel(t: Tunnel, outsideIp: string): VpnTunnel {
  const up = t.status === 'ESTABLISHED';
  const down = [
    'FAILED',
    'AUTHORIZATION_ERROR',
    'NEGOTIATION_FAILURE',
    'NO_INCOMING_PACKETS',
    'REJECTED',
    'STOPPED',
    'PEER_IDENTITY_MISMATCH',
    'TS_NARROWING_NOT_ALLOWED',
    'NETWORK_ERROR',
  ].includes(t.status ?? '');
  return {
    outsideIp,
    status: up ? 'up' : down ? 'down' : 'unknown',
    statusMessage: `${t.status ?? ''}${t.detailedStatus ? `: ${t.detailedStatus}` : ''}`,
  };
}

/** A connection's state from its tunnels' statuses. */
export function connectionState(tunnels: readonly Tunnel[]): VpnConnection['state'] {
  if (tunnels.every((t) => t.status === 'ESTABLISHED')) return 'available';
  if (tunnels.some((t) => t.status === 'FAILED' || t.status === 'AUTHORIZATION_ERROR')) return 'failed';
  return 'pending';
}

/** The /30s of 169.254.0.0/16. */
const LINK_LOCAL_SLOTS = 16_384;

/**
 * The BGP link addresses of tunnel `i`: the given /30, or one in 169.254.0.0/16 derived from the
 * name, moved on to the next free /30 while it overlaps a range in `taken` (the router's other
 * sessions); the Cloud Router takes the first host address, or the second when the peer takes the
 * first.
 */
export function bgpAddresses(
  name: string,
  i: number,
  insideCidr?: string,
  peerTakesFirstAddress = false,
  taken: readonly string[] = [],
): { cloud: string; peer: string; range: string } {
  let base: number[];
  if (insideCidr) base = insideCidr.split('/')[0]!.split('.').map(Number);
  else {
    let h = 0;
    for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    const start = (h % 16000) * 2 + i;
    const slotBase = (slot: number) => [169, 254, Math.floor((slot * 4) / 256) % 256, (slot * 4) % 256];
    let k = 0;
    while (
      k < LINK_LOCAL_SLOTS &&
      overlapsAny(`${slotBase((start + k) % LINK_LOCAL_SLOTS).join('.')}/30`, taken)
    )
      k++;
    if (k === LINK_LOCAL_SLOTS)
      throw new ProviderError('Conflict', `no free /30 in 169.254.0.0/16 for ${name} tunnel ${i}`, {
        provider: 'gcp',
      });
    base = slotBase((start + k) % LINK_LOCAL_SLOTS);
  }
  const at = (n: number) => [base[0], base[1], base[2], base[3]! + n].join('.');
  const [cloud, peer] = peerTakesFirstAddress ? [at(2), at(1)] : [at(1), at(2)];
  return { cloud, peer, range: `${cloud}/30` };
}

/** VPN connections of the adapter's project and region. */
export class GcpVpnConnections {
  constructor(
    private readonly api: GcpApi,
    private readonly region: string,
    private readonly vpn: GcpVpn,
  ) {}

  async ensureConnection(spec: VpnConnectionSpec, opts: WaitOptions = {}): Promise<VpnConnection> {
    if (!spec.bgp)
      throw new ProviderError(
        'Invalid',
        'bgp: GCP HA VPN routes only with BGP through a Cloud Router; static routing is not supported',
        { provider: 'gcp' },
      );
    const { api, region } = this;
    const gatewayName = nameOf(spec.gatewayId);
    const routerName = `${gatewayName}-router`;
    const peer = await this.vpn.describePeer(nameOf(spec.peerGatewayId), opts);
    if (!peer)
      throw new ProviderError('NotFound', `peer gateway ${spec.peerGatewayId} does not exist`, {
        provider: 'gcp',
      });
    // One tunnel per HA VPN interface; to a FOUR_IPS_REDUNDANCY peer (AWS's two connections), two
    // per interface as Google documents: interface 0 to peer interfaces 0 and 1, interface 1 to 2 and 3.
    const four = peer.publicIps.length === 4;
    if (
      spec.tunnels.length < 1 ||
      spec.tunnels.length > (four ? 4 : 2) ||
      (four && spec.tunnels.length !== 4)
    )
      throw new ProviderError(
        'Invalid',
        four
          ? `tunnels: a peer with four interfaces takes four tunnels (two per HA VPN interface), not ${spec.tunnels.length}`
          : `tunnels: an HA VPN gateway has two interfaces, so 1 or 2 tunnels, not ${spec.tunnels.length}`,
        { provider: 'gcp' },
      );
    const gatewayInterface = (i: number) => (four ? Math.floor(i / 2) : i);
    const router = scopedLink(api.project, 'regions', region, 'routers', routerName);
    await inParallel(
      opts,
      spec.tunnels.map(
        (t, i) => (opts: WaitOptions) =>
          ensureResource(
            api,
            {
              what: `VPN tunnel ${spec.name}-${i}`,
              key: `vpnTunnels/${api.project}/${region}/${spec.name}-${i}`,
              get: () =>
                api.find(
                  'vpnTunnels.get',
                  (o) =>
                    api.vpnTunnels.get({ project: api.project, region, vpnTunnel: `${spec.name}-${i}` }, o),
                  opts.signal,
                ),
              insert: async (requestId) =>
                opOf(
                  await api.call(
                    'vpnTunnels.insert',
                    (o) =>
                      api.vpnTunnels.insert(
                        {
                          project: api.project,
                          region,
                          requestId,
                          vpnTunnelResource: {
                            name: `${spec.name}-${i}`,
                            vpnGateway: scopedLink(
                              api.project,
                              'regions',
                              region,
                              'vpnGateways',
                              gatewayName,
                            ),
                            vpnGatewayInterface: gatewayInterface(i),
                            peerExternalGateway: globalLink(
                              api.project,
                              'externalVpnGateways',
                              spec.peerGatewayId,
                            ),
                            peerExternalGatewayInterface: i % Math.max(1, peer.publicIps.length),
                            sharedSecret: t.sharedKey,
                            router,
                            ikeVersion: 2,
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
      ),
    );
    await this.#ensureBgp(spec, routerName, peer.asn ?? DEFAULT_PEER_ASN, opts);
    // Like the other clouds' connections, ready means the tunnels are up (ESTABLISHED).
    return pollUntil<VpnConnection>(
      async () => {
        const c = await this.describeConnection(spec.name, opts);
        if (!c)
          throw new ProviderError('NotFound', `VPN connection ${spec.name} vanished`, { provider: 'gcp' });
        if (c.state === 'failed')
          throw new ProviderError(
            'Invalid',
            `VPN connection ${spec.name} failed: ${c.message ?? c.providerState}`,
            {
              provider: 'gcp',
              providerCode: c.providerState,
            },
          );
        return c.state === 'available' ? { done: true, value: c } : { done: false, state: c.providerState };
      },
      {
        what: `the tunnels of ${spec.name}`,
        intervalMs: api.settings.pollIntervalMs,
        ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      },
    );
  }

  /** One routers.patch adding the interfaces and BGP peers of the connection that are missing. */
  async #ensureBgp(
    spec: VpnConnectionSpec,
    routerName: string,
    peerAsn: number,
    opts: WaitOptions,
  ): Promise<void> {
    const { api, region } = this;
    const router = await this.vpn.router(routerName, opts);
    if (!router)
      throw new ProviderError(
        'NotFound',
        `Cloud Router ${routerName} does not exist (ensure the VPN gateway first)`,
        { provider: 'gcp' },
      );
    const interfaces = [...(router.interfaces ?? [])];
    const bgpPeers = [...(router.bgpPeers ?? [])];
    let changed = false;
    // The router's other BGP sessions: a derived range keeps clear of them (an existing interface
    // of this connection is kept as it is, found by name).
    const taken = interfaces.map((x) => x.ipRange ?? '').filter(Boolean);
    spec.tunnels.forEach((t, i) => {
      const ifName = `${spec.name}-if-${i}`;
      const existing = interfaces.find((x) => x.name === ifName)?.ipRange ?? undefined;
      const addr = bgpAddresses(
        spec.name,
        i,
        t.insideCidr ?? (existing ? networkOf(existing) : undefined),
        t.peerTakesFirstAddress,
        taken,
      );
      if (!existing) taken.push(addr.range);
      if (!interfaces.some((x) => x.name === ifName)) {
        interfaces.push({
          name: ifName,
          ipRange: addr.range,
          linkedVpnTunnel: scopedLink(api.project, 'regions', region, 'vpnTunnels', `${spec.name}-${i}`),
        });
        changed = true;
      }
      if (!bgpPeers.some((x) => x.name === `${spec.name}-peer-${i}`)) {
        bgpPeers.push({
          name: `${spec.name}-peer-${i}`,
          interfaceName: ifName,
          peerIpAddress: addr.peer,
          peerAsn,
        });
        changed = true;
      }
    });
    if (!changed) return;
    const op = opOf(
      await api.call(
        'routers.patch',
        (o) =>
          api.routers.patch(
            { project: api.project, region, router: routerName, routerResource: { interfaces, bgpPeers } },
            o,
          ),
        opts.signal,
      ),
    );
    await api.waitFor(op, `Cloud Router ${routerName} BGP sessions of ${spec.name}`, opts);
  }

  async describeConnection(name: string, opts: CallOptions = {}): Promise<VpnConnection | undefined> {
    const { api, region } = this;
    const tunnels = await this.#tunnelsOf(name, opts);
    if (tunnels.length === 0) return undefined;
    const gw = await this.vpn.gateway(nameOf(tunnels[0]!.vpnGateway ?? ''), opts);
    const ipOf = (t: Tunnel) =>
      gw?.vpnInterfaces?.find((x) => x.id === t.vpnGatewayInterface)?.ipAddress ?? '';
    const state = connectionState(tunnels);
    return {
      id: scopedLink(api.project, 'regions', region, 'vpnTunnels', `${name}-*`),
      name,
      state,
      gatewayId: tunnels[0]!.vpnGateway ?? '',
      peerGatewayId: tunnels[0]!.peerExternalGateway ?? '',
      tunnels: tunnels.map((t) => toTunnel(t, ipOf(t))),
      providerState: tunnels.map((t) => t.status ?? '').join(','),
      ...(state === 'available'
        ? {}
        : { message: tunnels.map((t) => `${t.name}: ${t.detailedStatus ?? t.status ?? ''}`).join('; ') }),
    };
  }

  async deleteConnection(name: string, opts: WaitOptions = {}): Promise<void> {
    const { api, region } = this;
    const tunnels = await this.#tunnelsOf(name, opts);
    const routerName = tunnels[0]?.router ? nameOf(tunnels[0].router) : undefined;
    if (routerName) {
      const router = await this.vpn.router(routerName, opts);
      const keepIf = (router?.interfaces ?? []).filter((x) => !x.name?.startsWith(`${name}-if-`));
      const keepPeers = (router?.bgpPeers ?? []).filter((x) => !x.name?.startsWith(`${name}-peer-`));
      if (
        router &&
        (keepIf.length !== (router.interfaces ?? []).length ||
          keepPeers.length !== (router.bgpPeers ?? []).length)
      ) {
        // PUT, not PATCH: an emptied list is left out of the JSON, which PATCH reads as "unchanged"
        const whole = { ...router, interfaces: keepIf, bgpPeers: keepPeers };
        const op = opOf(
          await api.call(
            'routers.update',
            (o) =>
              api.routers.update(
                { project: api.project, region, router: routerName, routerResource: whole },
                o,
              ),
            opts.signal,
          ),
        );
        await api.waitFor(op, `Cloud Router ${routerName}`, opts);
      }
    }
    await inParallel(
      opts,
      tunnels.map(
        (t) => (opts: WaitOptions) =>
          deleteResource(
            api,
            `VPN tunnel ${t.name}`,
            async () =>
              opOf(
                await api.call(
                  'vpnTunnels.delete',
                  (o) => api.vpnTunnels.delete({ project: api.project, region, vpnTunnel: t.name ?? '' }, o),
                  opts.signal,
                ),
              ),
            opts,
          ),
      ),
    );
  }

  /** The tunnels of a connection (`<name>-<i>`), by gateway interface: one vpnTunnels.list. */
  async #tunnelsOf(name: string, opts: CallOptions): Promise<Tunnel[]> {
    const { api, region } = this;
    const tunnels = await api.listAll(
      'vpnTunnels.list',
      (pageToken, o) =>
        api.vpnTunnels.list(
          {
            project: api.project,
            region,
            filter: `name eq "${name}-[0-9]+"`,
            ...(pageToken ? { pageToken } : {}),
          },
          o,
        ),
      opts.signal,
    );
    return tunnels.sort((a, b) => (a.vpnGatewayInterface ?? 0) - (b.vpnGatewayInterface ?? 0));
  }
}
