/**
 * ClusterAffinity filter: the cluster must match the affinity term being tried (names, exclusions,
 * providers, regions, zones, label selector). Ordered fallback terms are driven by the scheduler,
 * which re-runs the filters once per term.
 */
import type { FilterPlugin } from '../framework/types.js';

/** Filters clusters outside the current affinity term. */
export const clusterAffinityPlugin: FilterPlugin = {
  name: 'ClusterAffinity',
  scope: 'fleet',
  description: 'cluster must match the affinity term (names, exclusions, providers, regions, zones, labels)',
  filter(ctx, cluster) {
    return ctx.term.term.check(cluster);
  },
};
