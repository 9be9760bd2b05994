/**
 * One scheduling attempt for one (policy, affinity term): filter → score → rank → place, with the
 * stability choice between the incremental and the fresh placement. Returns everything the
 * explanation needs, whether it succeeded or not.
 */
import { type DivisionStrategy, type RankedCluster, strategyFor } from '../division/strategies.js';
import type { Registry } from '../framework/registry.js';
import { runFilters, runScores } from '../framework/run.js';
import type { DecisionContext, FilterOutcome, ScoreOutcome } from '../framework/types.js';
import type { CandidateScope } from '../spread/candidates.js';
import { countGroups } from '../spread/groups.js';
import type { UnschedulableReason } from '../types.js';
import { noFitOutcome } from './no-fit.js';
import { type Placement, type PlaceResult, place } from './place.js';
import { chooseStable, type StabilityChoice, weightsDecide } from './stability.js';

/** Everything one attempt produced. */
export interface Attempt {
  ctx: DecisionContext;
  filter: FilterOutcome;
  score: ScoreOutcome | undefined;
  strategy: DivisionStrategy | undefined;
  notes: string[];
  /** Position of a cluster (by fleet index) in `filter.feasible`, or -1. */
  feasiblePosition(index: number): number;
  outcome:
    | { ok: true; placement: Placement; groups: string[][]; stability: StabilityChoice }
    | { ok: false; reason: UnschedulableReason; message: string };
}

/** Runs one attempt with the given plugins. */
export function attempt(ctx: DecisionContext, registry: Registry): Attempt {
  const filter = runFilters(ctx, registry.filters);
  const positions = new Int32Array(ctx.fleet.clusters.length).fill(-1);
  filter.feasible.forEach((c, i) => {
    positions[c.index] = i;
  });
  const base = {
    ctx,
    filter,
    score: undefined,
    strategy: undefined,
    notes: [],
    feasiblePosition: (index: number) => positions[index] ?? -1,
  };
  if (filter.feasible.length === 0) {
    return {
      ...base,
      outcome: { ok: false, ...noFitOutcome(ctx, filter, registry.filters) },
    };
  }

  const score = runScores(ctx, registry.scores, filter.feasible);
  const ranked: RankedCluster[] = filter.feasible.map((entry, i) => ({
    entry,
    total: score.total[i]!,
    objective: score.objective[i]!,
    capacity: ctx.capacityOf(entry),
    unitCost: ctx.unitCostOf(entry),
  }));
  const strategy = strategyFor(ctx);
  const { ordered, notes, label } = strategy.candidates(ctx, ranked);
  const withScores = { ...base, score, strategy, notes };
  if (ordered.length === 0) {
    const outcome =
      strategy.algorithm === 'StaticWeights'
        ? {
            ok: false as const,
            reason: 'NoWeightedCluster' as const,
            message: 'no feasible cluster has a static weight > 0',
          }
        : {
            ok: false as const,
            reason: 'InsufficientCapacity' as const,
            message: 'no feasible cluster has room for a replica',
          };
    return { ...withScores, outcome };
  }

  const objectiveOf = (name: string): number => {
    const entry = ctx.fleet.byName.get(name);
    const pos = entry !== undefined ? positions[entry.index]! : -1;
    return pos >= 0 ? score.objective[pos]! : 0;
  };
  // Messages count the candidates' groups under their own name; the feasible clusters' groups are
  // counted only if a message needs them.
  const scope: CandidateScope = {
    label: ordered.length === filter.feasible.length ? 'feasible cluster(s)' : label,
    feasible: {
      count: filter.feasible.length,
      groups: (field) => countGroups(ctx.fleet, filter.feasible, field),
    },
  };
  const fresh: PlaceResult = place(ctx, strategy, ordered, scope);
  const incremental: PlaceResult | undefined =
    ctx.previous.size > 0 ? place(ctx, strategy, ordered, scope, ctx.previous) : undefined;
  const choice = chooseStable(ctx, fresh, incremental, objectiveOf, weightsDecide(ctx, strategy));
  if (!choice.result.ok) return { ...withScores, outcome: choice.result };
  const { placement, groups } = choice.result;
  return { ...withScores, outcome: { ok: true, placement, groups, stability: choice.stability } };
}
