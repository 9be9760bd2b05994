import type { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesClientFactory } from '../../../federation/runtime/kube-client-factory.js';
import { type ControlPlaneWorker, startWorker } from '../../../federation/runtime/worker.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';
import { exited, spawnWorker } from '../../support/worker-process.js';

const CLUSTERS = ['a', 'b'] as const;
/** A short lease, so a dead worker's watches are taken over within seconds. */
const LEASE_MS = 1_500;

const policy = {
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'everywhere' },
  spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }] },
};
const app = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'leases' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    },
  },
});

type ClusterStatus = { cluster: string; phase: string; readyReplicas?: number };

describe('one workload watch per member cluster across workers', () => {
  let cp: TestControlPlane;
  let redis: Redis;
  const inProcess: ControlPlaneWorker[] = [];
  /** How many clusters each in-process worker watches, in start order. */
  const watchedBy: (() => Promise<number>)[] = [];

  beforeAll(async () => {
    cp = await startTestControlPlane(
      CLUSTERS.map((name) => ({ name, provider: 'aws' as const, region: 'eu-west-1' })),
      { worker: false },
    );
    redis = cp.redis.connect();
  });
  afterAll(async () => {
    for (const w of inProcess) await w.close();
    await cp.close();
  });

  const holder = (cluster: string) =>
    redis.get(`{${cp.workerSettings.storePrefix}}:lease:workload-watch:${cluster}`);
  const holders = async () => Promise.all(CLUSTERS.map(holder));
  /** A worker in this process; no status checks, so readiness after a pass is the watch's to report. */
  const startInProcess = async () => {
    const metrics = new Registry();
    const worker = await startWorker({
      ...cp.workerSettings,
      resyncIntervalMs: 600_000,
      driftIntervalMs: 0,
      statusChecks: 0,
      watchLeaseMs: LEASE_MS,
      metrics,
      log: pino({ level: process.env.FEDGATE_TEST_LOG ?? 'silent' }),
      clientFactory: kubernetesClientFactory(),
    });
    inProcess.push(worker);
    const watched = async () =>
      (await metrics.getSingleMetric('fedgate_workload_watch_clusters')?.get())?.values[0]?.value ?? 0;
    watchedBy.push(watched);
    return { worker, watched };
  };
  const readyEverywhere = async (name: string) => {
    const r = await cp.request(
      'GET',
      `/api/v1/namespaces/leases/objects/Binding.v1alpha1.fedgate.dev/${name}-deployment`,
    );
    const clusters = (r.body as { status?: { clusters?: ClusterStatus[] } }).status?.clusters ?? [];
    return clusters.length === CLUSTERS.length && clusters.every((c) => c.readyReplicas === 2);
  };

  it('takes over the watches of a SIGKILLed worker once its leases expire', async () => {
    const dead = spawnWorker({
      redisUrl: cp.redis.url,
      storePrefix: cp.workerSettings.storePrefix!,
      queuePrefix: cp.workerSettings.queuePrefix!,
      extraArgs: ['--watch-lease', String(LEASE_MS)],
    });
    const ofDead = `-${dead.pid}-`;
    try {
      await waitFor(
        'the process worker to watch every cluster',
        async () => (await holders()).every((h) => h?.includes(ofDead)),
        60_000,
        100,
      );
      const live = await startInProcess();
      // Several lease rounds: the leases stay with the process worker, the other watches nothing.
      await new Promise((r) => setTimeout(r, 2 * LEASE_MS));
      expect(await live.watched()).toBe(0);
      expect((await holders()).every((h) => h?.includes(ofDead))).toBe(true);

      dead.kill('SIGKILL');
      await exited(dead);
      await waitFor(
        'the live worker to watch every cluster',
        async () => (await live.watched()) === 2,
        20_000,
      );
      const ofLive = `-${process.pid}-`;
      expect((await holders()).every((h) => h?.includes(ofLive))).toBe(true);

      // Its watches report readiness: nothing else would (no status checks, no resync).
      expect((await cp.apply([policy, app('after-crash')])).status).toBe(200);
      await waitFor('after-crash ready in both clusters', () => readyEverywhere('after-crash'), 30_000);
    } finally {
      if (dead.exitCode === null && dead.signalCode === null) dead.kill('SIGKILL');
    }
  }, 120_000);

  it('hands the watches to another worker at once when their holder closes', async () => {
    const [first] = inProcess;
    const second = await startInProcess();
    await new Promise((r) => setTimeout(r, 2 * LEASE_MS));
    expect(await second.watched()).toBe(0);
    const before = await holders();

    await first!.close();
    inProcess.splice(inProcess.indexOf(first!), 1);
    await waitFor(
      'the second worker to watch every cluster',
      async () => (await second.watched()) === 2,
      20_000,
    );
    const after = await holders();
    expect(after.every((h, i) => h !== null && h !== before[i])).toBe(true);

    expect((await cp.apply([app('after-close')])).status).toBe(200);
    await waitFor('after-close ready in both clusters', () => readyEverywhere('after-close'), 30_000);
  }, 60_000);
  it('lets go of a cluster that is not Ready (watch stopped, lease released) and takes it back when Ready', async () => {
    // The worker left from the test before: it watches both clusters.
    const watchedNow = watchedBy.at(-1)!;
    await cp.sims.get('b')!.faults.down(true);
    try {
      await waitFor(
        'b let go',
        async () => (await watchedNow()) === 1 && (await holder('b')) === null,
        30_000,
      );
      expect(await holder('a')).not.toBeNull();
    } finally {
      await cp.sims.get('b')!.faults.down(false);
    }
    await waitFor(
      'b watched again',
      async () => (await watchedNow()) === 2 && (await holder('b')) !== null,
      30_000,
    );
  }, 60_000);
});
