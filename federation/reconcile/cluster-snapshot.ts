import {
  type ClusterSnapshot,
  type InstanceGroup,
  NOT_READY_TAINT,
  type Taint,
  UNREACHABLE_TAINT,
} from '../../placement/index.js';
import type { CloudInstanceGroup } from '../resources/cloud-side.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { MemberClusterSpec, MemberClusterStatus } from '../resources/member-cluster.js';

/** A MemberCluster as stored. */
export type MemberClusterObject = KubeObject & { spec: MemberClusterSpec; status?: MemberClusterStatus };

/**
 * The scheduler's view of a MemberCluster. A cluster whose Ready condition is False or Unknown
 * carries a NoExecute health taint dated from the transition, so tolerationSeconds counts from
 * when it failed; a cluster never probed is simply not ready (no new placements, nothing evicted).
 */
export function toClusterSnapshot(mc: MemberClusterObject): ClusterSnapshot {
  const ready = mc.status?.conditions.find((c) => c.type === 'Ready');
  const taints: Taint[] = [...(mc.spec.taints ?? [])];
  if (ready && ready.status !== 'True') {
    taints.push({
      key: ready.status === 'Unknown' ? UNREACHABLE_TAINT : NOT_READY_TAINT,
      effect: 'NoExecute',
      timeAdded: ready.lastTransitionTime,
    });
  }
  const cost = mc.spec.cost;
  const instances = instanceGroups(mc.status?.cloud?.instances);
  return {
    name: mc.metadata.name,
    provider: mc.spec.provider,
    region: mc.spec.region,
    ...(mc.spec.zone ? { zone: mc.spec.zone } : {}),
    labels: mc.metadata.labels ?? {},
    taints,
    ready: ready?.status === 'True',
    ...(mc.status?.allocatable ? { allocatable: mc.status.allocatable } : {}),
    ...(mc.status?.available ? { available: mc.status.available } : {}),
    ...(instances ? { instances } : {}),
    ...(cost
      ? {
          costOverrides: {
            ...(cost.vcpuHour !== undefined || cost.gibHour !== undefined
              ? {
                  compute: {
                    ...(cost.vcpuHour !== undefined ? { vcpuHour: cost.vcpuHour } : {}),
                    ...(cost.gibHour !== undefined ? { gibHour: cost.gibHour } : {}),
                  },
                }
              : {}),
            ...(cost.egressPerGiB !== undefined
              ? {
                  egressPerGiB: {
                    intraRegionPerGiB: cost.egressPerGiB,
                    interRegionPerGiB: cost.egressPerGiB,
                    interContinentPerGiB: cost.egressPerGiB,
                    internetPerGiB: cost.egressPerGiB,
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}

/**
 * The instances cloud inventory recorded, for the scheduler: only well-formed running groups (the
 * status is ours, but a malformed entry must not make the whole fleet unschedulable).
 */
function instanceGroups(groups: readonly CloudInstanceGroup[] | undefined): InstanceGroup[] | undefined {
  if (!Array.isArray(groups)) return undefined;
  const out: InstanceGroup[] = [];
  for (const g of groups) {
    if (
      typeof g?.zone === 'string' &&
      typeof g.instanceType === 'string' &&
      g.instanceType !== '' &&
      Number.isInteger(g.count) &&
      g.count > 0 &&
      Number.isFinite(g.vcpus) &&
      g.vcpus > 0 &&
      Number.isFinite(g.memoryMiB) &&
      g.memoryMiB >= 0
    )
      out.push({
        zone: g.zone,
        instanceType: g.instanceType,
        count: g.count,
        vcpus: g.vcpus,
        memoryMiB: g.memoryMiB,
      });
  }
  return out.length > 0 ? out : undefined;
}
