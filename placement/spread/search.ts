/**
 * Complete search for the seeds of a spread selection, run when the greedy coverage of select.ts
 * finds none (one constraint's maxGroups and another's minGroups interact: e.g. provider
 * maxGroups 1 with region minGroups 2, where the preferred provider has one region and another
 * provider has two).
 *
 * After the failures that need no search (classes.ts), a branch and bound over the classes of
 * interchangeable candidates. At each node: cut the branch when the seeds it needs exceed the
 * limit, or the classes still allowed cannot bring enough new groups or clusters; where a field
 * still has room under its maxGroups, bound what the few groups it may still open can reach, and
 * block the groups that cannot lead to a solution (see blockUnreachable). Then pick the deficient
 * constraint with the least slack and, among the classes that bring it a new group, the one that
 * helps the most deficient constraints (ties: preference order); first include it, then exclude
 * it. Complete within its budget, counted in class visits (not time, so the result is
 * deterministic); past the budget it says so instead of claiming infeasibility.
 */
import type { ClusterEntry } from '../fleet/snapshot.js';
import type { SpreadConstraint } from '../policy/schema.js';
import type { CandidateList } from './candidates.js';
import { type Klass, precheck, type SearchSpace, searchSpace } from './classes.js';
import type { Shortfall } from './failure.js';

/** Class visits the search may make before giving up (about 10 ms on 5,000 clusters, measured). */
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

/** Finds seeds with which the forced clusters satisfy every constraint (see file comment). */
export function searchSeeds(s: SeedSearch): SeedSearchResult {
  const space = searchSpace(s.constraints, s.candidates, s.forced);
  const early = precheck(space, s.constraints, s.candidates.length, s.maxSeeds);
  if (early !== undefined) return early;
  const bb = new BranchAndBound(space, s.maxSeeds, s.budget);
  if (bb.needClusters > bb.limit) return { outcome: 'infeasible' };
  if (bb.dfs()) return { outcome: 'found', seeds: bb.seeds() };
  return bb.exhausted ? { outcome: 'exhausted', visits: s.budget } : { outcome: 'infeasible' };
}

const OPEN = 0;
const IN = 1;
const OUT = 2;

/** The search state: classes in (opened), out (excluded) or open, and the groups they span. */
class BranchAndBound {
  /** Seeds allowed: maxSeeds, and the room a cluster maxGroups leaves. */
  readonly limit: number;
  /** Seeds a cluster minGroups asks for. */
  readonly needClusters: number;
  exhausted = false;
  private readonly classes: readonly Klass[];
  private readonly nc: number;
  private readonly nf: number;
  private readonly min: number[];
  private readonly max: number[];
  /** Per field and group: selected clusters' classes (forced included) in it. */
  private readonly refs: Int32Array[];
  /** Per field: groups spanned. */
  private readonly count: Int32Array;
  private readonly status: Uint8Array;
  /** Per field and group: the node that last counted it (for distinct counts). */
  private readonly stamp: Int32Array[];
  /** Per field and group: the node at which it was found unable to hold a solution. */
  private readonly blocked: Int32Array[];
  private readonly deficit: Int32Array;
  private readonly available: Int32Array;
  private opened = 0;
  /** Members of opened classes beyond their representative. */
  private spare = 0;
  private visits = 0;
  private node = 0;

  constructor(
    space: SearchSpace,
    maxSeeds: number | undefined,
    private readonly budget: number,
  ) {
    this.classes = space.classes;
    this.nc = space.classes.length;
    this.nf = space.fields.length;
    this.min = space.fields.map((k) => k.minGroups);
    this.max = space.fields.map((k) => k.maxGroups ?? Number.POSITIVE_INFINITY);
    this.refs = space.groupCounts.map((n) => new Int32Array(n));
    this.stamp = space.groupCounts.map((n) => new Int32Array(n));
    this.blocked = space.groupCounts.map((n) => new Int32Array(n).fill(-1));
    this.count = new Int32Array(this.nf);
    this.deficit = new Int32Array(this.nf);
    this.available = new Int32Array(this.nf);
    this.status = new Uint8Array(this.nc);
    const forced = space.forced.length;
    this.limit = Math.min(
      maxSeeds ?? Number.POSITIVE_INFINITY,
      (space.byCluster?.maxGroups ?? Number.POSITIVE_INFINITY) - forced,
    );
    this.needClusters = Math.max(0, (space.byCluster?.minGroups ?? 0) - forced);
    for (const ids of space.forced) this.join(ids, 1);
  }

  private join(ids: Int32Array, sign: 1 | -1): void {
    for (let f = 0; f < this.nf; f++) {
      const r = this.refs[f]!;
      const g = ids[f]!;
      const before = r[g]!;
      r[g] = before + sign;
      if (before === 0 || before + sign === 0) this.count[f]! += sign;
    }
  }

  private setIn(k: number, on: boolean): void {
    const cls = this.classes[k]!;
    this.join(cls.groups, on ? 1 : -1);
    this.status[k] = on ? IN : OPEN;
    this.opened += on ? 1 : -1;
    this.spare += (on ? 1 : -1) * (cls.members.length - 1);
  }

  /** Whether the class brings no new group (its members are free top-ups). */
  private covered(k: number): boolean {
    const g = this.classes[k]!.groups;
    for (let f = 0; f < this.nf; f++) if (this.refs[f]![g[f]!] === 0) return false;
    return true;
  }

