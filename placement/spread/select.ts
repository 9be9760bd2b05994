/**
 * Cluster selection under spread constraints (Karmada's spreadconstraint/, made explicit).
 *
 * Given candidates in preference order, pick a set S such that for every constraint
 * minGroups ≤ |groups(S)| ≤ maxGroups:
 *   0. forced clusters (the surviving previous placement) go in first; if they already exceed a
 *      maxGroups the selection fails (the caller then schedules afresh);
 *   1. coverage: while some constraint has too few groups, add the candidate that brings a new
 *      group to the most deficient constraints without exceeding any maxGroups (ties: preference
 *      order). These clusters are "seeds": each must receive at least one replica. This pass is
 *      greedy; when it gets stuck (one constraint's maxGroups blocks another's minGroups) or needs
 *      more seeds than maxSeeds, a complete search (search.ts) picks the seeds instead, starting
 *      again from the forced clusters. What the greedy pass solves is never searched, so its
 *      result does not depend on the search;
 *   2. fill: add the remaining candidates in preference order while no maxGroups is exceeded and
 *      the caller's `enough` condition is not met (Duplicated and Spread take all; Aggregated and
 *      CostOptimized stop once capacity covers the replicas — CostOptimized counting forced and
 *      seed clusters only for their guaranteed replicas, see SelectOptions.enough).
 * A failure says why (failure.ts): a constraint whose candidates span too few groups, too few
 * replicas for the seeds, constraints proven to conflict, or a search that ran out of budget.
 */
import type { ClusterEntry } from '../fleet/snapshot.js';
import type { SpreadConstraint } from '../policy/schema.js';
import type { CandidateList, CandidateScope } from './candidates.js';
import { conflictMessage, exhaustedMessage, seedsMessage, shortfallMessage } from './failure.js';
import { groupKey, type SpreadField } from './group-key.js';
import { DEFAULT_SEARCH_BUDGET, searchSeeds } from './search.js';

/** How a cluster entered the selection. */
export type SelectionRole = 'forced' | 'seed' | 'fill';

/** What the selection produced. */
export type SelectionResult =
  | { ok: true; selected: ClusterEntry[]; seeds: Set<string>; groups: string[][] }
  | { ok: false; message: string };

/** Options of selectClusters. */
export interface SelectOptions {
  constraints: readonly SpreadConstraint[];
  /** Candidates, best first. */
  candidates: CandidateList;
  /** What the candidates are, for failure messages (default: "candidate clusters"). */
  scope?: CandidateScope;
  /** Clusters that must be in S (a subset of candidates). */
  forced?: readonly ClusterEntry[];
  /**
   * Stop filling once the selected capacity covers `needed`; undefined: take every admissible
   * candidate. `capacity` is told how a cluster joined: a division that fills by price counts a
   * forced or seed cluster only for the replicas it is guaranteed, since cheaper fill clusters may
   * take the rest.
   */
  enough?: { capacity: (c: ClusterEntry, role: SelectionRole) => number; needed: number };
  /** Upper bound on seeds (Divided: the replica count, since each seed needs a replica). */
  maxSeeds?: number;
  /** Class visits the search for seeds may make (default DEFAULT_SEARCH_BUDGET). */
  searchBudget?: number;
}

/** The clusters selected so far and the groups they span per constraint. */
class Selection {
  readonly counts: Map<string, number>[];
  readonly selected: ClusterEntry[] = [];
  readonly inSet = new Set<number>();
  readonly seeds = new Set<string>();
  capacity = 0;
  private readonly fields: SpreadField[];
  private readonly max: (number | undefined)[];

  constructor(
    private readonly enough: SelectOptions['enough'],
    constraints: readonly SpreadConstraint[],
  ) {
    this.counts = constraints.map(() => new Map<string, number>());
    this.fields = constraints.map((k) => k.spreadByField);
    this.max = constraints.map((k) => k.maxGroups);
  }

  /** Whether adding `c` keeps every maxGroups. */
  admissible(c: ClusterEntry): boolean {
    for (let i = 0; i < this.fields.length; i++) {
      const max = this.max[i];
      const groups = this.counts[i]!;
      if (max !== undefined && groups.size >= max && !groups.has(groupKey(c, this.fields[i]!))) return false;
    }
    return true;
  }

