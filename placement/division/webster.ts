/**
 * Webster / Sainte-Laguë apportionment of `total` seats (replicas) by integer weights, with
 * per-entry minimum and maximum.
 *
 * Algorithm ("jump and step"): start every entry at its rounded quota total·w/W (half up),
 * clamped to [min, max]; then, while too few seats, give one to the entry with the highest
 * w / (2s + 1) that is below its max; while too many, take one from the entry with the lowest
 * w / (2s − 1) that is above its min. Without bounds this yields exactly the sequential
 * Sainte-Laguë result. Comparisons cross-multiply integers, so there is no float noise.
 * Ties: the larger weight wins a seat (and keeps it), then the lower `order` (the caller's
 * deterministic ranking, e.g. name order).
 */

/** One entry to apportion over. */
export interface WebsterEntry {
  weight: number;
  min?: number;
  max?: number;
}

/** Apportions `total` seats; undefined when the bounds make it impossible. */
export function websterApportion(total: number, entries: readonly WebsterEntry[]): number[] | undefined {
  const n = entries.length;
  const seats = new Array<number>(n).fill(0);
  let weightSum = 0;
  let minSum = 0;
  let maxSum = 0;
  for (const e of entries) {
    weightSum += Math.max(0, e.weight);
    minSum += e.min ?? 0;
    maxSum += e.weight > 0 ? (e.max ?? Number.POSITIVE_INFINITY) : (e.min ?? 0);
  }
  if (minSum > total || maxSum < total) return undefined;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const lo = e.min ?? 0;
    const hi = e.weight > 0 ? (e.max ?? Number.POSITIVE_INFINITY) : lo;
    const quota = weightSum > 0 ? (total * Math.max(0, e.weight)) / weightSum : 0;
    seats[i] = Math.min(hi, Math.max(lo, Math.floor(quota + 0.5)));
    sum += seats[i]!;
  }
  while (sum < total) {
    let best = -1;
    for (let i = 0; i < n; i++) {
      const e = entries[i]!;
      if (e.weight <= 0 || seats[i]! >= (e.max ?? Number.POSITIVE_INFINITY)) continue;
      if (best < 0 || addsBefore(e.weight, seats[i]!, entries[best]!.weight, seats[best]!)) best = i;
    }
    if (best < 0) return undefined;
    seats[best]!++;
    sum++;
  }
  while (sum > total) {
    let worst = -1;
    for (let i = n - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (seats[i]! <= (e.min ?? 0)) continue;
      if (worst < 0 || removesBefore(e.weight, seats[i]!, entries[worst]!.weight, seats[worst]!)) worst = i;
    }
    if (worst < 0) return undefined;
    seats[worst]!--;
    sum--;
  }
  return seats;
}

/** a's next-seat priority wa/(2sa+1) strictly beats b's (equal priority: larger weight; else keep b). */
function addsBefore(wa: number, sa: number, wb: number, sb: number): boolean {
  const lhs = wa * (2 * sb + 1);
  const rhs = wb * (2 * sa + 1);
  return lhs > rhs || (lhs === rhs && wa > wb);
}

/**
 * a's last seat is weaker than b's: wa/(2sa−1) < wb/(2sb−1) (equal: smaller weight loses first).
 * The caller scans from the end so that, on a full tie, the later entry loses.
 */
function removesBefore(wa: number, sa: number, wb: number, sb: number): boolean {
  const lhs = wa * (2 * sb - 1);
  const rhs = wb * (2 * sa - 1);
  return lhs < rhs || (lhs === rhs && wa < wb);
}