  /** Whether the class may be opened at this node: new groups within every maxGroups, none blocked. */
  private openable(k: number): boolean {
    if (this.status[k] !== OPEN || this.covered(k)) return false;
    const g = this.classes[k]!.groups;
    for (let f = 0; f < this.nf; f++) {
      if (this.blocked[f]![g[f]!] === this.node) return false;
      if (this.count[f]! >= this.max[f]! && this.refs[f]![g[f]!] === 0) return false;
    }
    return true;
  }

  /** One node: true when a solution is found below it (the state then holds it). */
  dfs(): boolean {
    if (this.visits > this.budget) {
      this.exhausted = true;
      return false;
    }
    this.node++;
    const { nc, nf, deficit, available, classes } = this;
    let bound = 0;
    let anyDeficit = false;
    for (let f = 0; f < nf; f++) {
      deficit[f] = Math.max(0, this.min[f]! - this.count[f]!);
      available[f] = 0;
      if (deficit[f]! > 0) anyDeficit = true;
      bound = Math.max(bound, deficit[f]!);
    }
    // Each class adds at most one group per field.
    if (this.opened + bound > this.limit) return false;
    this.visits += nc;
    let free = 0;
    for (let k = 0; k < nc; k++)
      if (this.status[k] !== IN && this.covered(k)) free += classes[k]!.members.length;
    const clusters = this.opened + this.spare + free;
    if (!anyDeficit && clusters >= this.needClusters) return true;
    if (!this.blockUnreachable(this.needClusters - clusters)) return false;
    this.visits += nc;
    let addable = 0;
    for (let k = 0; k < nc; k++) {
      if (!this.openable(k)) continue;
      addable += classes[k]!.members.length;
      const g = classes[k]!.groups;
      for (let f = 0; f < nf; f++) {
        const gf = g[f]!;
        if (deficit[f] === 0 || this.refs[f]![gf] !== 0 || this.stamp[f]![gf] === this.node) continue;
        this.stamp[f]![gf] = this.node;
        available[f]!++;
      }
    }
    for (let f = 0; f < nf; f++) if (available[f]! < deficit[f]!) return false;
    if (clusters + addable < this.needClusters) return false;
    const k = this.branchClass(anyDeficit);
    if (k < 0) return false;
    this.setIn(k, true);
    if (this.dfs()) return true;
    this.setIn(k, false);
    if (this.exhausted) return false;
    this.status[k] = OUT;
    const found = this.dfs();
    if (!found) this.status[k] = OPEN;
    return found;
  }

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
  private blockUnreachable(short: number): boolean {
    const { nc, nf, classes, refs } = this;
    for (let h = 0; h < nf; h++) {
      const room = this.max[h]! - this.count[h]!;
      if (room <= 0 || room === Number.POSITIVE_INFINITY) continue;
      // Requirements: each deficient field but h (distinct (h-group, f-group) pairs), then clusters.
      const wants = Array.from(this.deficit, (d, f) => (f === h ? 0 : d));
      wants.push(Math.max(0, short));
      if (wants.every((w) => w === 0)) continue;
      this.visits += nc;
      const seen = wants.map(() => new Set<number>());
      const inPresent = new Int32Array(nf + 1);
      const inNew = wants.map(() => new Map<number, number>());
      const bump = (r: number, gh: number, by: number, present: boolean): void => {
        if (present) inPresent[r]! += by;
        else inNew[r]!.set(gh, (inNew[r]!.get(gh) ?? 0) + by);
      };
      const newGroups = new Set<number>();
      for (let k = 0; k < nc; k++) {
        if (!this.openable(k)) continue;
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
            this.blocked[h]![gh] = this.node;
            break;
          }
        }
      }
    }
    return true;
  }

  /**
   * The class to branch on: with a deficient field, one bringing a new group to the field with the
   * least slack, helping the most deficient fields; else (only clusters are short) the best
   * openable class. Ties: preference order.
   */
  private branchClass(anyDeficit: boolean): number {
    const { nc, nf, deficit, available, refs } = this;
    let target = -1;
    if (anyDeficit) {
      for (let f = 0; f < nf; f++) {
        if (deficit[f] === 0) continue;
        if (target < 0 || available[f]! - deficit[f]! < available[target]! - deficit[target]!) target = f;
      }
    }
    this.visits += nc;
    let best = -1;
    let bestHelps = -1;
    for (let k = 0; k < nc; k++) {
      if (!this.openable(k)) continue;
      const g = this.classes[k]!.groups;
      if (target >= 0 && refs[target]![g[target]!] !== 0) continue;
      let helps = 0;
      for (let f = 0; f < nf; f++) if (deficit[f]! > 0 && refs[f]![g[f]!] === 0) helps++;
      if (helps > bestHelps) {
        best = k;
        bestHelps = helps;
      }
    }
    return best;
  }

  /** The solution: representatives of the opened classes, topped up in preference order. */
  seeds(): ClusterEntry[] {
    const seeds: { c: ClusterEntry; at: number }[] = [];
    const spare: { c: ClusterEntry; at: number }[] = [];
    this.classes.forEach((cls, k) => {
      const taken = this.status[k] === IN;
      if (!taken && !this.covered(k)) return;
      cls.members.forEach((c, i) => {
        (taken && i === 0 ? seeds : spare).push({ c, at: cls.positions[i]! });
      });
    });
    spare.sort((a, b) => a.at - b.at);
    seeds.push(...spare.slice(0, Math.max(0, this.needClusters - seeds.length)));
    return seeds.sort((a, b) => a.at - b.at).map((x) => x.c);
  }
}

/**
 * Sums of the largest values of a group → value map: `sum(n)` of the n largest, and
 * `sumWithout(g, n)` of the n largest among the other groups (n ≤ upTo).
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
