/**
 * Greedy fill: clusters in preference order each take as many replicas as they may (up to max),
 * after every cluster has its minimum. Used where fewest clusters / cheapest first is the goal
 * (Aggregated, CostOptimized); with linear per-replica prices and capacities, filling the
 * cheapest cluster first is the optimal split.
 */

/** Fills `total` replicas in order; undefined when min/max make it impossible. */
export function greedyFill(
  total: number,
  min: readonly number[],
  max: readonly number[],
): number[] | undefined {
  const seats = min.map((m) => m);
  let left = total - seats.reduce((a, b) => a + b, 0);
  if (left < 0) return undefined;
  for (let i = 0; i < seats.length && left > 0; i++) {
    const room = Math.max(0, (max[i] ?? Number.POSITIVE_INFINITY) - seats[i]!);
    const take = Math.min(room, left);
    seats[i]! += take;
    left -= take;
  }
  return left === 0 ? seats : undefined;
}

/**
 * Scale down by keeping replicas on the preferred clusters: clusters in preference order keep
 * up to their ceiling until `total` is reached; the least preferred lose replicas first.
 */
export function greedyKeep(total: number, ceiling: readonly number[]): number[] | undefined {
  return greedyFill(
    total,
    ceiling.map(() => 0),
    ceiling,
  );
}
