import { afterAll, describe, expect, it } from 'vitest';
import { emptyLinkStats, type LinkStats } from '../../../peering/gateway/link-stats.js';
import { readTrafficHistory } from '../../../peering/gateway/traffic-history.js';
import { pushTraffic } from '../../../peering/gateway/traffic-series.js';
import { testRedis } from '../../support/redis.js';

function stats(n: number, errors = 0): LinkStats {
  const s = emptyLinkStats();
  s.requests = n;
  s.errors = errors;
  s.bytesIn = n * 10;
  s.bytesOut = n * 30;
  s.buckets[6] = n;
  return s;
}

describe("readTrafficHistory (one link's series out of a busy fleet's buckets, real Redis)", () => {
  const redis = testRedis();
  afterAll(() => redis.close());

  it('sums only the asked link (or service) per bucket, with zeros where it had no traffic', async () => {
    const conn = redis.connect();
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 5);
    // A busy bucket: the asked link among 3,000 others, including names that share its prefix.
    const crowd = new Map<string, LinkStats>();
    for (let i = 0; i < 3000; i++) crowd.set(`x${i}|y${i}|shop/svc`, stats(1));
    crowd.set('a|bc|shop/cart', stats(7));
    crowd.set('a|b|shop/cart', stats(100, 10));
    crowd.set('a|b|shop/pay', stats(20));
    await pushTraffic(conn, redis.prefix, crowd, t0 - 30_000);
    await pushTraffic(conn, redis.prefix, new Map([['a|b|shop/cart', stats(50)]]), t0);

    const pair = await readTrafficHistory(conn, redis.prefix, 60, { source: 'a', destination: 'b' }, t0);
    expect(pair).toHaveLength(6);
    expect(pair.map((p) => p.requestsPerSecond * 10)).toEqual([0, 0, 120, 0, 0, 50]);
    expect(pair[2]!.errorRate).toBeCloseTo(10 / 120);
    expect(pair[2]!.bytes).toBe(120 * 40);
    expect(pair[2]!.p50Ms).toBeGreaterThan(0);

    const cart = await readTrafficHistory(
      conn,
      redis.prefix,
      60,
      { source: 'a', destination: 'b', service: 'shop/cart' },
      t0,
    );
    expect(cart.map((p) => p.requestsPerSecond * 10)).toEqual([0, 0, 100, 0, 0, 50]);
  });
});
