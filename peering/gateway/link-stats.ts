/** Upper bounds (ms) of the latency buckets shared by the gateway's aggregates and the traffic API. */
export const LATENCY_BUCKETS_MS = [
  0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000,
];

/** Counts of one link (source cluster → destination cluster → service) over some time. */
export interface LinkStats {
  requests: number;
  /** 5xx answers and calls that got no answer. */
  errors: number;
  bytesIn: number;
  bytesOut: number;
  /** Requests per latency bucket; the last one is above every bound. */
  buckets: number[];
}

/** A zeroed LinkStats. */
export function emptyLinkStats(): LinkStats {
  return {
    requests: 0,
    errors: 0,
    bytesIn: 0,
    bytesOut: 0,
    buckets: new Array(LATENCY_BUCKETS_MS.length + 1).fill(0),
  };
}

/** Adds one call to `s`. */
export function observeLink(
  s: LinkStats,
  ms: number,
  error: boolean,
  bytesIn: number,
  bytesOut: number,
): void {
  s.requests++;
  if (error) s.errors++;
  s.bytesIn += bytesIn;
  s.bytesOut += bytesOut;
  let i = 0;
  while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]!) i++;
  s.buckets[i]!++;
}

/** Adds `from` into `into`. */
export function mergeLinkStats(into: LinkStats, from: LinkStats): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.bytesIn += from.bytesIn;
  into.bytesOut += from.bytesOut;
  from.buckets.forEach((n, i) => {
    into.buckets[i]! += n;
  });
}

/** The q-quantile (0-1) of the bucketed latencies, interpolated within the bucket; 0 without data. */
export function quantileMs(buckets: readonly number[], q: number): number {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i]!;
    if (seen + n >= rank && n > 0) {
      const lo = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const hi = LATENCY_BUCKETS_MS[i] ?? lo * 2;
      return lo + ((hi - lo) * (rank - seen)) / n;
    }
    seen += n;
  }
  return LATENCY_BUCKETS_MS.at(-1)!;
}
