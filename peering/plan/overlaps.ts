import { type CidrRange, overlaps, parseCidr } from './cidr.js';
import type { CidrOverlap, ClusterCidr, PlanCluster } from './types.js';

/** Every range of every cluster, parsed, in a stable order (cluster, then node/pod/service, then as declared). */
export function clusterRanges(
  clusters: readonly PlanCluster[],
): (ClusterCidr & { readonly range: CidrRange })[] {
  const out: (ClusterCidr & { range: CidrRange })[] = [];
  for (const c of clusters) {
    for (const [role, list] of [
      ['node', c.nodeCidrs],
      ['pod', c.podCidrs],
      ['service', c.serviceCidrs],
    ] as const) {
      for (const cidr of list) out.push({ cluster: c.name, role, cidr, range: parseCidr(cidr) });
    }
  }
  return out;
}

/**
 * Every pair of ranges that share addresses, within a cluster (pod vs service: a misconfiguration)
 * and across clusters. Sorted by start address then end address, so the sweep is O(n log n + k).
 */
export function findOverlaps(clusters: readonly PlanCluster[]): CidrOverlap[] {
  const ranges = clusterRanges(clusters).sort(
    (x, y) =>
      x.range.first - y.range.first || x.range.last - y.range.last || x.cluster.localeCompare(y.cluster),
  );
  const found: CidrOverlap[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const a = ranges[i]!;
    for (let j = i + 1; j < ranges.length && ranges[j]!.range.first <= a.range.last; j++) {
      const b = ranges[j]!;
      if (overlaps(a.range, b.range) && !(a.cluster === b.cluster && a.role === b.role && a.cidr === b.cidr))
        found.push({ a: strip(a), b: strip(b) });
    }
  }
  return found;
}

function strip(r: ClusterCidr): ClusterCidr {
  return { cluster: r.cluster, role: r.role, cidr: r.cidr };
}

/** The pairs of distinct clusters whose ranges clash, as `a|b` keys with a < b. */
export function clashingPairs(found: readonly CidrOverlap[]): Set<string> {
  const pairs = new Set<string>();
  for (const o of found) if (o.a.cluster !== o.b.cluster) pairs.add(pairKey(o.a.cluster, o.b.cluster));
  return pairs;
}

/** A stable key for an unordered pair. */
export function pairKey(x: string, y: string): string {
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}
