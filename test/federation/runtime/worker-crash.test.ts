import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../federation/runtime/free-port.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';
import { exited, spawnWorker } from '../../support/worker-process.js';

const CLUSTERS = ['a', 'b', 'c'] as const;
const APPS = 12;

const policy = {
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'all' },
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
    replicaScheduling: {
      type: 'Divided',
      division: 'StaticWeights',
      staticWeights: [{ targetCluster: {}, weight: 1 }],
    },
  },
};
const app = (i: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: `app-${i}`, namespace: 'crash' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: `app-${i}` } },
    template: {
      metadata: { labels: { app: `app-${i}` } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    },
  },
});

describe('workers as separate processes', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane(
      CLUSTERS.map((name) => ({ name, provider: 'aws' as const, region: 'eu-west-1' })),
      { worker: false },
    );
  });
  afterAll(() => cp.close());

  const placedEverywhere = () =>
    CLUSTERS.every((c) =>
      Array.from({ length: APPS }, (_, i) =>
        cp.sims.get(c)!.object('apps/v1/deployments', 'crash', `app-${i}`),
      ).every((d) => (d as { spec?: { replicas?: number } } | undefined)?.spec?.replicas === 1),
    );

  it('converge after a worker is SIGKILLed in the middle of its jobs', async () => {
    const props = {
      redisUrl: cp.redis.url,
      storePrefix: cp.workerSettings.storePrefix!,
      queuePrefix: cp.workerSettings.queuePrefix!,
    };
    // Slow clusters keep the first worker's propagation jobs in flight when it dies.
    for (const sim of cp.sims.values()) sim.faults.latencyMs(400);
    const first = spawnWorker({ ...props, extraArgs: ['--propagation-concurrency', '2'] });
    // Apply once the worker has seen every cluster Ready: a template placed while only some are Ready
    // moves again when the others join, and this test is about crashes, not about that move.
    await waitFor(
      'every member cluster Ready',
      async () => {
        const res = await cp.request('GET', '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev');
        const items = (
          res.body as { items: { status?: { conditions?: { type: string; status: string }[] } }[] }
        ).items;
        return (
          items.length === CLUSTERS.length &&
          items.every((mc) => mc.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        );
      },
      60_000,
      100,
    );
    expect((await cp.apply([policy, ...Array.from({ length: APPS }, (_, i) => app(i))])).status).toBe(200);
    await waitFor(
      'the first worker to be mid-way',
      () => CLUSTERS.some((c) => cp.sims.get(c)!.objects('apps/v1/deployments', 'crash').length > 0),
      60_000,
    );
    first.kill('SIGKILL');
    await exited(first);
    expect(placedEverywhere()).toBe(false);

    for (const sim of cp.sims.values()) sim.faults.latencyMs(0);
    const second = spawnWorker(props);
    try {
      await waitFor('every app in every cluster', placedEverywhere, 60_000, 200);
    } finally {
      second.kill('SIGTERM');
      const code = await exited(second);
      expect(code, second.output()).toBe(0);
    }
  }, 150_000);

  it('give the same result with three workers as with one', async () => {
    const props = {
      redisUrl: cp.redis.url,
      storePrefix: cp.workerSettings.storePrefix!,
      queuePrefix: cp.workerSettings.queuePrefix!,
    };
    const workers = [spawnWorker(props), spawnWorker(props), spawnWorker(props)];
    try {
      const scaled = Array.from({ length: APPS }, (_, i) => ({
        ...app(i),
        spec: { ...app(i).spec, replicas: 6 },
      }));
      expect((await cp.apply(scaled)).status).toBe(200);
      await waitFor(
        'every app at 2 replicas per cluster',
        () =>
          CLUSTERS.every(
            (c) =>
              cp.sims
                .get(c)!
                .objects('apps/v1/deployments', 'crash')
                .filter((d) => (d as { spec?: { replicas?: number } }).spec?.replicas === 2).length === APPS,
          ),
        60_000,
        200,
      );
      const bindings = await cp.request(
        'GET',
        '/api/v1/namespaces/crash/objects/Binding.v1alpha1.fedgate.dev',
      );
      const items = (
        bindings.body as { items: { spec: { clusters: { name: string; replicas: number }[] } }[] }
      ).items;
      expect(items).toHaveLength(APPS);
      for (const b of items) expect(b.spec.clusters).toEqual(CLUSTERS.map((name) => ({ name, replicas: 2 })));
    } finally {
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map(exited));
    }
  }, 120_000);

  it('serve their job metrics for Prometheus when given --metrics-port', async () => {
    const port = await freePort();
    const worker = spawnWorker({
      redisUrl: cp.redis.url,
      storePrefix: cp.workerSettings.storePrefix!,
      queuePrefix: cp.workerSettings.queuePrefix!,
      extraArgs: ['--metrics-port', String(port)],
    });
    try {
      expect(
        (await cp.apply([{ ...app(99), metadata: { name: 'metered', namespace: 'crash' } }])).status,
      ).toBe(200);
      const text = await waitFor(
        'placement and propagation jobs counted on /metrics',
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/metrics`);
          const body = await res.text();
          return /fedgate_jobs_total\{queue="placement",outcome="completed"\} [1-9]/.test(body) &&
            /fedgate_jobs_total\{queue="propagation",outcome="completed"\} [1-9]/.test(body)
            ? body
            : undefined;
        },
        60_000,
        200,
      );
      expect(text).toContain('# TYPE fedgate_job_duration_seconds histogram');
      expect(text).toContain('process_cpu_seconds_total');
    } finally {
      worker.kill('SIGTERM');
      expect(await exited(worker), worker.output()).toBe(0);
    }
  }, 120_000);
});
