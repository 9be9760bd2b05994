/**
 * How far a replica split is from static weights, by Sainte-Laguë's own measure: Σ replicas² ÷ weight
 * over the clusters. Webster's apportionment (webster.ts) is exactly the split that minimises it
 * within the clusters' [min, max] bounds — giving a seat to the highest w ÷ (2s + 1) is adding the
 * seat that raises the sum least — so two splits at the same distance are equally good (a rounding
 * tie) and a smaller distance is strictly closer to the weights. Compared exactly, in integers.
 */

/** A split: cluster name → replicas (undefined counts as 0). */
export type Split = ReadonlyMap<string, number | undefined>;

function gcd(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/**
 * Compares two splits' distances from the weights: < 0 when `a` is closer, 0 when they are as close,
 * > 0 when `b` is. `weightOf` gives a cluster's integer weight; replicas on a cluster of weight 0
 * are infinitely far (compared by their number before anything else).
 */
export function compareWeightDistance(a: Split, b: Split, weightOf: (cluster: string) => number): number {
  // Σ s²/w for a minus for b, grouped by weight: few distinct weights (one per weight rule).
  const byWeight = new Map<number, bigint>();
  let unweighted = 0;
  const add = (split: Split, sign: 1 | -1): void => {
    for (const [name, replicas] of split) {
      const s = replicas ?? 0;
      if (s === 0) continue;
      const w = weightOf(name);
      if (w <= 0) {
        unweighted += sign * s;
        continue;
      }
      const sq = BigInt(s) * BigInt(s);
      byWeight.set(w, (byWeight.get(w) ?? 0n) + (sign === 1 ? sq : -sq));
    }
  };
  add(a, 1);
  add(b, -1);
  if (unweighted !== 0) return Math.sign(unweighted);
  let lcm = 1n;
  for (const w of byWeight.keys()) {
    const bw = BigInt(w);
    lcm = (lcm / gcd(lcm, bw)) * bw;
  }
  let sum = 0n;
  for (const [w, d] of byWeight) sum += d * (lcm / BigInt(w));
  return sum < 0n ? -1 : sum > 0n ? 1 : 0;
}
