/**
 * Complete search for the seeds of a spread selection, run when the greedy coverage of select.ts
 * finds none (one constraint's maxGroups and another's minGroups interact: e.g. provider
 * maxGroups 1 with region minGroups 2, where the preferred provider has one region and another
 * provider has two).
 *
 * First the failures that need no search: a constraint whose candidates span fewer groups than
 * its minGroups, or more seeds needed than maxSeeds allows (a seed brings at most one new group
 * per constraint). Then a branch and bound. Clusters that fall in the same groups on every
 * constrained field but `cluster` are interchangeable for the constraints, so the search runs
 * over these classes (as groups nest, a class is a group of the finest field constrained), each
 * represented by its best candidate; a `cluster` constraint only counts clusters. At each node:
 * cut the branch when the seeds it needs exceed the limit, or the classes still allowed cannot
 * bring enough new groups or clusters; where a field still has room under its maxGroups, bound
 * what the few groups it may still open can reach, and block the groups that cannot lead to a
 * solution (see blockUnreachable). Then pick the deficient constraint with the least slack and,
 * among the classes that bring it a new group, the one that helps the most deficient constraints
 * (ties: preference order); first include it, then exclude it. Complete within its budget,
 * counted in class visits (not time, so the result is deterministic); past the budget it says so
 * instead of claiming infeasibility.
 */
import type { ClusterEntry } from '../fleet/snapshot.js';
import type { SpreadConstraint } from '../policy/schema.js';
import type { CandidateList } from './candidates.js';
import type { Shortfall } from './failure.js';
import { groupKey, type SpreadField } from './group-key.js';

/** Class visits the search may make before giving up (some tens of milliseconds on 5,000 clusters). */
export const DEFAULT_SEARCH_BUDGET = 250_000;

/** Input of searchSeeds. */
export interface SeedSearch {
  constraints: readonly SpreadConstraint[];
  /** Candidates, best first (forced ones included). */
  candidates: CandidateList;
  /** Clusters already selected (the surviving previous placement). */
  forced: readonly ClusterEntry[];
  /** Upper bound on seeds. */
  maxSeeds?: number;
  /** Class visits allowed. */
  budget: number;
}

/** What the search found. */
export type SeedSearchResult =
  | { outcome: 'found'; seeds: ClusterEntry[] }
  /** Some constraint's candidates span fewer groups than its minGroups. */
  | { outcome: 'short'; shortfalls: Shortfall[] }
  /** Covering the minGroups takes more seeds than maxSeeds (each seed brings one group at most). */
  | { outcome: 'seeds' }
  | { outcome: 'infeasible' }
  | { outcome: 'exhausted'; visits: number };

/** Candidates that fall in the same groups of every constrained field but `cluster`. */
interface Klass {
  /** Non-forced members, best first, with their candidate positions. */
  readonly members: ClusterEntry[];
  readonly positions: number[];
  /** Group number per group field (position in `fields`). */
  groups: Int32Array;
}

/** Coarse to fine: groups nest (see group-key.ts), so the finest constrained field names a class. */
const NESTING: readonly SpreadField[] = ['provider', 'region', 'zone'];

