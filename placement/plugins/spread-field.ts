/**
 * SpreadField filter: a cluster that lacks the field a spread constraint groups by (a zone) cannot be
 * counted in any group, so it cannot take part (as Karmada's SpreadConstraint filter). A cluster's
 * zone is its declared one, or the one zone all its instances are in (cloud inventory); a cluster
 * whose instances span several zones is in none of them alone.
 */
import type { FilterPlugin } from '../framework/types.js';

/** Filters clusters without a zone when the policy spreads by zone. */
export const spreadFieldPlugin: FilterPlugin = {
  name: 'SpreadField',
  scope: 'fleet',
  description: 'cluster must have the field a spread constraint groups by (zone)',
  filter(ctx, cluster) {
    if (cluster.zone !== undefined) return undefined;
    for (const c of ctx.policy.spread) {
      if (c.spreadByField !== 'zone') continue;
      const zones = cluster.zones;
      return zones !== undefined && zones.length > 1
        ? `spans zones ${zones.map((z) => z.zone).join(', ')}: spreading by zone needs a cluster in one zone (or spec.zone)`
        : 'no zone, but the policy spreads by zone';
    }
    return undefined;
  },
};
