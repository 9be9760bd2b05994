/**
 * ClusterReady filter: no new placement on a NotReady cluster. A cluster that already hosts the
 * workload keeps it while NotReady; whether and when it is evicted is decided by the NoExecute
 * not-ready/unreachable taint and its toleration (TaintToleration), like Kubernetes nodes.
 */
import type { FilterPlugin } from '../framework/types.js';

/** Filters NotReady clusters for new placements. */
export const clusterReadyPlugin: FilterPlugin = {
  name: 'ClusterReady',
  scope: 'decision',
  // Without a previous placement nothing hosts the workload: time and hosting play no part.
  fleetScopeWithoutPrevious: true,
  description: 'no new placement on a NotReady cluster (existing placements follow the NoExecute taint)',
  filter(ctx, cluster) {
    if (cluster.ready || ctx.previous.has(cluster.name)) return undefined;
    return 'cluster is NotReady';
  },
};
