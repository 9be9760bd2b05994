/**
 * VNet peering through arm-network: one peering resource on each side, named alike. Azure shows
 * `Initiated` until the other side's peering exists, then `Connected` on both; `Disconnected` when
 * the other side went away (the peering must be re-created).
 */
import type { NetworkManagementClient, VirtualNetworkPeering } from '@azure/arm-network';
import type { CallOptions, NetworkCapability, PeeringSpec, WaitOptions } from '../cloud/adapter.js';
import { pollUntil } from '../cloud/poll.js';
import type { CloudScope, NetworkPeering, NetworkRef, PeeringState } from '../cloud/types.js';
import type { AzureCalls } from './calls.js';
import { resolveName, sameId } from './ids.js';

function stateOf(p: VirtualNetworkPeering): PeeringState {
  if (p.provisioningState === 'Failed') return 'failed';
  if (p.provisioningState === 'Deleting') return 'deleting';
  if (p.provisioningState !== 'Succeeded') return 'provisioning';
  if (p.peeringState === 'Connected') return 'active';
  if (p.peeringState === 'Disconnected') return 'failed';
  return 'pending-acceptance';
}

function scopeOfId(id: string, fallback: CloudScope): CloudScope {
  const parts = id.replace(/^\/+/, '').split('/');
  if (parts.length < 4) return fallback;
  const same =
    parts[1]?.toLowerCase() === fallback.account.toLowerCase() &&
    parts[3]?.toLowerCase() === fallback.resourceGroup?.toLowerCase();
  // A peering names only the remote VNet's id; its region is known when it is in our own scope.
  return { account: parts[1]!, resourceGroup: parts[3]!, region: same ? fallback.region : '' };
}

function toPeering(p: VirtualNetworkPeering, local: NetworkRef, remote?: NetworkRef): NetworkPeering {
  const remoteId = p.remoteVirtualNetwork?.id ?? remote?.networkId ?? '';
  return {
    id: p.id ?? '',
    name: p.name ?? '',
    state: stateOf(p),
    local,
    remote: remote ?? { scope: scopeOfId(remoteId, local.scope), networkId: remoteId },
    providerState: `${p.provisioningState ?? 'Unknown'}/${p.peeringState ?? 'Unknown'}`,
    ...(p.peeringState === 'Disconnected'
      ? { message: 'the remote VNet no longer peers back; delete and re-create this peering' }
      : {}),
  };
}

type PeeringOps = Pick<
  NetworkCapability,
  'ensurePeering' | 'acceptPeering' | 'describePeering' | 'deletePeering'
>;

/** The peering half of the network capability. */
export function azurePeering(
  scope: CloudScope,
  network: NetworkManagementClient,
  calls: AzureCalls,
  pollIntervalMs: number,
): PeeringOps {
  const get = (vnetId: string, name: string, opts?: CallOptions) => {
    const v = resolveName(vnetId, scope, 'networkId');
    return calls.find(
      'virtualNetworkPeerings.get',
      (o) => network.virtualNetworkPeerings.get(v.resourceGroup, v.name, name, o),
      opts,
    );
  };

  /** Creates the peering `name` on `vnetId` towards `remoteId` unless it exists (PUT by name). */
  async function ensureSide(
    name: string,
    vnetId: string,
    remoteId: string,
    opts?: WaitOptions,
  ): Promise<VirtualNetworkPeering> {
    const existing = await get(vnetId, name, opts);
    if (
      existing &&
      sameId(existing.remoteVirtualNetwork?.id, remoteId) &&
      existing.provisioningState === 'Succeeded' &&
      existing.peeringState !== 'Disconnected'
    )
      return existing;
    const v = resolveName(vnetId, scope, 'networkId');
    return calls.wait(
      `virtualNetworkPeerings.createOrUpdate ${name}`,
      (o) =>
        network.virtualNetworkPeerings.beginCreateOrUpdate(
          v.resourceGroup,
          v.name,
          name,
          {
            remoteVirtualNetwork: { id: remoteId },
            allowVirtualNetworkAccess: true,
            allowForwardedTraffic: true,
            allowGatewayTransit: false,
            useRemoteGateways: false,
          },
          o,
        ),
      opts,
    );
  }

  return {
    async ensurePeering(spec: PeeringSpec, opts?: WaitOptions): Promise<NetworkPeering> {
      const p = await ensureSide(spec.name, spec.localNetworkId, spec.remote.networkId, opts);
      return toPeering(p, { scope, networkId: spec.localNetworkId }, spec.remote);
    },

    async acceptPeering(spec: PeeringSpec, opts?: WaitOptions): Promise<NetworkPeering> {
      // The spec is seen from the accepting side: the reverse peering goes on our VNet
      // (`localNetworkId`) towards the requester's (`remote`), under the requester's name.
      const here = spec.localNetworkId;
      await ensureSide(spec.name, here, spec.remote.networkId, opts);
      const local: NetworkRef = { scope, networkId: here };
      const remote = spec.remote;
      // Azure turns both sides Connected right after the second PUT; wait for it, bounded.
      return pollUntil(
        async () => {
          const p = await get(here, spec.name, opts);
          if (!p) return { done: false, state: 'absent' };
          const view = toPeering(p, local, remote);
          return view.state === 'active' || view.state === 'failed'
            ? { done: true, value: view }
            : { done: false, state: view.providerState };
        },
        {
          what: `peering ${spec.name} to become Connected`,
          intervalMs: pollIntervalMs,
          ...(opts?.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
          ...(opts?.signal ? { signal: opts.signal } : {}),
          ...(opts?.onProgress ? { onProgress: opts.onProgress } : {}),
        },
      );
    },

    async describePeering(
      name: string,
      localNetworkId: string,
      opts?: CallOptions,
    ): Promise<NetworkPeering | undefined> {
      const p = await get(localNetworkId, name, opts);
      return p ? toPeering(p, { scope, networkId: localNetworkId }) : undefined;
    },

    async deletePeering(name: string, localNetworkId: string, opts?: WaitOptions): Promise<void> {
      const v = resolveName(localNetworkId, scope, 'networkId');
      await calls.remove(
        `virtualNetworkPeerings.delete ${name}`,
        (o) => network.virtualNetworkPeerings.beginDelete(v.resourceGroup, v.name, name, o),
        opts,
      );
    },
  };
}
