/**
 * ResourceFit filter: the cluster must have room for the workload, counted in replicas of one pod
 * (min over CPU, memory and pod slots of available / request). Replicas the previous placement
 * already runs there are added back: `available` already subtracts them. Duplicated needs room for
 * every replica; Divided needs room for at least one. Clusters that report no capacity pass.
 */
import type { FilterPlugin } from '../framework/types.js';

/** Filters clusters that cannot run one (Divided) or all (Duplicated) replicas. */
export const resourceFitPlugin: FilterPlugin = {
  name: 'ResourceFit',
  scope: 'decision',
  description: 'cluster must have room for one replica (Divided) or all replicas (Duplicated)',
  filter(ctx, cluster) {
    const replicas = ctx.template.replicas;
    if (replicas === undefined || replicas === 0 || cluster.available === undefined) return undefined;
    const capacity = ctx.capacityOf(cluster);
    const duplicated = ctx.policy.duplicated;
    const needed = duplicated ? replicas : 1;
    if (capacity >= needed) return undefined;
    return duplicated ? `room for ${capacity} of ${replicas} replicas` : 'no room for one replica';
  },
};
