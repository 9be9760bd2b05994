import type { LinkEnd } from '../../../peering/orchestrate/types.js';
import type { PlanCluster } from '../../../peering/plan/types.js';
import type { MemberClusterObject } from '../../reconcile/cluster-snapshot.js';

/** Why a cluster cannot be an end of a link yet. */
export class LinkEndError extends Error {
  override readonly name = 'LinkEndError';
}

/** The planner's view of a member cluster: declared ranges, else what discovery found. */
export function planClusterOf(mc: MemberClusterObject): PlanCluster {
  const net = mc.spec.network;
  const discovered = mc.status?.cloud?.network;
  return {
    name: mc.metadata.name,
    provider: mc.spec.provider,
    region: mc.spec.region,
    ...(mc.spec.cloud?.account ? { account: mc.spec.cloud.account } : {}),
    ...((mc.spec.cloud?.networkId ?? discovered?.id ?? net?.vpcId)
      ? { networkId: (mc.spec.cloud?.networkId ?? discovered?.id ?? net?.vpcId)! }
      : {}),
    nodeCidrs: net?.nodeCidrs?.length ? net.nodeCidrs : [...(discovered?.cidrs ?? [])],
    podCidrs: net?.podCidrs ?? [],
    serviceCidrs: net?.serviceCidrs ?? [],
  };
}

/** One end of a link as the orchestration needs it; throws LinkEndError naming what is missing. */
export function linkEndOf(mc: MemberClusterObject): LinkEnd {
  const plan = planClusterOf(mc);
  const cloud = mc.spec.cloud;
  const name = mc.metadata.name;
  if (!cloud)
    throw new LinkEndError(`${name} has no spec.cloud: fedgate cannot reach its network through a provider`);
  if (!plan.networkId)
    throw new LinkEndError(
      `${name}: its network is not known yet (set spec.cloud.networkId, or wait for inventory discovery)`,
    );
  const cidrs = [...plan.nodeCidrs, ...plan.podCidrs];
  if (cidrs.length === 0) throw new LinkEndError(`${name}: no node or pod CIDRs declared or discovered`);
  if (mc.spec.provider === 'onprem' && !cloud.vpn?.publicIp)
    throw new LinkEndError(
      `${name}: an on-prem site needs spec.cloud.vpn.publicIp (its VPN endpoint's address)`,
    );
  return {
    cluster: name,
    provider: mc.spec.provider,
    scope: {
      account: cloud.account,
      region: mc.spec.region,
      ...(cloud.resourceGroup ? { resourceGroup: cloud.resourceGroup } : {}),
    },
    networkId: plan.networkId,
    cidrs,
    ...(cloud.vpn?.asn ? { asn: cloud.vpn.asn } : {}),
    ...(cloud.vpn?.publicIp ? { publicIp: cloud.vpn.publicIp } : {}),
  };
}
