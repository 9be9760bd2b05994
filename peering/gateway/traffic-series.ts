import type { Redis } from 'ioredis';
import {
  emptyLinkStats,
  LATENCY_BUCKETS_MS,
  type LinkStats,
  mergeLinkStats,
  quantileMs,
} from './link-stats.js';

/** Width of one time bucket of the traffic series (s). */
export const TRAFFIC_BUCKET_SECONDS = 10;
/** How long buckets are kept (s): the longest window the API serves. */
export const TRAFFIC_RETENTION_SECONDS = 6 * 3600;

/**
 * The traffic series in Redis, written by every gateway replica and read by the API:
 *
 *   `<prefix>:traffic:<t>` — a hash per 10-second bucket starting at unix second `t` (a multiple of
 *   10), expiring after 6 h. Fields are `<source>|<destination>|<service>|<stat>` with stat
 *   `n` (requests), `e` (errors: 5xx or no answer), `bi`/`bo` (request/response body bytes) and
 *   `h0`…`h18` (requests per latency bucket, bounds in LATENCY_BUCKETS_MS). Replicas add with
 *   HINCRBY, so their counts merge and percentiles come from the merged histogram.
 */
export function trafficBucketKey(prefix: string, bucketStart: number): string {
  return `${prefix}:traffic:${bucketStart}`;
}

/** Adds a gateway's aggregates to the current bucket (one MULTI). */
export async function pushTraffic(
  redis: Redis,
  prefix: string,
  links: Map<string, LinkStats>,
  nowMs = Date.now(),
): Promise<void> {
  if (links.size === 0) return;
  const start = Math.floor(nowMs / 1000 / TRAFFIC_BUCKET_SECONDS) * TRAFFIC_BUCKET_SECONDS;
  const key = trafficBucketKey(prefix, start);
  const m = redis.multi();
  for (const [link, s] of links) {
    m.hincrby(key, `${link}|n`, s.requests);
    if (s.errors > 0) m.hincrby(key, `${link}|e`, s.errors);
    if (s.bytesIn > 0) m.hincrby(key, `${link}|bi`, s.bytesIn);
    if (s.bytesOut > 0) m.hincrby(key, `${link}|bo`, s.bytesOut);
    s.buckets.forEach((n, i) => {
      if (n > 0) m.hincrby(key, `${link}|h${i}`, n);
    });
  }
  m.expire(key, TRAFFIC_RETENTION_SECONDS);
  const out = await m.exec();
  const failed = out?.find(([err]) => err !== null);
  if (out === null || failed) throw failed?.[0] ?? new Error('traffic push aborted');
}

/** One link's traffic over a window. */
export interface TrafficLink {
  readonly source: string;
  readonly destination: string;
  readonly service: string;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

/** A window of traffic: per source → destination → service, and per cluster pair (`service` empty). */
export interface TrafficWindow {
  readonly windowSeconds: number;
  readonly services: TrafficLink[];
  readonly pairs: TrafficLink[];
}

/** The buckets a window of `windowSeconds` ending now covers: the first and last bucket starts, and the seconds covered. */
export function windowBuckets(
  windowSeconds: number,
  nowMs: number,
): { first: number; last: number; covered: number } {
  const now = Math.floor(nowMs / 1000);
  const last = Math.floor(now / TRAFFIC_BUCKET_SECONDS) * TRAFFIC_BUCKET_SECONDS;
  const first =
    last - Math.max(0, Math.ceil(windowSeconds / TRAFFIC_BUCKET_SECONDS) - 1) * TRAFFIC_BUCKET_SECONDS;
  // The window actually covered: whole buckets before this one, plus the part of this one elapsed.
  return { first, last, covered: Math.max(1, last - first + (now - last) + 1) };
}

/** Reads the buckets starting at `from`…`to` (inclusive) and adds them (`sign` 1) or takes them away (-1) from `links`. */
export async function addBuckets(
  redis: Redis,
  prefix: string,
  from: number,
  to: number,
  links: Map<string, LinkStats>,
  sign: 1 | -1 = 1,
): Promise<void> {
  if (to < from) return;
  // One bucket at a time: a 5-minute window of a busy fleet is millions of fields, and reading and
  // adding bucket by bucket keeps the memory to one bucket and lets other requests in between.
  for (let t = from; t <= to; t += TRAFFIC_BUCKET_SECONDS) {
    // `HGETALL` in capitals is a command name ioredis does not transform: the reply stays the flat
    // [field, value, …] array instead of an object of tens of thousands of keys (slow to build).
    const value: unknown = await redis.call('HGETALL', trafficBucketKey(prefix, t));
    const flat = Array.isArray(value) ? (value as string[]) : Object.entries(value as object).flat();
    for (let j = 0; j + 1 < flat.length; j += 2) {
      const field = String(flat[j]);
      const cut = field.lastIndexOf('|');
      const link = field.slice(0, cut);
      const n = sign * Number(flat[j + 1]);
      let s = links.get(link);
      if (s === undefined) {
        s = emptyLinkStats();
        links.set(link, s);
      }
      const stat = field.charCodeAt(cut + 1);
      if (stat === 104 /* h */) {
        const i = Number(field.slice(cut + 2));
        if (i >= 0 && i <= LATENCY_BUCKETS_MS.length) s.buckets[i]! += n;
      } else {
        const name = field.slice(cut + 1);
        if (name === 'n') s.requests += n;
        else if (name === 'e') s.errors += n;
        else if (name === 'bi') s.bytesIn += n;
        else if (name === 'bo') s.bytesOut += n;
      }
    }
  }
}

/** Reads the last `windowSeconds` of the series, summed per link (the current, partial bucket included). */
export async function readTraffic(
  redis: Redis,
  prefix: string,
  windowSeconds: number,
  nowMs = Date.now(),
): Promise<TrafficWindow> {
  const { first, last, covered } = windowBuckets(windowSeconds, nowMs);
  const links = new Map<string, LinkStats>();
  await addBuckets(redis, prefix, first, last, links);
  return summarizeWindow(links, covered);
}

/** Per-link sums over a window of `covered` seconds, as the per-service and per-pair traffic. */
export function summarizeWindow(links: Map<string, LinkStats>, covered: number): TrafficWindow {
  const pairs = new Map<string, LinkStats>();
  for (const [link, s] of links) {
    const pair = `${link.slice(0, link.lastIndexOf('|'))}|`;
    const p = pairs.get(pair) ?? emptyLinkStats();
    mergeLinkStats(p, s);
    pairs.set(pair, p);
  }
  return { windowSeconds: covered, services: summarize(links, covered), pairs: summarize(pairs, covered) };
}

function summarize(links: Map<string, LinkStats>, covered: number): TrafficLink[] {
  return [...links].map(([link, s]) => {
    const [source = '', destination = '', service = ''] = link.split('|');
    return {
      source,
      destination,
      service,
      requests: s.requests,
      requestsPerSecond: s.requests / covered,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      p50Ms: quantileMs(s.buckets, 0.5),
      p90Ms: quantileMs(s.buckets, 0.9),
      p99Ms: quantileMs(s.buckets, 0.99),
      errorRate: s.requests === 0 ? 0 : s.errors / s.requests,
    };
  });
}
