/**
 * From ranked candidates to a placement: spread-constrained selection, then division within
 * per-cluster bounds. Called twice per decision when there is a previous placement: once afresh
 * and once incrementally (previous replicas kept as floors, or as ceilings when scaling down),
 * so that stability can compare the two (see stability.ts).
 */
import type { CandidateSeq } from '../division/order.js';
import type { DivisionStrategy, RankedCluster } from '../division/strategies.js';
import type { ClusterEntry } from '../fleet/snapshot.js';
import type { DecisionContext } from '../framework/types.js';
import type { CandidateList, CandidateScope } from '../spread/candidates.js';
import { groupKey } from '../spread/group-key.js';
import { checkSpread, type SelectionRole, selectClusters } from '../spread/select.js';
import type { UnschedulableReason } from '../types.js';

/** A placement: cluster name → replicas (undefined for non-replicated objects), in preference order. */
export type Placement = Map<string, number | undefined>;

/** Result of one placement attempt. */
export type PlaceResult =
  | { ok: true; placement: Placement; seeds: Set<string>; groups: string[][] }
  | { ok: false; reason: UnschedulableReason; message: string };

function fail(reason: UnschedulableReason, message: string): PlaceResult {
  return { ok: false, reason, message };
}

/** The candidates that the previous placement runs on, in preference order. */
function survivorsOf(
  ctx: DecisionContext,
  ordered: CandidateSeq<RankedCluster>,
  previous: ReadonlyMap<string, number | undefined> | undefined,
): RankedCluster[] {
  if (previous === undefined || previous.size === 0) return [];
  const out: RankedCluster[] = [];
  for (const name of previous.keys()) {
    const entry = ctx.fleet.byName.get(name);
    const r = entry !== undefined ? ordered.get(entry.index) : undefined;
    if (r !== undefined) out.push(r);
  }
  return out.sort(ordered.compare);
}

/** The cluster entries of a candidate sequence, read lazily. */
function entriesOf(seq: {
  readonly length: number;
  at(i: number): RankedCluster | undefined;
}): CandidateList {
  return { length: seq.length, at: (i) => seq.at(i)?.entry };
}

/** Scaling down, the candidates are the clusters the previous placement runs on. */
function survivorScope(scope: CandidateScope): CandidateScope {
  return { ...scope, label: 'cluster(s) of the previous placement' };
}

/**
 * Places the template over `ordered` candidates (`scope` says what they are, for failure messages);
 * `previous` (name → replicas) makes it incremental.
 */
