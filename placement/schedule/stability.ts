/**
 * Stability: an existing placement moves only when the gain passes a threshold.
 *
 * With a previous placement the scheduler computes two candidates: the incremental one (replicas
 * stay where they are; only replicas on clusters that are no longer feasible, or added by a scale
 * up, are placed) and the fresh one (as if scheduling for the first time). The fresh one wins only
 * if its objective score — the replica-weighted mean of the objective plugins' totals, 0..100 —
 * beats the incremental one by at least `stability.minScoreGain` points (default 10). Because
 * the gain is antisymmetric, two placements can never alternate: no flapping.
 */
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

/** Chooses between the fresh and the incremental placement. */
export function chooseStable(
  ctx: DecisionContext,
  fresh: PlaceResult,
  incremental: PlaceResult | undefined,
  objective: (cluster: string) => number,
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
