/**
 * Candidates in preference order, materialised lazily. Aggregating strategies (fewest clusters,
 * cheapest first) usually need only the first few candidates of thousands, so a binary heap
 * (O(n) to build, O(log n) per candidate taken) replaces a full O(n log n) sort. Strategies that
 * need the whole order pass an already sorted list.
 */

/** A read-only sequence of candidates in preference order. */
export interface CandidateSeq<T> {
  readonly length: number;
  /** The i-th best candidate (materialises the order up to i). */
  at(i: number): T | undefined;
  /** Whether an item is a candidate at all (by fleet index). */
  has(index: number): boolean;
  /** The preference order, for sorting a few items (e.g. the previous placement's clusters). */
  compare(a: T, b: T): number;
}

/** A fully sorted list as a sequence. */
export function sortedSeq<T extends { entry: { index: number } }>(
  sorted: T[],
  compare: (a: T, b: T) => number,
): CandidateSeq<T> {
  const members = new Set(sorted.map((t) => t.entry.index));
  return { length: sorted.length, at: (i) => sorted[i], has: (index) => members.has(index), compare };
}

/** A lazily ordered sequence over a binary min-heap of `items` under `compare`. */
export function lazySeq<T extends { entry: { index: number } }>(
  items: readonly T[],
  compare: (a: T, b: T) => number,
): CandidateSeq<T> {
  const heap = [...items];
  const out: T[] = [];
  const members = new Set(items.map((t) => t.entry.index));
  const down = (start: number, n: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && compare(heap[l]!, heap[m]!) < 0) m = l;
      if (r < n && compare(heap[r]!, heap[m]!) < 0) m = r;
      if (m === i) return;
      const t = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = t;
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i, heap.length);
  let size = heap.length;
  return {
    length: items.length,
    at(i) {
      while (out.length <= i && size > 0) {
        out.push(heap[0]!);
        size--;
        heap[0] = heap[size]!;
        down(0, size);
      }
      return out[i];
    },
    has: (index) => members.has(index),
    compare,
  };
}
