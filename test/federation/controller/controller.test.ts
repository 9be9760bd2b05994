import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesClientFactory } from '../../../federation/runtime/kube-client-factory.js';
import { type ControlPlaneWorker, startWorker } from '../../../federation/runtime/worker.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import { type TestRedis, testRedis } from '../../support/redis.js';
import { waitFor } from '../../support/wait-for.js';
import { echoController } from './echo/index.js';

describe('a controller added to a worker', () => {
  let redis: TestRedis;
  let worker: ControlPlaneWorker;
  let store: ResourceStore;
  const key = () => `${redis.prefix}:echo`;

  beforeAll(async () => {
    redis = testRedis();
    worker = await startWorker({
      redisUrl: redis.url,
      storePrefix: redis.prefix,
      queuePrefix: `{${redis.prefix}q}`,
      log: pino({ level: process.env.FEDGATE_TEST_LOG ?? 'silent' }),
      clientFactory: kubernetesClientFactory(),
      resyncIntervalMs: 600_000,
      driftIntervalMs: 0,
      controllers: [echoController(`${redis.prefix}:echo`)],
    });
    store = new ResourceStore(redis.connect(), { prefix: redis.prefix });
  });
  afterAll(async () => {
    await worker?.close();
    await redis.close();
  });

  it('gets the changes it watches as jobs on its own queue, requeues and follows up as its outcome asks', async () => {
    const conn = redis.connect();
    await store.create(
      { type: 'ConfigMap.v1', namespace: 'shop', name: 'settings' },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'shop' },
        data: { a: '1' },
      },
    );
    await waitFor('echo passes', async () => (await conn.llen(`${key()}:passes`)) >= 3);
    const passes = await conn.lrange(`${key()}:passes`, 0, -1);
    expect(passes[0]).toBe('settings:0');
    expect([...passes].sort()).toEqual(['follow:settings', 'settings:0', 'settings:1']);
    // Its queue is open beside the control plane's, with the options it declared.
    expect(worker.queues.names()).toContain('echo');
    const jobs = await worker.queues.get('echo').getJobs(['completed']);
    expect(jobs.find((j) => j.name === 'echo')?.opts.attempts).toBe(2);
  });

  it('runs its schedule', async () => {
    const conn = redis.connect();
    await waitFor('two ticks', async () => Number((await conn.get(`${key()}:ticks`)) ?? 0) >= 2);
  });

  it('refuses two controllers claiming the same job of a queue', async () => {
    await expect(
      startWorker({
        redisUrl: redis.url,
        storePrefix: redis.prefix,
        queuePrefix: `{${redis.prefix}q}`,
        log: pino({ level: 'silent' }),
        clientFactory: kubernetesClientFactory(),
        controllers: [echoController('a'), { ...echoController('b'), name: 'echo-2' }],
      }),
    ).rejects.toThrow(/owned by echo and echo-2/);
  });
});
