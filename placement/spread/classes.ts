/**
 * The space the spread search works in. Candidates that fall in the same groups on every
 * constrained field but `cluster` are interchangeable for the constraints, so they form one
 * class (as groups nest, a class is a group of the finest field constrained), represented by its
 * best candidate; a `cluster` constraint only counts clusters. Also the failures that need no
 * search: a constraint whose candidates span fewer groups than its minGroups, or more seeds needed
 * than maxSeeds allows (a seed brings at most one new group per constraint).
 */
import type { ClusterEntry } from '../fleet/snapshot.js';
import type { SpreadConstraint } from '../policy/schema.js';
import type { CandidateList } from './candidates.js';
import type { Shortfall } from './failure.js';
import { groupKey, type SpreadField } from './group-key.js';

/** Candidates that fall in the same groups of every constrained field but `cluster`. */
export interface Klass {
  /** Non-forced members, best first, with their candidate positions. */
  readonly members: ClusterEntry[];
  readonly positions: number[];
  /** Group number per group field (position in `fields`). */
  groups: Int32Array;
}

/** Candidates as classes, groups numbered per field. */
export interface SearchSpace {
  /** The constraints on provider, region or zone. */
  readonly fields: readonly SpreadConstraint[];
  /** The constraint on clusters, if any. */
  readonly byCluster: SpreadConstraint | undefined;
  /** Groups per field (of the candidates, forced ones included). */
  readonly groupCounts: readonly number[];
  readonly classes: readonly Klass[];
  /** Group numbers of each forced cluster. */
  readonly forced: readonly Int32Array[];
}

/** Coarse to fine: groups nest (see group-key.ts), so the finest constrained field names a class. */
const NESTING: readonly SpreadField[] = ['provider', 'region', 'zone'];

/** Sorts the candidates into classes (see file comment). */
export function searchSpace(
  constraints: readonly SpreadConstraint[],
  candidates: CandidateList,
  forced: readonly ClusterEntry[],
): SearchSpace {
  const fields = constraints.filter((k) => k.spreadByField !== 'cluster');
  const finest = NESTING.filter((f) => fields.some((k) => k.spreadByField === f)).pop();
  const numbering = fields.map(() => new Map<string, number>());
  const groupIds = (c: ClusterEntry): Int32Array => {
    const ids = new Int32Array(fields.length);
    fields.forEach((k, f) => {
      const key = groupKey(c, k.spreadByField);
      const m = numbering[f]!;
      let id = m.get(key);
      if (id === undefined) {
        id = m.size;
        m.set(key, id);
      }
      ids[f] = id;
    });
    return ids;
  };
  const isForced = new Set(forced.map((c) => c.index));
  const byFinest = new Map<string, Klass>();
  const classes: Klass[] = [];
  const none = new Int32Array(0);
  for (let j = 0; j < candidates.length; j++) {
    const c = candidates.at(j)!;
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
  const forcedIds = forced.map(groupIds);
  return {
    fields,
    byCluster: constraints.find((k) => k.spreadByField === 'cluster'),
    groupCounts: numbering.map((m) => m.size),
    classes,
    forced: forcedIds,
  };
}

/** A failure found without searching, or undefined. */
export function precheck(
  space: SearchSpace,
  constraints: readonly SpreadConstraint[],
  candidates: number,
  maxSeeds: number | undefined,
): { outcome: 'short'; shortfalls: Shortfall[] } | { outcome: 'seeds' } | undefined {
  const spanned = (k: SpreadConstraint): number =>
    k === space.byCluster ? candidates : space.groupCounts[space.fields.indexOf(k)]!;
  const shortfalls = constraints
    .map((constraint) => ({ constraint, groups: spanned(constraint) }))
    .filter((x) => x.groups < x.constraint.minGroups);
  if (shortfalls.length > 0) return { outcome: 'short', shortfalls };
  const forcedGroups = space.fields.map((_, f) => new Set(space.forced.map((ids) => ids[f])).size);
  const needed = Math.max(
    (space.byCluster?.minGroups ?? 0) - space.forced.length,
    ...space.fields.map((k, f) => k.minGroups - forcedGroups[f]!),
  );
  return maxSeeds !== undefined && needed > maxSeeds ? { outcome: 'seeds' } : undefined;
}
