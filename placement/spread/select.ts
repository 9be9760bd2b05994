/**
 * Cluster selection under spread constraints (Karmada's spreadconstraint/, made explicit).
 *
 * Given candidates in preference order, pick a set S such that for every constraint
 * minGroups ≤ |groups(S)| ≤ maxGroups:
 *   0. forced clusters (the surviving previous placement) go in first; if they already exceed a
 *      maxGroups the selection fails (the caller then schedules afresh);
 *   1. coverage: while some constraint has too few groups, add the candidate that brings a new
 *      group to the most deficient constraints without exceeding any maxGroups (ties: preference
 *      order). These clusters are "seeds": each must receive at least one replica;
 *   2. fill: add the remaining candidates in preference order while no maxGroups is exceeded and
 *      the caller's `enough` condition is not met (Duplicated and Spread take all; Aggregated and
 *      CostOptimized stop once capacity covers the replicas — CostOptimized counting forced and
 *      seed clusters only for their guaranteed replicas, see SelectOptions.enough).
 * Greedy, so it can miss a solution when one constraint's maxGroups and another's minGroups
 * interact tightly; it then reports SpreadConstraintUnsatisfiable with the constraint at fault.
 */
import type { ClusterEntry } from '../fleet/snapshot.js';
import type { SpreadConstraint } from '../policy/schema.js';

/** The group a cluster belongs to for one spread field. */
export function groupKey(c: ClusterEntry, field: SpreadConstraint['spreadByField']): string {
  switch (field) {
    case 'provider':
      return c.provider;
    case 'region':
      return c.regionKey;
    case 'zone':
      return c.zoneKey ?? `${c.regionKey}:?`;
    case 'cluster':
      return c.name;
  }
}

/**
 * Candidates in preference order, read by position: a plain array, or a lazily ordered sequence
 * of which selection usually reads only the first few (see division/order.ts).
 */
export interface CandidateList {
  readonly length: number;
  at(i: number): ClusterEntry | undefined;
}

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
}

/** Selects clusters under spread constraints (see file comment). */
export function selectClusters(opts: SelectOptions): SelectionResult {
  const { constraints, candidates } = opts;
  const k = constraints.length;
  const fields = constraints.map((c) => c.spreadByField);
  const counts = constraints.map(() => new Map<string, number>());
  const selected: ClusterEntry[] = [];
  const inSet = new Set<number>();
  const seeds = new Set<string>();
  let capacity = 0;

  const admissible = (c: ClusterEntry): boolean => {
    for (let i = 0; i < k; i++) {
      const max = constraints[i]!.maxGroups;
      if (max !== undefined && counts[i]!.size >= max && !counts[i]!.has(groupKey(c, fields[i]!)))
        return false;
    }
    return true;
  };
  const add = (c: ClusterEntry, role: SelectionRole): void => {
    selected.push(c);
    inSet.add(c.index);
    if (opts.enough !== undefined) capacity += opts.enough.capacity(c, role);
    for (let i = 0; i < k; i++) {
      const key = groupKey(c, fields[i]!);
      counts[i]!.set(key, (counts[i]!.get(key) ?? 0) + 1);
    }
  };

  for (const c of opts.forced ?? []) {
    if (!admissible(c)) return { ok: false, message: 'previous placement exceeds a maxGroups' };
    add(c, 'forced');
  }

  // Phase 1: coverage.
  for (;;) {
    const deficient = constraints.map((c, i) => counts[i]!.size < c.minGroups);
    // No candidate can help more constraints than are deficient: the first that helps them all
    // is the best, and the rest of the order need not be read.
    const most = deficient.filter(Boolean).length;
    if (most === 0) break;
    let best: ClusterEntry | undefined;
    let bestHelps = 0;
    for (let j = 0; j < candidates.length; j++) {
      const c = candidates.at(j)!;
      if (inSet.has(c.index)) continue;
      let helps = 0;
      for (let i = 0; i < k; i++) if (deficient[i] && !counts[i]!.has(groupKey(c, fields[i]!))) helps++;
      if (helps > bestHelps && admissible(c)) {
        best = c;
        bestHelps = helps;
        if (helps === most) break;
      }
    }
    if (best === undefined) return { ok: false, message: coverageFailure(constraints, candidates, counts) };
    add(best, 'seed');
    seeds.add(best.name);
    if (opts.maxSeeds !== undefined && seeds.size > opts.maxSeeds) {
      return {
        ok: false,
        message: `${opts.maxSeeds} replicas cannot cover every spread constraint's minGroups`,
      };
    }
  }

  // Phase 2: fill.
  const needed = opts.enough?.needed ?? Number.POSITIVE_INFINITY;
  const anyMax = constraints.some((c) => c.maxGroups !== undefined);
  // Once a maxGroups on spreadByField cluster is reached no further candidate is admissible (each
  // cluster is its own group), so the rest of the order need not be read.
  const capByCluster = constraints.findIndex(
    (c) => c.spreadByField === 'cluster' && c.maxGroups !== undefined,
  );
  const clusterCap = capByCluster >= 0 ? constraints[capByCluster]!.maxGroups! : Number.POSITIVE_INFINITY;
  for (let j = 0; j < candidates.length; j++) {
    if (capacity >= needed) break;
    if (capByCluster >= 0 && counts[capByCluster]!.size >= clusterCap) break;
    const c = candidates.at(j)!;
    if (inSet.has(c.index)) continue;
    if (!anyMax || admissible(c)) add(c, 'fill');
  }
  return { ok: true, selected, seeds, groups: counts.map((m) => [...m.keys()].sort()) };
}

function coverageFailure(
  constraints: readonly SpreadConstraint[],
  candidates: CandidateList,
  counts: readonly Map<string, number>[],
): string {
  const parts: string[] = [];
  constraints.forEach((k, i) => {
    if (counts[i]!.size >= k.minGroups) return;
    const groups = new Set<string>();
    for (let j = 0; j < candidates.length; j++) groups.add(groupKey(candidates.at(j)!, k.spreadByField));
    const available = groups.size;
    parts.push(
      `spreadByField ${k.spreadByField} needs minGroups ${k.minGroups}, ${available} feasible group(s)`,
    );
  });
  return parts.length > 0
    ? parts.join('; ')
    : 'spread constraints conflict (maxGroups of one blocks minGroups of another)';
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
