import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterLeases } from '../../../federation/reconcile/cluster-leases.js';
import { type TestRedis, testRedis } from '../../support/redis.js';
import { waitFor } from '../../support/wait-for.js';

describe('ClusterLeases', () => {
  let redis: TestRedis;
  let conn: Redis;
  const leases = (owner: string, ttlMs = 10_000) =>
    new ClusterLeases(conn, `{${redis.prefix}}:lease:test`, owner, ttlMs);

  beforeAll(() => {
    redis = testRedis();
    conn = redis.connect();
  });
  afterAll(() => redis.close());

  it('lets one owner hold a cluster; the others cannot take, renew or release it', async () => {
    const a = leases('worker-a');
    const b = leases('worker-b');
    expect(await a.acquire('c1')).toBe(true);
    expect(await a.acquire('c1')).toBe(true); // already ours
    expect(await b.acquire('c1')).toBe(false);
    expect(await b.renew('c1')).toBe(false);
    await b.release('c1');
    expect(await a.holder('c1')).toBe('worker-a');
    expect(await a.renew('c1')).toBe(true);
    // Other clusters are independent.
    expect(await b.acquire('c2')).toBe(true);
  });

  it('hands a released lease to the next owner at once', async () => {
    const a = leases('worker-a');
    const b = leases('worker-b');
    expect(await a.acquire('c3')).toBe(true);
    await a.release('c3');
    expect(await b.acquire('c3')).toBe(true);
    expect(await a.renew('c3')).toBe(false);
    expect(await b.holder('c3')).toBe('worker-b');
  });

  it('tells whether every one of some clusters is marked current, and only the marker unmarks', async () => {
    const a = leases('worker-a');
    const b = leases('worker-b');
    expect(await a.allCurrent(['m1', 'm2'])).toBe(false);
    await a.markCurrent('m1', true);
    expect(await b.allCurrent(['m1'])).toBe(true);
    expect(await b.allCurrent(['m1', 'm2'])).toBe(false);
    expect(await b.allCurrent([])).toBe(false);
    await b.markCurrent('m1', false); // not b's mark
    expect(await b.allCurrent(['m1'])).toBe(true);
    await a.markCurrent('m1', false);
    expect(await b.allCurrent(['m1'])).toBe(false);
  });

  it('gives the lease of an owner that stopped renewing to another after the TTL, never before', async () => {
    const a = leases('worker-a', 2_000);
    const b = leases('worker-b', 2_000);
    expect(await a.acquire('c4')).toBe(true);
    expect(await b.acquire('c4')).toBe(false);
    // A renewal keeps it past the first TTL.
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await a.renew('c4')).toBe(true);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await b.acquire('c4')).toBe(false);
    // a dies (no more renewals): b gets it once the TTL has passed.
    await waitFor('b takes the expired lease', () => b.acquire('c4'), 10_000, 100);
    expect(await a.renew('c4')).toBe(false);
    expect(await a.holder('c4')).toBe('worker-b');
  });
});
