/**
 * Candidates in preference order, materialised lazily. Aggregating strategies (fewest clusters,
 * cheapest first) and policies that cap the number of clusters usually need only the first few
 * candidates of thousands, so a binary heap (O(n) to build, O(log n) per candidate taken) replaces
 * a full O(n log n) sort. Strategies that need the whole order pass an already sorted list.
 */

/** A read-only sequence of candidates in preference order. */
export interface CandidateSeq<T> {
  readonly length: number;
  /** The i-th best candidate (materialises the order up to i). */
  at(i: number): T | undefined;
  /** The candidate of a cluster (by fleet index), or undefined when the cluster is not one. */
  get(index: number): T | undefined;
  /** The preference order, for sorting a few items (e.g. the previous placement's clusters). */
  compare(a: T, b: T): number;
}

type Indexed = { entry: { index: number } };

/** index → item, built on first use (only incremental placements ask). */
function lookup<T extends Indexed>(items: readonly T[]): (index: number) => T | undefined {
  let byIndex: Map<number, T> | undefined;
  return (index) => {
    byIndex ??= new Map(items.map((t) => [t.entry.index, t]));
    return byIndex.get(index);
  };
}

/** A fully sorted list as a sequence. */
export function sortedSeq<T extends Indexed>(sorted: T[], compare: (a: T, b: T) => number): CandidateSeq<T> {
  return { length: sorted.length, at: (i) => sorted[i], get: lookup(sorted), compare };
}

/** A lazily ordered sequence over a binary min-heap of `items` under `compare`. */
export function lazySeq<T extends Indexed>(
  items: readonly T[],
  compare: (a: T, b: T) => number,
): CandidateSeq<T> {
  const heap = [...items];
  const out: T[] = [];
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
    get: lookup(items),
    compare,
  };
}

/**
 * A lazily ordered sequence over a min-heap of numeric keys, one per item: `keys[i]` is item i's
 * key, distinct and exact (e.g. a packed score with the position as its last digits), so the order
 * is the ascending order of the keys. No comparator calls: the cheapest way to take the best few.
 */
export function lazyKeyedSeq<T extends Indexed>(
  items: readonly T[],
  keys: Float64Array,
  compare: (a: T, b: T) => number,
): CandidateSeq<T> {
  const heap = keys;
  const pos = new Int32Array(items.length);
  for (let i = 0; i < pos.length; i++) pos[i] = i;
  const out: T[] = [];
  const down = (start: number, n: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && heap[l]! < heap[m]!) m = l;
      if (r < n && heap[r]! < heap[m]!) m = r;
      if (m === i) return;
      const k = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = k;
      const p = pos[i]!;
      pos[i] = pos[m]!;
      pos[m] = p;
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i, heap.length);
  let size = heap.length;
  return {
    length: items.length,
    at(i) {
      while (out.length <= i && size > 0) {
        out.push(items[pos[0]!]!);
        size--;
        heap[0] = heap[size]!;
        pos[0] = pos[size]!;
        down(0, size);
      }
      return out[i];
    },
    get: lookup(items),
    compare,
  };
}
