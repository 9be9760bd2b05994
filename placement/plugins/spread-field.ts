/**
 * SpreadField filter: a cluster that lacks the field a spread constraint groups by (a zone) cannot be
 * counted in any group, so it cannot take part (as Karmada's SpreadConstraint filter).
 */
import type { FilterPlugin } from '../framework/types.js';

/** Filters clusters without a zone when the policy spreads by zone. */
export const spreadFieldPlugin: FilterPlugin = {
  name: 'SpreadField',
  scope: 'fleet',
  description: 'cluster must have the field a spread constraint groups by (zone)',
  filter(ctx, cluster) {
    if (cluster.zone !== undefined) return undefined;
    for (const c of ctx.policy.spread)
      if (c.spreadByField === 'zone') return 'no zone, but the policy spreads by zone';
    return undefined;
  },
};