/** Finds seeds with which the forced clusters satisfy every constraint (see file comment). */
export function searchSeeds(s: SeedSearch): SeedSearchResult {
  const fields = s.constraints.filter((k) => k.spreadByField !== 'cluster');
  const byCluster = s.constraints.find((k) => k.spreadByField === 'cluster');
  const nf = fields.length;
  const finest = NESTING.filter((f) => fields.some((k) => k.spreadByField === f)).pop();
  const numbering = fields.map(() => new Map<string, number>());
  const groupIds = (c: ClusterEntry): Int32Array => {
    const ids = new Int32Array(nf);
    for (let f = 0; f < nf; f++) {
      const key = groupKey(c, fields[f]!.spreadByField);
      const m = numbering[f]!;
      let id = m.get(key);
      if (id === undefined) {
        id = m.size;
        m.set(key, id);
      }
      ids[f] = id;
    }
    return ids;
  };
  const forcedIds = s.forced.map(groupIds);
  const isForced = new Set(s.forced.map((c) => c.index));
  const byFinest = new Map<string, Klass>();
  const classes: Klass[] = [];
  const none = new Int32Array(0);
  for (let j = 0; j < s.candidates.length; j++) {
    const c = s.candidates.at(j)!;
    if (isForced.has(c.index)) continue;
    const key = finest !== undefined ? groupKey(c, finest) : '';
    let k = byFinest.get(key);
    if (k === undefined) {
      k = { members: [], positions: [], groups: none };
      byFinest.set(key, k);
      classes.push(k);
    }
    k.members.push(c);
    k.positions.push(j);
  }
  for (const k of classes) k.groups = groupIds(k.members[0]!);

  // Failures that need no search: too few groups among all candidates; more seeds than allowed.
  const forcedCount = s.forced.length;
  const spanned = s.constraints.map((k) =>
    k.spreadByField === 'cluster' ? s.candidates.length : numbering[fields.indexOf(k)]!.size,
  );
  const shortfalls = s.constraints
    .map((constraint, i) => ({ constraint, groups: spanned[i]! }))
    .filter((x) => x.groups < x.constraint.minGroups);
  if (shortfalls.length > 0) return { outcome: 'short', shortfalls };
  const forcedGroups = fields.map((_, f) => new Set(forcedIds.map((ids) => ids[f])).size);
  const needed = Math.max(
    (byCluster?.minGroups ?? 0) - forcedCount,
    ...fields.map((k, f) => k.minGroups - forcedGroups[f]!),
  );
  if (s.maxSeeds !== undefined && needed > s.maxSeeds) return { outcome: 'seeds' };

  const nc = classes.length;
  const min = fields.map((k) => k.minGroups);
  const max = fields.map((k) => k.maxGroups ?? Number.POSITIVE_INFINITY);
  const refs = numbering.map((m) => new Int32Array(m.size));
  const count = new Int32Array(nf);
  const stamp = numbering.map((m) => new Int32Array(m.size));
  // Seeds are bounded by maxSeeds and by the room a cluster maxGroups leaves; a cluster minGroups
  // asks for at least `needClusters` of them.
  const limit = Math.min(
    s.maxSeeds ?? Number.POSITIVE_INFINITY,
    (byCluster?.maxGroups ?? Number.POSITIVE_INFINITY) - forcedCount,
  );
  const needClusters = Math.max(0, (byCluster?.minGroups ?? 0) - forcedCount);
  const OPEN = 0;
  const IN = 1;
  const OUT = 2;
  const status = new Uint8Array(nc);
  let opened = 0;
  let spare = 0; // members of opened classes beyond their representative
  let visits = 0;
  let node = 0;
  let exhausted = false;

  const join = (ids: Int32Array, sign: 1 | -1): void => {
    for (let f = 0; f < nf; f++) {
      const r = refs[f]!;
      const g = ids[f]!;
      const before = r[g]!;
      r[g] = before + sign;
      if (before === 0 || before + sign === 0) count[f]! += sign;
    }
  };
  for (const ids of forcedIds) join(ids, 1);
  const setIn = (k: number, on: boolean): void => {
    const cls = classes[k]!;
    join(cls.groups, on ? 1 : -1);
    status[k] = on ? IN : OPEN;
    opened += on ? 1 : -1;
    spare += (on ? 1 : -1) * (cls.members.length - 1);
  };
  /** Whether the class brings no new group (its members are free top-ups). */
  const covered = (k: number): boolean => {
    const g = classes[k]!.groups;
    for (let f = 0; f < nf; f++) if (refs[f]![g[f]!] === 0) return false;
    return true;
  };
  /** Whether opening the class keeps every maxGroups. */
  const admissible = (k: number): boolean => {
    const g = classes[k]!.groups;
    for (let f = 0; f < nf; f++) if (count[f]! >= max[f]! && refs[f]![g[f]!] === 0) return false;
    return true;
  };
  /** Node at which a group was found unable to hold a valid completion (per field). */
  const blocked = numbering.map((m) => new Int32Array(m.size).fill(-1));
  /** Whether the class may be opened at this node: within every maxGroups, in no blocked group. */
  const openable = (k: number): boolean => {
    if (status[k] !== OPEN || covered(k) || !admissible(k)) return false;
    const g = classes[k]!.groups;
    for (let f = 0; f < nf; f++) if (blocked[f]![g[f]!] === node) return false;
    return true;
  };
  const deficit = new Int32Array(nf);
  const available = new Int32Array(nf);

  const dfs = (): boolean => {
    if (visits > s.budget) {
      exhausted = true;
      return false;
    }
    node++;
    let bound = 0;
    let anyDeficit = false;
    for (let f = 0; f < nf; f++) {
      deficit[f] = Math.max(0, min[f]! - count[f]!);
      available[f] = 0;
      if (deficit[f]! > 0) anyDeficit = true;
      bound = Math.max(bound, deficit[f]!);
    }
    // Each class adds at most one group per field.
    if (opened + bound > limit) return false;
    visits += nc;
    let free = 0;
    for (let k = 0; k < nc; k++) if (status[k] !== IN && covered(k)) free += classes[k]!.members.length;
    const clusters = opened + spare + free;
    if (!anyDeficit && clusters >= needClusters) return true;
    if (!blockUnreachable(needClusters - clusters)) return false;
    visits += nc;
    let addable = 0;
    for (let k = 0; k < nc; k++) {
      if (!openable(k)) continue;
      addable += classes[k]!.members.length;
      const g = classes[k]!.groups;
      for (let f = 0; f < nf; f++) {
        if (deficit[f] === 0 || refs[f]![g[f]!] !== 0 || stamp[f]![g[f]!] === node) continue;
        stamp[f]![g[f]!] = node;
        available[f]!++;
      }
    }
    for (let f = 0; f < nf; f++) if (available[f]! < deficit[f]!) return false;
    if (clusters + addable < needClusters) return false;
    const k = branchClass(anyDeficit);
    if (k < 0) return false;
    setIn(k, true);
    if (dfs()) return true;
    setIn(k, false);
    if (exhausted) return false;
    status[k] = OUT;
    const found = dfs();
    if (!found) status[k] = OPEN;
    return found;
  };

  /**
   * Bounds where a field h still has room under its maxGroups: a completion opens at most `room`
   * new h-groups, so the new groups of another field f it can reach are those in the h-groups
   * already present plus, at best, those of the `room` richest new h-groups (likewise for
   * clusters). False when that cannot cover a deficit. Otherwise a new h-group that cannot cover
   * it even with the richest others is blocked for this node: no completion opens it. This
   * proves nested conflicts (region maxGroups 1 under zone minGroups 4, where no region has four
   * zones) and goes straight to the regions that can hold a solution, without enumerating the
   * others.
   */
  const blockUnreachable = (short: number): boolean => {
    for (let h = 0; h < nf; h++) {
      const room = max[h]! - count[h]!;
      if (room <= 0 || room === Number.POSITIVE_INFINITY) continue;
      visits += nc;
      // Requirements: each deficient field but h (distinct (h-group, f-group) pairs), then clusters.
      const wants = fields.map((_, f) => (f === h ? 0 : deficit[f]!));
      wants.push(Math.max(0, short));
      if (wants.every((w) => w === 0)) continue;
      const seen = fields.map(() => new Set<number>());
      const inPresent = new Int32Array(nf + 1);
      const inNew = wants.map(() => new Map<number, number>());
      const bump = (r: number, gh: number, by: number, present: boolean): void => {
        if (present) inPresent[r]! += by;
        else inNew[r]!.set(gh, (inNew[r]!.get(gh) ?? 0) + by);
      };
      const newGroups = new Set<number>();
      for (let k = 0; k < nc; k++) {
        if (!openable(k)) continue;
        const g = classes[k]!.groups;
        const gh = g[h]!;
        const present = refs[h]![gh]! > 0;
        if (!present) newGroups.add(gh);
        bump(nf, gh, classes[k]!.members.length, present);
        for (let f = 0; f < nf; f++) {
          if (wants[f] === 0 || refs[f]![g[f]!] !== 0) continue;
          const pair = gh * refs[f]!.length + g[f]!;
          if (seen[f]!.has(pair)) continue;
          seen[f]!.add(pair);
          bump(f, gh, 1, present);
        }
      }
      const tops = inNew.map((m) => topSums(m, room));
      for (let r = 0; r < wants.length; r++)
        if (wants[r]! > 0 && inPresent[r]! + tops[r]!.sum(room) < wants[r]!) return false;
      for (const gh of newGroups) {
        for (let r = 0; r < wants.length; r++) {
          if (wants[r] === 0) continue;
          const mine = inNew[r]!.get(gh) ?? 0;
          if (inPresent[r]! + mine + tops[r]!.sumWithout(gh, room - 1) < wants[r]!) {
            blocked[h]![gh] = node;
            break;
          }
        }
      }
    }
    return true;
  };

  /**
   * The class to branch on: with a deficient field, one bringing a new group to the field with the
   * least slack, helping the most deficient fields; else (only clusters are short) the best
   * openable class. Ties: preference order.
   */
  const branchClass = (anyDeficit: boolean): number => {
    let target = -1;
    if (anyDeficit) {
      for (let f = 0; f < nf; f++) {
        if (deficit[f] === 0) continue;
        if (target < 0 || available[f]! - deficit[f]! < available[target]! - deficit[target]!) target = f;
      }
    }
    visits += nc;
    let best = -1;
    let bestHelps = -1;
    for (let k = 0; k < nc; k++) {
      if (!openable(k)) continue;
      const g = classes[k]!.groups;
      if (target >= 0 && refs[target]![g[target]!] !== 0) continue;
      let helps = 0;
      for (let f = 0; f < nf; f++) if (deficit[f]! > 0 && refs[f]![g[f]!] === 0) helps++;
      if (helps > bestHelps) {
        best = k;
        bestHelps = helps;
      }
    }
    return best;
  };

  if (needClusters > limit) return { outcome: 'infeasible' };
  if (!dfs()) return exhausted ? { outcome: 'exhausted', visits: s.budget } : { outcome: 'infeasible' };
  return { outcome: 'found', seeds: seedsOf(classes, status, IN, needClusters, covered) };
}

