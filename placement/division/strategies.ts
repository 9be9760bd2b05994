/**
 * Replica division strategies. Each one says which feasible clusters are candidates and in what
 * preference order, whether selection stops once capacity covers the replicas (aggregation), and
 * how replicas are divided over the selected clusters within per-cluster [min, max] bounds:
 *
 * | strategy            | candidates, best first                  | stops early | division                       |
 * |---------------------|-----------------------------------------|-------------|--------------------------------|
 * | Duplicated          | all feasible, by score                  | no          | every cluster gets all         |
 * | StaticWeights       | feasible with weight > 0, by score      | no          | Webster by static weight       |
 * | AvailableCapacity   | feasible with room, by score            | no          | Webster by capacity (replicas) |
 * | ...Aggregated       | feasible with room, by capacity desc    | yes         | greedy fill (fewest clusters)  |
 * | CostOptimized       | feasible with room, by $/replica asc    | yes         | greedy fill (cheapest first)   |
 *
 * "By score" means by objective score (the weighted mean of the objective plugins: cost, latency,
 * capacity) descending, then by total score (which adds the tie-breaking Stability plugin), then
 * by cluster name. Ranking by the objective first keeps the fresh placement truly fresh: the
 * status-quo bonus only breaks ties, and whether a workload moves is left to stability (schedule/stability.ts).
 * Ties in every other order: the same score order, then cluster name ascending.
 */
import type { ClusterEntry } from '../fleet/snapshot.js';
import type { DecisionContext } from '../framework/types.js';
import { greedyFill } from './greedy.js';
import { type CandidateSeq, lazyKeyedSeq, lazySeq, sortedSeq } from './order.js';
import { websterApportion } from './webster.js';
import { compareWeightDistance, type Split } from './weight-distance.js';

/** Names of the division algorithms, as shown in explanations. */
export type DivisionAlgorithm =
  | 'Duplicated'
  | 'StaticWeights'
  | 'AvailableCapacity'
  | 'AvailableCapacityAggregated'
  | 'CostOptimized';

/** Per-decision facts about a feasible cluster the strategies rank by. */
export interface RankedCluster {
  entry: ClusterEntry;
  /** Weighted mean of every score plugin, 0..100 (two decimals). */
  total: number;
  /** Weighted mean of the objective score plugins only, 0..100 (two decimals). */
  objective: number;
  /** Replicas of this template the cluster can run (Infinity when unknown). */
  capacity: number;
  /** USD per replica per month; undefined when unknown. */
  unitCost: number | undefined;
}

/** A division strategy (see table above). */
export interface DivisionStrategy {
  readonly algorithm: DivisionAlgorithm;
  /**
   * Whether selection stops once the selected clusters can hold every replica: 'capacity' counts
   * each cluster's full room (fewest clusters); 'price' counts a kept or seed cluster only for its
   * guaranteed replicas, so that a cheaper cluster further down the order still gets selected.
   */
  readonly aggregate: 'none' | 'capacity' | 'price';
  /**
   * Candidates in preference order (materialised lazily where the selection usually needs only
   * the first few), plus notes for the explanation and what the candidates are ("cluster(s)
   * with capacity data"), for messages that count them apart from the feasible clusters.
   */
  candidates(
    ctx: DecisionContext,
    feasible: readonly RankedCluster[],
  ): { ordered: CandidateSeq<RankedCluster>; notes: string[]; label: string };
  /** Replicas per selected cluster within [min, max]; undefined when impossible. */
  divide(
    total: number,
    selected: readonly RankedCluster[],
    min: readonly number[],
    max: readonly number[],
  ): number[] | undefined;
  /**
   * StaticWeights only: compares two splits' distances from the static weights (< 0: the first is
   * closer; see weight-distance.ts). Stability uses it when the weights alone decide the split.
   */
  readonly compareWeightDistance?: (a: Split, b: Split) => number;
}

// Fleet indexes follow cluster names, so comparing indexes is comparing names, without string work.
function byScore(a: RankedCluster, b: RankedCluster): number {
  return b.objective - a.objective || b.total - a.total || a.entry.index - b.entry.index;
}

const POSITION_BITS = 2 ** 22;

