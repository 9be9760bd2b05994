/**
 * Cost score: cheaper clusters score higher, relative to the cheapest feasible one
 * (100 × cheapest / this cluster's $ per replica-month). Relative rather than absolute because
 * prices span two orders of magnitude across providers; the stability threshold absorbs the
 * re-normalisation when the cheapest cluster joins or leaves. Unpriced clusters score 50.
 */
import type { ClusterEntry } from '../fleet/snapshot.js';
import { defineScorePlugin } from '../framework/registry.js';
import type { DecisionContext } from '../framework/types.js';

/** Prefers cheaper clusters (objectives.cost, default weight 1). */
export const costScorePlugin = defineScorePlugin<number>({
  name: 'Cost',
  description: '100 × cheapest / this cluster, in $ per replica-month (objectives.cost)',
  objective: true,
  weight: (ctx) => ctx.policy.spec.objectives?.cost ?? 1,
  prepare(ctx: DecisionContext, feasible: readonly ClusterEntry[]) {
    let min = Number.POSITIVE_INFINITY;
    for (const c of feasible) {
      const u = ctx.unitCostOf(c);
      if (u !== undefined && u < min) min = u;
    }
    return min;
  },
  score(ctx, cluster, min) {
    const u = ctx.unitCostOf(cluster);
    if (u === undefined || !Number.isFinite(min)) return 50;
    return u <= 0 ? 100 : (100 * min) / u;
  },
});