export function place(
  ctx: DecisionContext,
  strategy: DivisionStrategy,
  ordered: CandidateSeq<RankedCluster>,
  scope: CandidateScope,
  previous?: ReadonlyMap<string, number | undefined>,
): PlaceResult {
  const replicas = ctx.template.replicas;
  const constraints = ctx.policy.spread;
  const divided = strategy.algorithm !== 'Duplicated' && replicas !== undefined;
  const survivors = survivorsOf(ctx, ordered, previous);
  const prevOf = (name: string): number => previous?.get(name) ?? 0;

  if (!divided) {
    const sel = selectClusters({
      constraints,
      candidates: entriesOf(ordered),
      scope,
      forced: survivors.map((r) => r.entry),
    });
    if (!sel.ok) return fail('SpreadConstraintUnsatisfiable', sel.message);
    const placement: Placement = new Map(sel.selected.map((c) => [c.name, replicas]));
    return { ok: true, placement, seeds: sel.seeds, groups: sel.groups };
  }

  const total = replicas;
  const prevSum = survivors.reduce((a, r) => a + prevOf(r.entry.name), 0);
  // Scaling down keeps replicas only where they already are.
  const scaleDown = previous !== undefined && total < prevSum;
  const pool = scaleDown ? survivors : ordered;
  const poolAt = (i: number): RankedCluster | undefined => (scaleDown ? survivors[i] : ordered.at(i));
  // Each seed (a cluster brought in to cover a spread group) gets a replica; with zero replicas
  // there is nothing to spread and no seed needs one.
  const seedMin = total > 0 ? 1 : 0;
  // Every cluster selection sees is a pool member (forced clusters are survivors, a subset of
  // `ordered`), so its room is its RankedCluster.capacity, i.e. ctx.capacityOf (memoised).
  // Scaling down, a survivor can keep at most the replicas it runs (the division's ceiling below),
  // so that is its room: counting its full capacity would stop an aggregating selection before
  // it holds the new count and fail the incremental placement.
  const room = (c: ClusterEntry): number =>
    scaleDown ? Math.min(ctx.capacityOf(c), prevOf(c.name)) : ctx.capacityOf(c);
  const guaranteed = (c: ClusterEntry, role: SelectionRole): number =>
    role === 'fill' ? room(c) : role === 'seed' ? seedMin : scaleDown ? 0 : prevOf(c.name);
  // Zero replicas, incrementally: there is no difference to place, so the placement is the
  // surviving clusters plus the seeds a spread constraint still lacks — no fill. With replicas, a
  // fill cluster that gets none is dropped below; at zero every selected cluster is kept (with 0),
  // so filling would grow an unchanged placement by every candidate it does not use yet (e.g. one
  // that only the previous placement makes a candidate: AvailableCapacity keeps a cluster without
  // capacity data that already hosts the workload, which can turn an earlier affinity term feasible).
  const keepZero = previous !== undefined && total === 0 && !scaleDown && survivors.length > 0;
  const sel = selectClusters({
    constraints,
    candidates: entriesOf({ length: pool.length, at: poolAt }),
    scope: scaleDown ? survivorScope(scope) : scope,
    // Scaling down, the pool is the survivors themselves: none is forced, so that coverage picks
    // seeds among them and each seed keeps a replica (else the cheapest or largest cluster could
    // absorb every remaining replica and leave a spread group empty).
    forced: scaleDown ? [] : survivors.map((r) => r.entry),
    enough: keepZero
      ? { capacity: () => 0, needed: 0 }
      : strategy.aggregate === 'none'
        ? undefined
        : { capacity: strategy.aggregate === 'price' ? guaranteed : room, needed: total },
    ...(total > 0 ? { maxSeeds: total } : {}),
  });
  if (!sel.ok) return fail('SpreadConstraintUnsatisfiable', sel.message);
  // Division works in the strategy's preference order (cheapest first, largest first, best score
  // first): it decides who gets the replicas beyond the minimums and who wins a rounding tie.
  // The selected clusters in pool order: a pass over the pool with the selection marked by fleet
  // index, rather than maps keyed by name over the whole pool.
  const chosen = new Uint8Array(ctx.fleet.clusters.length);
  for (const c of sel.selected) chosen[c.index] = 1;
  // Selection has read the order up to its last pick, so this pass reads nothing new.
  let selected: RankedCluster[] = [];
  for (let i = 0; i < pool.length && selected.length < sel.selected.length; i++) {
    const r = poolAt(i)!;
    if (chosen[r.entry.index] === 1) selected.push(r);
  }
  const first = poolAt(0);
  if (selected.length === 0 && first !== undefined) selected = [first];
  const min = selected.map((r) =>
    Math.max(sel.seeds.has(r.entry.name) ? seedMin : 0, scaleDown ? 0 : prevOf(r.entry.name)),
  );
  const max = selected.map((r) => (scaleDown ? Math.min(r.capacity, prevOf(r.entry.name)) : r.capacity));
  const counts = strategy.divide(total, selected, min, max);
  if (counts === undefined) {
    const capacity = max.reduce((a, b) => a + b, 0);
    return capacity < total
      ? fail('InsufficientCapacity', `selected clusters have room for ${capacity} of ${total} replicas`)
      : fail(
          'SpreadConstraintUnsatisfiable',
          'replicas cannot be divided within the spread and capacity bounds',
        );
  }
  const placement: Placement = new Map();
  selected.forEach((r, i) => {
    const n = counts[i]!;
    if (n > 0 || total === 0) placement.set(r.entry.name, n);
  });
  const placed = selected.filter((r) => placement.has(r.entry.name)).map((r) => r.entry);
  const violation = total > 0 ? checkSpread(constraints, placed) : undefined;
  if (violation !== undefined) return fail('SpreadConstraintUnsatisfiable', violation);
  // The groups the replicas actually landed in (a selected cluster may have got none).
  const groups = constraints.map((k) => [...new Set(placed.map((c) => groupKey(c, k.spreadByField)))].sort());
  return { ok: true, placement, seeds: sel.seeds, groups };
}
