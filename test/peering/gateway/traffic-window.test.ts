import { afterAll, describe, expect, it } from 'vitest';
import { emptyLinkStats, type LinkStats } from '../../../peering/gateway/link-stats.js';
import { pushTraffic, readTraffic } from '../../../peering/gateway/traffic-series.js';
import { TrafficWindowReader } from '../../../peering/gateway/traffic-window.js';
import { testRedis } from '../../support/redis.js';

function stats(n: number, bucket: number, errors: number): LinkStats {
  const s = emptyLinkStats();
  s.requests = n;
  s.errors = errors;
  s.bytesIn = n * 100;
  s.bytesOut = n * 300;
  s.buckets[bucket] = n;
  return s;
}

const byLink = (w: { services: { source: string; destination: string; service: string }[] }) =>
  [...w.services].sort((a, b) =>
    `${a.source}|${a.destination}|${a.service}`.localeCompare(`${b.source}|${b.destination}|${b.service}`),
  );

describe('TrafficWindowReader (rolling sums of the traffic series, real Redis)', () => {
  const redis = testRedis();
  afterAll(() => redis.close());

  it('answers as a full read while time moves on, traffic keeps coming, and links leave the window', async () => {
    const conn = redis.connect();
    const reader = new TrafficWindowReader(conn, redis.prefix);
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    // Four minutes of history, then reads every 7 s for two minutes while pushes go on every 3 s.
    for (let t = t0 - 240_000; t < t0; t += 3_000) {
      await pushTraffic(conn, redis.prefix, new Map([[`a|b|shop/cart`, stats(5, 3, 0)]]), t);
    }
    // A link seen only early: it must leave the 1-minute window and stay in the 5-minute one.
    await pushTraffic(conn, redis.prefix, new Map([[`a|c|shop/pay`, stats(40, 9, 4)]]), t0 - 100_000);
    let next = t0;
    for (let now = t0; now < t0 + 120_000; now += 7_000) {
      for (; next <= now; next += 3_000) {
        const n = 1 + ((next / 1000) % 7);
        await pushTraffic(
          conn,
          redis.prefix,
          new Map([
            [`a|b|shop/cart`, stats(n, 4, 0)],
            [`b|a|shop/web`, stats(2 * n, 11, n % 2)],
          ]),
          next,
        );
      }
      for (const window of [60, 300]) {
        const rolling = await reader.read(window, now);
        const whole = await readTraffic(conn, redis.prefix, window, now);
        expect(byLink(rolling), `window ${window} s at +${now - t0} ms`).toEqual(byLink(whole));
        expect(rolling.pairs.length).toBe(whole.pairs.length);
      }
    }
    const late = await reader.read(60, t0 + 120_000);
    expect(late.services.some((l) => l.destination === 'c')).toBe(false);
    const early = await reader.read(300, t0 + 120_000);
    expect(early.services.find((l) => l.destination === 'c')?.requests).toBe(40);
  });

  it('shares one read between concurrent callers of a window', async () => {
    const conn = redis.connect();
    const reader = new TrafficWindowReader(conn, redis.prefix);
    const [a, b] = [reader.read(300), reader.read(300)];
    expect(a).toBe(b);
    await a;
  });
});
