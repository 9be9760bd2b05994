import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../federation/runtime/free-port.js';
import type { GatewayConfig, QuotaRule } from '../../../peering/gateway/config.js';
import { type QuotaDecision, QuotaEnforcer } from '../../../peering/gateway/quota.js';
import { testRedis } from '../../support/redis.js';

function config(rule: QuotaRule): GatewayConfig {
  return { version: '1', clusters: {}, services: {}, authorization: [], quotas: [rule] };
}

/** Checks one call; counts whether the enforcer had to wait for Redis. */
async function check(q: QuotaEnforcer, c: GatewayConfig, caller: string, waits: { n: number }) {
  const d = q.check(c, 'shop/cart', caller);
  if (!(d instanceof Promise)) return d;
  waits.n++;
  return await d;
}

describe('QuotaEnforcer (reservations in a shared Redis count)', () => {
  const redis = testRedis();
  afterAll(() => redis.close());
  /** An enforcer on a connection that is up (before it is, the in-memory fallback counts). */
  const enforcer = async () => {
    const conn = redis.connect();
    await conn.ping();
    return new QuotaEnforcer(conn, redis.prefix);
  };

  it('answers most calls without waiting on Redis under a high limit', async () => {
    const q = await enforcer();
    const c = config({
      name: 'high',
      service: 'shop/cart',
      perService: { requests: 1_000_000, periodSeconds: 60 },
      perCaller: { requests: 1_000_000, periodSeconds: 60 },
    });
    const waits = { n: 0 };
    for (let i = 0; i < 2_000; i++) expect((await check(q, c, 'cluster/a', waits)).allowed).toBe(true);
    expect(waits.n).toBeLessThan(60);
  });

  it('never admits more than the limit across replicas, and refuses at most a batch per replica early', async () => {
    const limit = 100;
    const rule: QuotaRule = {
      name: 'shared',
      service: 'shop/cart',
      perService: { requests: limit, periodSeconds: 60 },
    };
    // Two replicas, each with its own connection and its own copy of the configuration.
    const replicas = [
      { q: await enforcer(), c: config({ ...rule }) },
      { q: await enforcer(), c: config({ ...rule }) },
    ];
    const waits = { n: 0 };
    const verdicts: QuotaDecision[] = [];
    for (let i = 0; i < 300; i++) {
      const r = replicas[i % 2]!;
      verdicts.push(await check(r.q, r.c, 'cluster/a', waits));
    }
    const allowed = verdicts.filter((v) => v.allowed).length;
    expect(allowed).toBeLessThanOrEqual(limit);
    expect(allowed).toBeGreaterThanOrEqual(limit - 2 * (limit / 50));
    const refused = verdicts.find((v) => !v.allowed);
    expect(refused).toMatchObject({ allowed: false, rule: 'shared', scope: 'service' });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(60);
    // Once a window is known to be used up, refusals are answered locally.
    const before = waits.n;
    for (let i = 0; i < 50; i++) await check(replicas[0]!.q, replicas[0]!.c, 'cluster/a', waits);
    expect(waits.n).toBe(before);
  });

  it('counts each caller identity on its own, a small quota exactly', async () => {
    const q = await enforcer();
    const c = config({ name: 'small', service: 'shop/cart', perCaller: { requests: 3, periodSeconds: 60 } });
    const waits = { n: 0 };
    const a = [];
    for (let i = 0; i < 5; i++) a.push((await check(q, c, 'cluster/a', waits)).allowed);
    expect(a).toEqual([true, true, true, false, false]);
    expect((await check(q, c, 'cluster/b', waits)).allowed).toBe(true);
  });

  it('keeps enforcing with each replica counting alone while Redis is unreachable', async () => {
    const port = await freePort();
    const down = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null });
    const q = new QuotaEnforcer(down, redis.prefix);
    const c = config({ name: 'down', service: 'shop/cart', perService: { requests: 3, periodSeconds: 60 } });
    const waits = { n: 0 };
    const a = [];
    for (let i = 0; i < 4; i++) a.push((await check(q, c, 'cluster/a', waits)).allowed);
    expect(a).toEqual([true, true, true, false]);
    down.disconnect();
  });
});
