import type { Redis } from 'ioredis';
import type { LinkStats } from './link-stats.js';
import {
  addBuckets,
  readTraffic,
  summarizeWindow,
  TRAFFIC_BUCKET_SECONDS,
  type TrafficWindow,
  windowBuckets,
} from './traffic-series.js';

/** Buckets this old (their start, in seconds before now) no longer change: gateways push every few seconds into the current one. */
const FINAL_AFTER_SECONDS = 2 * TRAFFIC_BUCKET_SECONDS;
/** Windows up to this long are kept as rolling sums; longer ones are read whole (their oldest buckets may expire under them). */
const ROLLING_MAX_SECONDS = 3600;

interface Rolling {
  /** First and last bucket starts summed in `sums` (every one final). */
  first: number;
  last: number;
  sums: Map<string, LinkStats>;
}

/**
 * The traffic matrix for the API, kept as a rolling sum per window length: the final buckets of a
 * window are summed once; each read then adds the buckets that became final, takes away the ones
 * that left the window, and adds the current (still growing) buckets — a few hash reads instead of
 * one per bucket of the window (30 for 5 minutes). Concurrent reads of one window share one read.
 * The counts are integers, so adding and taking away is exact.
 */
export class TrafficWindowReader {
  private readonly rolling = new Map<number, Rolling>();
  private readonly pending = new Map<number, Promise<TrafficWindow>>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** The last `windowSeconds` of traffic, summed per link (as readTraffic). */
  read(windowSeconds: number, nowMs = Date.now()): Promise<TrafficWindow> {
    if (windowSeconds > ROLLING_MAX_SECONDS)
      return readTraffic(this.redis, this.prefix, windowSeconds, nowMs);
    const running = this.pending.get(windowSeconds);
    if (running) return running;
    const p = this.readRolling(windowSeconds, nowMs).finally(() => this.pending.delete(windowSeconds));
    this.pending.set(windowSeconds, p);
    return p;
  }

  private async readRolling(windowSeconds: number, nowMs: number): Promise<TrafficWindow> {
    const { first, last, covered } = windowBuckets(windowSeconds, nowMs);
    const finalUpTo =
      Math.floor((nowMs / 1000 - FINAL_AFTER_SECONDS) / TRAFFIC_BUCKET_SECONDS) * TRAFFIC_BUCKET_SECONDS -
      TRAFFIC_BUCKET_SECONDS;
    const finalLast = Math.min(last, finalUpTo);
    let r = this.rolling.get(windowSeconds);
    try {
      if (r === undefined || first > r.last || first < r.first || finalLast < r.last) {
        r = { first, last: finalLast, sums: new Map() };
        this.rolling.set(windowSeconds, r);
        await addBuckets(this.redis, this.prefix, first, finalLast, r.sums);
      } else {
        await addBuckets(this.redis, this.prefix, r.first, first - TRAFFIC_BUCKET_SECONDS, r.sums, -1);
        await addBuckets(this.redis, this.prefix, r.last + TRAFFIC_BUCKET_SECONDS, finalLast, r.sums);
        r.first = first;
        r.last = finalLast;
        for (const [link, s] of r.sums) if (s.requests <= 0) r.sums.delete(link);
      }
    } catch (err) {
      // A half-applied update would be wrong from then on: start again next time.
      this.rolling.delete(windowSeconds);
      throw err;
    }
    const links = new Map<string, LinkStats>();
    for (const [link, s] of r.sums) links.set(link, { ...s, buckets: [...s.buckets] });
    await addBuckets(
      this.redis,
      this.prefix,
      Math.max(first, finalLast + TRAFFIC_BUCKET_SECONDS),
      last,
      links,
    );
    return summarizeWindow(links, covered);
  }
}
