import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_DEFERRED_CHECK,
  WatchedStatusChecks,
} from '../../../federation/reconcile/watched-status-checks.js';
import type { BindingClusterStatus } from '../../../federation/resources/binding.js';
import { BINDING_TYPE } from '../../../federation/resources/kinds.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import { type TestRedis, testRedis } from '../../support/redis.js';

describe('WatchedStatusChecks', () => {
  let redis: TestRedis;
  let conn: Redis;
  let store: ResourceStore;
  let checks: WatchedStatusChecks;
  const T0 = 1_764_000_000_000;
  const key = (name: string) => ({ type: BINDING_TYPE, namespace: 'shop', name });
  const binding = (name: string) => ({
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'Binding',
    metadata: { name, namespace: 'shop' },
    spec: { resource: {}, clusters: [{ name: 'c1', replicas: 2 }] },
  });
  const status = (ready: number): BindingClusterStatus => ({
    cluster: 'c1',
    phase: 'Applied',
    replicas: 2,
    readyReplicas: ready,
    lastUpdateTime: new Date(T0).toISOString(),
  });

  beforeAll(async () => {
    redis = testRedis();
    conn = redis.connect();
    store = new ResourceStore(conn, { prefix: redis.prefix });
    checks = new WatchedStatusChecks(conn, store.keys);
    for (const name of ['ready', 'late', 'gone-status', 'again'])
      await store.create(key(name), binding(name));
  });
  afterAll(() => redis.close());

  it('keeps one check per binding and cluster, with its number and due time', async () => {
    await checks.defer('c1', key('late'), 3, 15_000, T0);
    await checks.defer('c1', key('late'), 1, 15_000, T0 + 1_000); // a new pass: starts over
    await checks.defer('c2', key('late'), MAX_DEFERRED_CHECK, 60_000, T0);
    expect(await checks.pending('c1')).toEqual([
      { namespace: 'shop', binding: 'late', check: 1, dueAt: T0 + 16_000 },
    ]);
    expect(await checks.pending('c2')).toEqual([
      { namespace: 'shop', binding: 'late', check: MAX_DEFERRED_CHECK, dueAt: T0 + 60_000 },
    ]);
    expect(await checks.count(['c1', 'c2', 'c3'])).toBe(2);
    await expect(checks.defer('c1', key('late'), MAX_DEFERRED_CHECK + 1, 1, T0)).rejects.toThrow(RangeError);
  });

  it('takes only due checks: ready ones are done, the others become status passes of that cluster', async () => {
    await store.setClusterStatus(key('ready'), 'c1', status(2));
    await store.setClusterStatus(key('late'), 'c1', status(1));
    await checks.defer('c1', key('ready'), 1, 15_000, T0);
    await checks.defer('c1', key('gone-status'), 2, 15_000, T0);
    expect(await checks.takeDue('c1', T0 + 14_999)).toBeUndefined();

    const due = await checks.takeDue('c1', T0 + 16_000);
    expect(due?.jobs.map((j) => [j.name, j.queue, j.data])).toEqual([
      ['status', 'propagation', { namespace: 'shop', binding: 'gone-status', cluster: 'c1', statusCheck: 2 }],
      ['status', 'propagation', { namespace: 'shop', binding: 'late', cluster: 'c1', statusCheck: 1 }],
    ]);
    // Nothing is removed until the jobs are queued.
    expect(await checks.count(['c1'])).toBe(3);
    await due!.settle();
    expect(await checks.pending('c1')).toEqual([]);
  });

  it('leaves a check deferred again while the due one was being taken', async () => {
    await store.setClusterStatus(key('again'), 'c1', status(0));
    await checks.defer('c1', key('again'), 1, 15_000, T0);
    const due = await checks.takeDue('c1', T0 + 15_000);
    expect(due?.jobs).toHaveLength(1);
    await checks.defer('c1', key('again'), 1, 15_000, T0 + 10_000); // a new pass meanwhile
    await due!.settle();
    expect(await checks.pending('c1')).toEqual([
      { namespace: 'shop', binding: 'again', check: 1, dueAt: T0 + 25_000 },
    ]);
  });

  it('takes at most 500 due checks a round, and removes only those it took', async () => {
    for (let i = 0; i < 501; i++) await checks.defer('c9', key(`many-${i}`), 1, 15_000, T0);
    const due = await checks.takeDue('c9', T0 + 15_000);
    expect(due?.jobs).toHaveLength(500);
    await due!.settle();
    expect(await checks.count(['c9'])).toBe(1);
    const rest = await checks.takeDue('c9', T0 + 15_000);
    expect(rest?.jobs).toHaveLength(1);
    await rest!.settle();
    expect(await checks.count(['c9'])).toBe(0);
  });
});
