/**
 * Spread groups numbered once per fleet snapshot: for each spread field, every cluster's group as
 * a small integer, so that counting the distinct groups of thousands of clusters is one pass over
 * an Int32Array with a mark per group instead of building a Set of strings per decision.
 */
import type { ClusterEntry, FleetSnapshot } from '../fleet/snapshot.js';
import type { SpreadConstraint } from '../policy/schema.js';
import { groupKey } from './group-key.js';

type Field = SpreadConstraint['spreadByField'];

/** Cluster index → group number, and the number of groups, for one field. */
interface GroupIds {
  readonly ids: Int32Array;
  readonly count: number;
}

const cache = new WeakMap<FleetSnapshot, Map<Field, GroupIds>>();

function groupIds(fleet: FleetSnapshot, field: Field): GroupIds {
  let byField = cache.get(fleet);
  if (byField === undefined) {
    byField = new Map();
    cache.set(fleet, byField);
  }
  const hit = byField.get(field);
  if (hit !== undefined) return hit;
  const numbers = new Map<string, number>();
  const ids = new Int32Array(fleet.clusters.length);
  for (const c of fleet.clusters) {
    const key = groupKey(c, field);
    let id = numbers.get(key);
    if (id === undefined) {
      id = numbers.size;
      numbers.set(key, id);
    }
    ids[c.index] = id;
  }
  const out = { ids, count: numbers.size };
  byField.set(field, out);
  return out;
}

/** How many distinct groups of `field` the clusters (all of `fleet`) fall in. */
export function countGroups(fleet: FleetSnapshot, clusters: readonly ClusterEntry[], field: Field): number {
  // Cluster names are unique within a fleet.
  if (field === 'cluster') return clusters.length;
  const { ids, count } = groupIds(fleet, field);
  const seen = new Uint8Array(count);
  let n = 0;
  for (const c of clusters) {
    const id = ids[c.index]!;
    if (seen[id] === 0) {
      seen[id] = 1;
      n++;
      if (n === count) break;
    }
  }
  return n;
}