/**
 * Sums of the largest values of a group → value map: `sum(n)` of the n largest, and
 * `sumWithout(g, n)` of the n largest among the other groups.
 */
function topSums(values: ReadonlyMap<number, number>, upTo: number) {
  const sorted = [...values].sort((a, b) => b[1] - a[1]);
  const n = Math.min(sorted.length, upTo + 1);
  const prefix = new Float64Array(n + 1);
  const rank = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    prefix[i + 1] = prefix[i]! + sorted[i]![1];
    rank.set(sorted[i]![0], i);
  }
  const sum = (k: number): number => prefix[Math.min(k, n)]!;
  return {
    sum,
    sumWithout(g: number, k: number): number {
      const at = rank.get(g);
      return at !== undefined && at < k ? sum(k + 1) - sorted[at]![1] : sum(k);
    },
  };
}

/** The representatives of the opened classes, topped up in preference order to `needClusters`. */
function seedsOf(
  classes: readonly Klass[],
  status: Uint8Array,
  IN: number,
  needClusters: number,
  covered: (k: number) => boolean,
): ClusterEntry[] {
  const seeds: { c: ClusterEntry; at: number }[] = [];
  const spare: { c: ClusterEntry; at: number }[] = [];
  classes.forEach((cls, k) => {
    const taken = status[k] === IN;
    if (!taken && !covered(k)) return;
    cls.members.forEach((c, i) => {
      (taken && i === 0 ? seeds : spare).push({ c, at: cls.positions[i]! });
    });
  });
  spare.sort((a, b) => a.at - b.at);
  seeds.push(...spare.slice(0, Math.max(0, needClusters - seeds.length)));
  return seeds.sort((a, b) => a.at - b.at).map((x) => x.c);
}
