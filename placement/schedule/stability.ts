/**
 * Stability: an existing placement moves only when the gain passes a threshold — unless explicit
 * static weights say where the replicas belong.
 *
 * With a previous placement the scheduler computes two candidates: the incremental one (replicas
 * stay where they are; only replicas on clusters that are no longer feasible, or added by a scale
 * up, are placed) and the fresh one (as if scheduling for the first time). The fresh one wins only
 * if its objective score — the replica-weighted mean of the objective plugins' totals, 0..100 —
 * beats the incremental one by at least `stability.minScoreGain` points (default 10). Because
 * the gain is antisymmetric, two placements can never alternate: no flapping.
 *
 * Explicit static weights are the desired state, not an objective: when they alone decide the split
 * (see weightsDecide), the fresh placement — Webster's split, the closest to the weights the bounds
 * allow — wins whenever it is strictly closer to the weights than the incremental one (a weighted
 * cluster became feasible again, or a weight changed), whatever the gain; the incremental one stays
 * when it is at least as close. Splits equally close (a rounding tie) fall back to the gain rule.
 * A move therefore either brings the split strictly closer to the weights or, at the same distance,
 * gains minScoreGain: neither can be undone on an unchanged fleet, so there is still no flapping.
 */
import type { DivisionStrategy } from '../division/strategies.js';
import type { Split } from '../division/weight-distance.js';
import type { StabilityOutcome } from '../explain/types.js';
import type { DecisionContext } from '../framework/types.js';
import type { Placement, PlaceResult } from './place.js';

/** What stability decided, for the explanation. */
export type StabilityChoice = StabilityOutcome;

/** Replica-weighted mean objective score of a placement (each cluster counts 1 without replicas). */
export function objectiveScore(p: Placement, objective: (cluster: string) => number): number {
  let sum = 0;
  let weight = 0;
  for (const [name, replicas] of p) {
    const w = replicas ?? 1;
    sum += w * objective(name);
    weight += w;
  }
  return weight > 0 ? Math.round((sum / weight) * 100) / 100 : 0;
}

/** Whether two placements are the same clusters with the same replicas. */
export function samePlacement(
  a: ReadonlyMap<string, number | undefined>,
  b: ReadonlyMap<string, number | undefined>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!b.has(k) || b.get(k) !== v) return false;
  return true;
}

/**
 * The comparison by distance from the static weights when the weights alone decide the split:
 * division StaticWeights with an explicit staticWeights list (without one every feasible cluster
 * weighs 1, so the set of clusters is the fleet's, not a declaration) and no spread maxGroups
 * (which lets the scores choose among the weighted clusters). Undefined otherwise.
 */
export function weightsDecide(
  ctx: DecisionContext,
  strategy: DivisionStrategy,
): ((a: Split, b: Split) => number) | undefined {
  if (strategy.compareWeightDistance === undefined || ctx.policy.weights.length === 0) return undefined;
  if (ctx.policy.spread.some((k) => k.maxGroups !== undefined)) return undefined;
  return strategy.compareWeightDistance;
}

/** Up to five names, then how many more. */
function nameList(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/** Why the declared split replaces the previous one, for the explanation (and eviction reasons). */
function declaredReason(ctx: DecisionContext, fresh: Placement): string {
  const added = [...fresh.keys()].filter((name) => !ctx.previous.has(name)).sort();
  const also = added.length > 0 ? `, now also on ${nameList(added)},` : '';
  return `static weights: the declared split${also} replaces the previous one (further from the weights)`;
}

/**
 * Chooses between the fresh and the incremental placement. `weights` (see weightsDecide) compares
 * two placements' distances from explicit static weights.
 */
export function chooseStable(
  ctx: DecisionContext,
  fresh: PlaceResult,
  incremental: PlaceResult | undefined,
  objective: (cluster: string) => number,
  weights?: (a: Split, b: Split) => number,
): { result: PlaceResult; stability: StabilityChoice } {
  if (incremental === undefined) {
    return {
      result: fresh,
      stability: { decision: 'Fresh', reason: 'no previous placement under this policy' },
    };
  }
  if (!incremental.ok) {
    return {
      result: fresh,
      stability: { decision: 'Fresh', reason: `previous placement cannot be kept: ${incremental.message}` },
    };
  }
  const kept = samePlacement(incremental.placement, ctx.previous);
  const keepDecision = kept ? 'Kept' : 'Incremental';
  const previousScore = objectiveScore(incremental.placement, objective);
  const minScoreGain = ctx.policy.minScoreGain;
  if (!fresh.ok || samePlacement(fresh.placement, incremental.placement)) {
    const reason = kept
      ? 'previous placement is still valid'
      : 'previous replicas kept; only the difference was placed';
    return {
      result: incremental,
      stability: { decision: keepDecision, reason, previousScore, minScoreGain },
    };
  }
  if (weights !== undefined) {
    const closer = weights(fresh.placement, incremental.placement);
    if (closer < 0) {
      return {
        result: fresh,
        stability: { decision: 'Moved', reason: declaredReason(ctx, fresh.placement) },
      };
    }
    if (closer > 0) {
      const reason = 'static weights: the previous split is closer to the weights than a fresh one';
      return {
        result: incremental,
        stability: { decision: keepDecision, reason, previousScore, minScoreGain },
      };
    }
  }
  const candidateScore = objectiveScore(fresh.placement, objective);
  const gain = Math.round((candidateScore - previousScore) * 100) / 100;
  const scores = { previousScore, candidateScore, minScoreGain };
  if (gain >= minScoreGain && gain > 0) {
    return {
      result: fresh,
      stability: { decision: 'Moved', reason: `gain ${gain} >= minScoreGain ${minScoreGain}`, ...scores },
    };
  }
  return {
    result: incremental,
    stability: {
      decision: keepDecision,
      reason: `gain ${gain} < minScoreGain ${minScoreGain}: not moving`,
      ...scores,
    },
  };
}
