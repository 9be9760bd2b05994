/**
 * VPC network peering: each side adds a peering naming the other network (networks.addPeering);
 * GCE reports ACTIVE once both halves exist, INACTIVE ("pending acceptance") before.
 * acceptPeering, on the adapter of the remote project, adds the reverse half.
 */
import type { protos } from '@google-cloud/compute';
import type { CallOptions, PeeringSpec, WaitOptions } from '../cloud/adapter.js';
import type { CloudScope, NetworkPeering, PeeringState } from '../cloud/types.js';
import { deleteResource, ensureResource, opOf } from './ensure.js';
import type { GcpApi } from './gcp-api.js';
import { globalLink, nameOf, segmentOf } from './ids.js';

type Peering = protos.google.cloud.compute.v1.INetworkPeering;

const STATES: Record<string, PeeringState> = { ACTIVE: 'active', INACTIVE: 'pending-acceptance' };

/** Peering operations on networks of the adapter's project. */
export class GcpPeering {
  constructor(
    private readonly api: GcpApi,
    private readonly scope: CloudScope,
  ) {}

  /** Adds the half of the peering on `localNetworkId` towards `remoteNetworkId`, if absent. */
  async add(
    name: string,
    localNetworkId: string,
    remote: { scope: CloudScope; networkId: string },
    opts: WaitOptions = {},
  ): Promise<NetworkPeering> {
    const api = this.api;
    const local = globalLink(api.project, 'networks', localNetworkId);
    const remoteLink = globalLink(remote.scope.account, 'networks', remote.networkId);
    return ensureResource(
      api,
      {
        what: `network peering ${name} of ${nameOf(local)}`,
        key: `addPeering/${local}/${name}/${remoteLink}`,
        get: () => this.describe(name, local, opts, remote.scope),
        insert: async (requestId) =>
          opOf(
            await api.call(
              'networks.addPeering',
              (o) =>
                api.networks.addPeering(
                  {
                    project: api.project,
                    network: nameOf(local),
                    requestId,
                    networksAddPeeringRequestResource: {
                      networkPeering: { name, network: remoteLink, exchangeSubnetRoutes: true },
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
  }

  /** The requester's half (spec.local → spec.remote). */
  ensure(spec: PeeringSpec, opts?: WaitOptions): Promise<NetworkPeering> {
    return this.add(spec.name, spec.localNetworkId, spec.remote, opts);
  }

  /**
   * The accepter's half, on this (the accepting) project. The spec is seen from the accepting side
   * (see NetworkCapability.acceptPeering): `localNetworkId` is this project's network, `remote`
   * the requester's, so the half to add is local → remote, as for a request.
   */
  accept(spec: PeeringSpec, opts?: WaitOptions): Promise<NetworkPeering> {
    return this.add(spec.name, spec.localNetworkId, spec.remote, opts);
  }

  async describe(
    name: string,
    localNetworkId: string,
    opts: CallOptions = {},
    remoteScope?: CloudScope,
  ): Promise<NetworkPeering | undefined> {
    const api = this.api;
    const local = globalLink(api.project, 'networks', localNetworkId);
    const network = await api.call(
      'networks.get',
      (o) => api.networks.get({ project: api.project, network: nameOf(local) }, o),
      opts.signal,
    );
    const p = network.peerings?.find((x) => x.name === name);
    return p ? this.#toPeering(p, local, remoteScope) : undefined;
  }

  async delete(name: string, localNetworkId: string, opts: WaitOptions = {}): Promise<void> {
    const api = this.api;
    const local = globalLink(api.project, 'networks', localNetworkId);
    if (!(await this.describe(name, local, opts))) return;
    await deleteResource(
      api,
      `network peering ${name}`,
      async () =>
        opOf(
          await api.call(
            'networks.removePeering',
            (o) =>
              api.networks.removePeering(
                {
                  project: api.project,
                  network: nameOf(local),
                  networksRemovePeeringRequestResource: { name },
                },
                o,
              ),
            opts.signal,
          ),
        ),
      opts,
    );
  }

  #toPeering(p: Peering, local: string, remoteScope?: CloudScope): NetworkPeering {
    const remote = p.network ?? '';
    return {
      id: `${local}/peerings/${p.name ?? ''}`,
      name: p.name ?? '',
      state: STATES[p.state ?? ''] ?? 'provisioning',
      local: { scope: this.scope, networkId: local },
      remote: {
        scope: remoteScope ?? { account: segmentOf(remote, 'projects') ?? '', region: this.scope.region },
        networkId: globalLink('', 'networks', remote),
      },
      providerState: p.state ?? '',
      ...(p.stateDetails ? { message: p.stateDetails } : {}),
    };
  }
}