  add(c: ClusterEntry, role: SelectionRole): void {
    this.selected.push(c);
    this.inSet.add(c.index);
    if (role === 'seed') this.seeds.add(c.name);
    if (this.enough !== undefined) this.capacity += this.enough.capacity(c, role);
    for (let i = 0; i < this.fields.length; i++) {
      const groups = this.counts[i]!;
      const key = groupKey(c, this.fields[i]!);
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
  }
}

/** Selects clusters under spread constraints (see file comment). */
export function selectClusters(opts: SelectOptions): SelectionResult {
  const forced = opts.forced ?? [];
  let s = new Selection(opts.enough, opts.constraints);
  for (const c of forced) {
    if (!s.admissible(c)) return { ok: false, message: 'previous placement exceeds a maxGroups' };
    s.add(c, 'forced');
  }
  if (!greedyCoverage(s, opts)) {
    const found = searchCoverage(opts, forced);
    if (!found.ok) return found;
    s = new Selection(opts.enough, opts.constraints);
    for (const c of forced) s.add(c, 'forced');
    for (const c of found.seeds) s.add(c, 'seed');
  }
  fill(s, opts);
  return {
    ok: true,
    selected: s.selected,
    seeds: s.seeds,
    groups: s.counts.map((m) => [...m.keys()].sort()),
  };
}

/** Phase 1, greedy; false when it gets stuck or needs more than maxSeeds seeds. */
function greedyCoverage(s: Selection, opts: SelectOptions): boolean {
  const { constraints, candidates } = opts;
  const k = constraints.length;
  for (;;) {
    const deficient = constraints.map((c, i) => s.counts[i]!.size < c.minGroups);
    // No candidate can help more constraints than are deficient: the first that helps them all
    // is the best, and the rest of the order need not be read.
    const most = deficient.filter(Boolean).length;
    if (most === 0) return true;
    let best: ClusterEntry | undefined;
    let bestHelps = 0;
    for (let j = 0; j < candidates.length; j++) {
      const c = candidates.at(j)!;
      if (s.inSet.has(c.index)) continue;
      let helps = 0;
      for (let i = 0; i < k; i++)
        if (deficient[i] && !s.counts[i]!.has(groupKey(c, constraints[i]!.spreadByField))) helps++;
      if (helps > bestHelps && s.admissible(c)) {
        best = c;
        bestHelps = helps;
        if (helps === most) break;
      }
    }
    if (best === undefined) return false;
    s.add(best, 'seed');
    if (opts.maxSeeds !== undefined && s.seeds.size > opts.maxSeeds) return false;
  }
}

/** Phase 1 again when the greedy pass failed: the search, or why there is no selection. */
function searchCoverage(
  opts: SelectOptions,
  forced: readonly ClusterEntry[],
): { ok: true; seeds: ClusterEntry[] } | { ok: false; message: string } {
  const { constraints, candidates, scope, maxSeeds } = opts;
  const r = searchSeeds({
    constraints,
    candidates,
    forced,
    ...(maxSeeds !== undefined ? { maxSeeds } : {}),
    budget: opts.searchBudget ?? DEFAULT_SEARCH_BUDGET,
  });
  const n = candidates.length;
  switch (r.outcome) {
    case 'found':
      return { ok: true, seeds: r.seeds };
    case 'short':
      return { ok: false, message: shortfallMessage(r.shortfalls, n, scope) };
    case 'seeds':
      return { ok: false, message: seedsMessage(maxSeeds ?? 0) };
    case 'infeasible':
      return { ok: false, message: conflictMessage(constraints, n, scope, forced.length, maxSeeds) };
    case 'exhausted':
      return {
        ok: false,
        message: exhaustedMessage(constraints, n, r.visits, scope, forced.length, maxSeeds),
      };
  }
}

/** Phase 2: the remaining candidates in preference order, within every maxGroups, until enough. */
function fill(s: Selection, opts: SelectOptions): void {
  const { constraints, candidates } = opts;
  const needed = opts.enough?.needed ?? Number.POSITIVE_INFINITY;
  const anyMax = constraints.some((c) => c.maxGroups !== undefined);
  // Once a maxGroups on spreadByField cluster is reached no further candidate is admissible (each
  // cluster is its own group), so the rest of the order need not be read.
  const capByCluster = constraints.findIndex(
    (c) => c.spreadByField === 'cluster' && c.maxGroups !== undefined,
  );
  const clusterCap = capByCluster >= 0 ? constraints[capByCluster]!.maxGroups! : Number.POSITIVE_INFINITY;
  for (let j = 0; j < candidates.length; j++) {
    if (s.capacity >= needed) break;
    if (capByCluster >= 0 && s.counts[capByCluster]!.size >= clusterCap) break;
    const c = candidates.at(j)!;
    if (s.inSet.has(c.index)) continue;
    if (!anyMax || s.admissible(c)) s.add(c, 'fill');
  }
}

/** Whether a final placement satisfies every spread constraint. */
export function checkSpread(
  constraints: readonly SpreadConstraint[],
  placed: readonly ClusterEntry[],
): string | undefined {
  for (const k of constraints) {
    const groups = new Set(placed.map((c) => groupKey(c, k.spreadByField))).size;
    if (groups < k.minGroups)
      return `spreadByField ${k.spreadByField}: ${groups} group(s) < minGroups ${k.minGroups}`;
    if (k.maxGroups !== undefined && groups > k.maxGroups) {
      return `spreadByField ${k.spreadByField}: ${groups} group(s) > maxGroups ${k.maxGroups}`;
    }
  }
  return undefined;
}
