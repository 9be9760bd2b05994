import type { Redis } from 'ioredis';
import { emptyLinkStats, LATENCY_BUCKETS_MS, type LinkStats, quantileMs } from './link-stats.js';
import { TRAFFIC_BUCKET_SECONDS, trafficBucketKey } from './traffic-series.js';

/** One 10-second bucket of one link's traffic. */
export interface TrafficPoint {
  /** Unix second the bucket starts at. */
  readonly t: number;
  readonly requestsPerSecond: number;
  readonly bytes: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

/**
 * One link's traffic per 10-second bucket over the last `windowSeconds` (from the series that
 * readTraffic sums): every service of the pair together, or one `service` (`namespace/name`).
 * Buckets without traffic are points of zero, so a chart shows the gaps.
 */
export async function readTrafficHistory(
  redis: Redis,
  prefix: string,
  windowSeconds: number,
  link: { source: string; destination: string; service?: string },
  nowMs = Date.now(),
): Promise<TrafficPoint[]> {
  const last = Math.floor(nowMs / 1000 / TRAFFIC_BUCKET_SECONDS) * TRAFFIC_BUCKET_SECONDS;
  const first = last - (Math.ceil(windowSeconds / TRAFFIC_BUCKET_SECONDS) - 1) * TRAFFIC_BUCKET_SECONDS;
  const head = `${link.source}|${link.destination}|`;
  // Only this link's fields leave Redis: each bucket holds every link of the fleet (tens of
  // thousands of fields when busy), and an hour is 360 buckets.
  const pattern = `${globEscape(link.service === undefined ? head : `${head}${link.service}|`)}*`;
  // A scan may return a field twice (while Redis rehashes): fields are kept by name, then summed.
  const found: Map<string, string>[] = [];
  for (let t = first; t <= last; t += TRAFFIC_BUCKET_SECONDS) found.push(new Map());
  // Every bucket's scan in one round trip, again for those not done (COUNT is only a hint).
  let pending = found.map((_, i) => ({ i, cursor: '0' }));
  while (pending.length > 0) {
    const p = redis.pipeline();
    for (const { i, cursor } of pending) {
      const key = trafficBucketKey(prefix, first + i * TRAFFIC_BUCKET_SECONDS);
      p.hscan(key, cursor, 'MATCH', pattern, 'COUNT', 100_000);
    }
    const replies = (await p.exec()) ?? [];
    const next: { i: number; cursor: string }[] = [];
    replies.forEach(([err, reply], k) => {
      if (err) throw err;
      const [cursor, flat] = reply as [string, string[]];
      const { i } = pending[k]!;
      if (cursor !== '0') next.push({ i, cursor });
      for (let j = 0; j + 1 < flat.length; j += 2) found[i]!.set(flat[j]!, flat[j + 1]!);
    });
    pending = next;
  }
  const points = found.map((fields) => {
    const s: LinkStats = emptyLinkStats();
    for (const [field, raw] of fields) {
      const cut = field.lastIndexOf('|');
      if (link.service !== undefined && field.slice(head.length, cut) !== link.service) continue;
      const stat = field.slice(cut + 1);
      const n = Number(raw);
      if (stat === 'n') s.requests += n;
      else if (stat === 'e') s.errors += n;
      else if (stat === 'bi' || stat === 'bo') s.bytesIn += n;
      else if (stat.startsWith('h')) {
        const b = Number(stat.slice(1));
        if (b >= 0 && b <= LATENCY_BUCKETS_MS.length) s.buckets[b]! += n;
      }
    }
    return s;
  });
  return points.map((s, i) => {
    return {
      t: first + i * TRAFFIC_BUCKET_SECONDS,
      requestsPerSecond: s.requests / TRAFFIC_BUCKET_SECONDS,
      bytes: s.bytesIn,
      p50Ms: quantileMs(s.buckets, 0.5),
      p90Ms: quantileMs(s.buckets, 0.9),
      p99Ms: quantileMs(s.buckets, 0.99),
      errorRate: s.requests === 0 ? 0 : s.errors / s.requests,
    };
  });
}

/** `text` matched literally by a Redis glob pattern. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