/**
 * Sort keys for the score order: objective score descending, then total score descending, then
 * name. Scores have two decimals, so (10000 − 100·objective, 10000 − 100·total, position) packs
 * into one exact double (< 2^49); ascending keys are the score order. `list` must be in fleet
 * (name) order and shorter than POSITION_BITS.
 */
function scoreKeys(list: readonly RankedCluster[]): Float64Array {
  const keys = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!;
    const primary = (10_000 - Math.round(r.objective * 100)) * 10_001 + (10_000 - Math.round(r.total * 100));
    keys[i] = primary * POSITION_BITS + i;
  }
  return keys;
}

/** Sorts by score (see scoreKeys) with a comparator-free typed-array sort — the hot path on large fleets. */
function sortByScore(list: readonly RankedCluster[]): RankedCluster[] {
  if (list.length >= POSITION_BITS) return [...list].sort(byScore);
  const keys = scoreKeys(list);
  keys.sort();
  const out = new Array<RankedCluster>(list.length);
  for (let i = 0; i < keys.length; i++) out[i] = list[keys[i]! % POSITION_BITS]!;
  return out;
}

/**
 * The score order as a sequence. When the policy caps the number of clusters (a maxGroups on
 * spreadByField cluster), selection stops after the first few candidates, so a lazy heap over the
 * packed keys beats sorting them all; otherwise selection walks the whole order and one typed-array
 * sort is cheaper.
 */
function byScoreSeq(ctx: DecisionContext, list: readonly RankedCluster[]): CandidateSeq<RankedCluster> {
  const capped = ctx.policy.spread.some((k) => k.spreadByField === 'cluster' && k.maxGroups !== undefined);
  if (capped && list.length < POSITION_BITS) return lazyKeyedSeq(list, scoreKeys(list), byScore);
  return sortedSeq(sortByScore(list), byScore);
}

/** The static weight of a cluster: the highest weight among the rules that match it (0 if none). */
export function staticWeight(ctx: DecisionContext, c: ClusterEntry): number {
  const rules = ctx.policy.weights;
  if (rules.length === 0) return 1;
  let w = 0;
  for (const r of rules) if (r.weight > w && r.term.check(c) === undefined) w = r.weight;
  return w;
}

/**
 * Every cluster's static weight by fleet index, computed once per (policy, fleet snapshot): the
 * weight rules depend on the cluster only, so no decision re-evaluates their selectors.
 */
function weightsByIndex(ctx: DecisionContext): Float64Array {
  const key = `w:${ctx.policy.id}`;
  const hit = ctx.fleet.memo.get(key) as Float64Array | undefined;
  if (hit !== undefined) return hit;
  const out = new Float64Array(ctx.fleet.clusters.length);
  for (const c of ctx.fleet.clusters) out[c.index] = staticWeight(ctx, c);
  ctx.fleet.memo.set(key, out);
  return out;
}

const duplicated: DivisionStrategy = {
  algorithm: 'Duplicated',
  aggregate: 'none',
  candidates: (ctx, feasible) => ({
    ordered: byScoreSeq(ctx, feasible),
    notes: [],
    label: 'feasible cluster(s)',
  }),
  divide: (total, selected) => selected.map(() => total),
};

function staticWeights(ctx: DecisionContext): DivisionStrategy {
  const weight = weightsByIndex(ctx);
  return {
    algorithm: 'StaticWeights',
    aggregate: 'none',
    candidates(_ctx, feasible) {
      const ordered: RankedCluster[] = [];
      for (const r of feasible) if (weight[r.entry.index]! > 0) ordered.push(r);
      const notes = ctx.policy.weights.length === 0 ? ['no staticWeights given: equal weights'] : [];
      return { ordered: byScoreSeq(ctx, ordered), notes, label: 'cluster(s) with a static weight > 0' };
    },
    divide: (total, selected, min, max) =>
      websterApportion(
        total,
        selected.map((r, i) => ({ weight: weight[r.entry.index]!, min: min[i], max: max[i] })),
      ),
    compareWeightDistance: (a, b) =>
      compareWeightDistance(a, b, (name) => {
        const entry = ctx.fleet.byName.get(name);
        return entry !== undefined ? weight[entry.index]! : 0;
      }),
  };
}

