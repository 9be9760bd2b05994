/**
 * Residency filter: a data-bearing workload (or any, with appliesTo: All) may only land in the
 * allowed jurisdictions (e.g. 'EU', or an ISO country code such as 'DE') or regions. Fails closed: a cluster whose jurisdiction is unknown, or whose
 * jurisdiction label contradicts the model, is not resident anywhere.
 */
import type { FilterPlugin } from '../framework/types.js';

/** Filters clusters outside the policy's residency. */
export const residencyPlugin: FilterPlugin = {
  name: 'Residency',
  scope: 'fleet',
  description: 'data-bearing workloads only in allowed jurisdictions/regions (unknown jurisdiction: refused)',
  filter(ctx, cluster) {
    const residency = ctx.policy.spec.residency;
    if (residency === undefined) return undefined;
    if (residency.appliesTo !== 'All' && !ctx.template.dataBearing) return undefined;
    if (residency.regions?.includes(cluster.region)) return undefined;
    if (cluster.jurisdictionConflict) return 'jurisdiction label contradicts the region (fail closed)';
    const jurisdictions = residency.jurisdictions ?? [];
    if (cluster.jurisdiction === undefined) {
      return jurisdictions.length > 0
        ? 'jurisdiction unknown (fail closed)'
        : 'region not in residency.regions';
    }
    if (jurisdictions.includes(cluster.jurisdiction)) return undefined;
    if (cluster.country !== undefined && jurisdictions.includes(cluster.country)) return undefined;
    return `jurisdiction ${cluster.jurisdiction} not allowed`;
  },
};
