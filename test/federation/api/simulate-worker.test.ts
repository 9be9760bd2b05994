import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CurrentState, readCurrentState } from '../../../federation/api/simulation.js';
import { SimulationRunner } from '../../../federation/api/simulation-runner.js';
import { type ApiHarness, apiHarness } from './harness.js';

const REGIONS = ['eu-central-1', 'eu-west-1', 'us-east-1', 'us-west-2', 'ap-southeast-1'];

const memberCluster = (name: string, region: string, status?: unknown) => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'MemberCluster',
  metadata: { name },
  spec: { provider: 'aws', region, connection: { server: 'https://127.0.0.1:6443' } },
  ...(status === undefined ? {} : { status }),
});

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '100m' } } }] },
    },
  },
});

const spreadPolicy = {
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'all' },
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
    replicaScheduling: { type: 'Divided', division: 'CostOptimized' },
    spreadConstraints: [{ spreadByField: 'region', minGroups: 2 }],
  },
};

describe('simulations run off the request thread', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('/healthz keeps answering while a large simulation runs', async () => {
    const fleet = Array.from({ length: 600 }, (_, i) => memberCluster(`c${i}`, REGIONS[i % REGIONS.length]!));
    const templates = Array.from({ length: 1500 }, (_, i) => deployment(`app${i}`, 3 + (i % 7)));
    let finished = false;
    const simulation = h
      .call({
        method: 'POST',
        url: '/api/v1/simulate',
        payload: { policies: [spreadPolicy], fleet, templates },
      })
      .finally(() => {
        finished = true;
      });
    // A simulation on the event loop would hold every health check until it ends.
    let answeredDuring = 0;
    while (!finished) {
      const res = await h.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      if (!finished) answeredDuring++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const res = await simulation;
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().totals.templates).toBe(1500);
    expect(answeredDuring).toBeGreaterThanOrEqual(5);
  }, 180_000);

  it('carries per-template explanations when asked, and treats a fleet status without conditions as Ready', async () => {
    const fleet = [
      memberCluster('bare', 'eu-central-1'),
      memberCluster('capacity-only', 'eu-west-1', {
        allocatable: { cpuMilli: 8000, memoryBytes: 2 ** 34, pods: 110 },
      }),
      memberCluster('down', 'us-east-1', {
        conditions: [{ type: 'Ready', status: 'False', reason: 'Probe', message: 'unreachable' }],
      }),
    ];
    const policy = {
      ...spreadPolicy,
      spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }] },
    };
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/simulate',
      payload: { policies: [policy], fleet, templates: [deployment('web', 2)], explain: true },
    });
    expect(res.statusCode, res.body).toBe(200);
    const [web] = res.json().templates;
    expect(web.after.clusters.map((c: { name: string }) => c.name)).toEqual(['bare', 'capacity-only']);
    expect(web.explanation.placement.map((c: { name: string }) => c.name)).toEqual(['bare', 'capacity-only']);
    expect(web.explanation.residency).toEqual({ status: 'None', reason: 'policy all declares no residency' });
    expect(web.explanation.rejected).toEqual([
      expect.objectContaining({ plugin: 'ClusterReady', clusters: ['down'] }),
    ]);
    const plain = await h.call({
      method: 'POST',
      url: '/api/v1/simulate',
      payload: { policies: [policy], fleet, templates: [deployment('web', 2)] },
    });
    expect(plain.json().templates[0].explanation).toBeUndefined();
  }, 120_000);
});

describe('SimulationRunner', () => {
  it('keeps the event loop turning while it simulates, and bounds the worker heap', async () => {
    const h = await apiHarness();
    const runner = new SimulationRunner();
    try {
      const state: CurrentState = await readCurrentState(h.store);
      const fleet = Array.from({ length: 600 }, (_, i) =>
        memberCluster(`c${i}`, REGIONS[i % REGIONS.length]!),
      );
      const templates = Array.from({ length: 1500 }, (_, i) => deployment(`app${i}`, 3 + (i % 7)));
      let finished = false;
      // Validation happens before the first await; everything after runs in the worker. A what-if
      // on this thread would finish before the loop below could turn even once.
      const running = runner
        .run(state, { policies: [spreadPolicy], fleet, templates }, Date.now())
        .finally(() => {
          finished = true;
        });
      let turns = 0;
      while (!finished) {
        await new Promise((r) => setTimeout(r, 10));
        if (!finished) turns++;
      }
      const answer = await running;
      expect(answer.totals.templates).toBe(1500);
      expect(turns).toBeGreaterThanOrEqual(3);
      // A worker whose heap bound is too small for the simulation fails alone, naming the bound.
      const tiny = new SimulationRunner({ maxMemoryMb: 16 });
      try {
        await expect(
          tiny.run(state, { policies: [spreadPolicy], fleet, templates }, Date.now()),
        ).rejects.toThrow(/memory bound of 16 MiB/);
      } finally {
        await tiny.close();
      }
    } finally {
      await runner.close();
      await h.close();
    }
  }, 240_000);
});

describe('a request body over the limit', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ bodyLimitBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await h.close();
  });

  it('is refused with the limit named and, for simulate, how to pass large inputs', async () => {
    const templates = Array.from({ length: 400 }, (_, i) => deployment(`app${i}`, 1));
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/simulate',
      payload: { policies: [], templates },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PayloadTooLarge');
    expect(res.json().message).toContain("larger than the server's limit of 0.1 MiB (65536 bytes)");
    expect(res.json().message).toContain('omit "templates" to simulate every stored template');
    const apply = await h.call({ method: 'POST', url: '/api/v1/apply', payload: { items: templates } });
    expect(apply.statusCode).toBe(413);
    expect(apply.json().message).toContain('65536 bytes');
  });
});