/** The candidates of the strategies that keep every feasible cluster with room for a replica. */
const ROOM = 'cluster(s) with room for a replica';

const availableCapacity: DivisionStrategy = {
  algorithm: 'AvailableCapacity',
  aggregate: 'none',
  candidates(ctx, feasible) {
    const known = feasible.filter((r) => Number.isFinite(r.capacity) && r.capacity > 0);
    if (known.length === 0) {
      return {
        ordered: byScoreSeq(
          ctx,
          feasible.filter((r) => r.capacity > 0),
        ),
        notes: ['no cluster reports capacity: equal weights'],
        label: ROOM,
      };
    }
    // A cluster without capacity data that already runs the workload stays a candidate (weight 1):
    // dropping it would move its replicas whenever another cluster starts reporting capacity,
    // without the stability check ever seeing a choice.
    const kept = feasible.filter((r) => !Number.isFinite(r.capacity) && ctx.previous.has(r.entry.name));
    const unknown = feasible.filter((r) => !Number.isFinite(r.capacity)).length - kept.length;
    const notes = unknown > 0 ? [`${unknown} cluster(s) without capacity data left out`] : [];
    if (kept.length === 0)
      return { ordered: byScoreSeq(ctx, known), notes, label: 'cluster(s) with capacity data' };
    const keptSet = new Set(kept);
    const candidates = feasible.filter(
      (r) => keptSet.has(r) || (Number.isFinite(r.capacity) && r.capacity > 0),
    );
    return {
      ordered: byScoreSeq(ctx, candidates),
      notes,
      label: 'cluster(s) with capacity data or running the workload',
    };
  },
  divide: (total, selected, min, max) =>
    websterApportion(
      total,
      selected.map((r, i) => ({
        weight: Number.isFinite(r.capacity) ? r.capacity : 1,
        min: min[i],
        max: max[i],
      })),
    ),
};

function byCapacity(a: RankedCluster, b: RankedCluster): number {
  return b.capacity - a.capacity || byScore(a, b);
}

const aggregated: DivisionStrategy = {
  algorithm: 'AvailableCapacityAggregated',
  aggregate: 'capacity',
  // Aggregation takes the largest few clusters: a lazy heap, not a sort of every candidate.
  candidates: (_ctx, feasible) => ({
    ordered: lazySeq(
      feasible.filter((r) => r.capacity > 0),
      byCapacity,
    ),
    notes: [],
    label: ROOM,
  }),
  divide: (total, _selected, min, max) => greedyFill(total, min, max),
};

function cost(r: RankedCluster): number {
  return r.unitCost ?? Number.POSITIVE_INFINITY;
}

function byCost(a: RankedCluster, b: RankedCluster): number {
  return cost(a) - cost(b) || byScore(a, b);
}

const costOptimized: DivisionStrategy = {
  algorithm: 'CostOptimized',
  aggregate: 'price',
  // Cheapest first until the replicas fit: a lazy heap, not a sort of every candidate.
  candidates(_ctx, feasible) {
    const items: RankedCluster[] = [];
    let unpriced = 0;
    for (const r of feasible) {
      if (!(r.capacity > 0)) continue;
      items.push(r);
      if (r.unitCost === undefined) unpriced++;
    }
    return {
      ordered: lazySeq(items, byCost),
      notes: unpriced > 0 ? [`${unpriced} cluster(s) without a price ranked last`] : [],
      label: ROOM,
    };
  },
  divide: (total, _selected, min, max) => greedyFill(total, min, max),
};

/** The strategy a policy asks for. Divided without replicas (a ConfigMap…) behaves as Duplicated. */
export function strategyFor(ctx: DecisionContext): DivisionStrategy {
  const rs = ctx.policy.spec.replicaScheduling;
  if (rs === undefined || rs.type === 'Duplicated' || ctx.template.replicas === undefined) return duplicated;
  switch (rs.division ?? 'StaticWeights') {
    case 'StaticWeights':
      return staticWeights(ctx);
    case 'AvailableCapacity':
      return rs.preference === 'Aggregated' ? aggregated : availableCapacity;
    case 'CostOptimized':
      return costOptimized;
  }
}
