/**
 * Failover and stability end to end: real Redis, API and worker, simulated member clusters.
 * A cluster hosting a Divided Deployment goes down; after the policy's (short) toleration the
 * replicas move, the Binding and the explanation say why, and the old copy is removed as the
 * policy's failover mode says (Graceful: once the new copies are ready; Immediate: at once; purge
 * Never: kept). When the cluster comes back nothing moves back and nothing is rewritten, and a
 * cluster that joins moves nothing unless its gain passes stability.minScoreGain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlacementJob } from '../../../federation/queue/queues.js';
import type { KubeObject } from '../../../federation/resources/kube-object.js';
import { type KubeSim, startKubeSim } from '../../../sim/kubernetes/index.js';
import {
  memberCluster,
  startTestControlPlane,
  type TestCluster,
  type TestControlPlane,
} from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const TYPE = 'Deployment.v1.apps';
const BINDING_PATH = '/api/v1/namespaces/shop/objects/Binding.v1alpha1.fedgate.dev/web-deployment';
const DEPLOYMENTS = 'apps/v1/deployments';

// a and b are the cheapest (placed first); c is a hair dearer (the replacement, and close enough
// that coming back is not worth a move); d is much dearer.
const GIB_HOUR = 0.005;
const FLEET = (slowReadyMs = 10): TestCluster[] => [
  { name: 'a', provider: 'aws', region: 'eu-west-1', cost: { vcpuHour: 0.04, gibHour: GIB_HOUR } },
  { name: 'b', provider: 'gcp', region: 'europe-west1', cost: { vcpuHour: 0.04, gibHour: GIB_HOUR } },
  {
    name: 'c',
    provider: 'azure',
    region: 'westeurope',
    cost: { vcpuHour: 0.041, gibHour: GIB_HOUR },
    podReadyDelayMs: slowReadyMs,
  },
  { name: 'd', provider: 'aws', region: 'us-east-1', cost: { vcpuHour: 0.06, gibHour: GIB_HOUR } },
];

type Failover = { tolerationSeconds?: number; mode?: 'Graceful' | 'Immediate'; purgeMode?: string };

const policy = (failover: Failover, label = 'v1') => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'web', labels: { rev: label } },
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop' }],
    replicaScheduling: {
      type: 'Divided',
      division: 'StaticWeights',
      staticWeights: [{ targetCluster: {}, weight: 1 }],
    },
    spreadConstraints: [{ spreadByField: 'cluster', minGroups: 2, maxGroups: 2 }],
    objectives: { cost: 100 },
    failover,
  },
});

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    replicas: 6,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
        ],
      },
    },
  },
};

interface Binding {
  metadata: { resourceVersion: string; generation: number };
  spec: {
    clusters: { name: string; replicas?: number }[];
    evictions?: { cluster: string; reason: string; purgeMode?: string }[];
  };
  status?: {
    observedGeneration?: number;
    explanation?: { stability?: { decision: string; reason: string } };
    clusters?: { cluster: string; phase: string; replicas?: number; readyReplicas?: number }[];
  };
}

type Deployment = KubeObject & {
  spec: { replicas: number };
  status?: { readyReplicas?: number };
};

/** Test helpers bound to one control plane. */
function helpers(cp: () => TestControlPlane, extra: () => Map<string, KubeSim> = () => new Map()) {
  const sims = () => new Map([...cp().sims, ...extra()]);
  const object = (cluster: string) =>
    sims().get(cluster)?.object(DEPLOYMENTS, 'shop', 'web') as Deployment | undefined;
  const h = {
    object,
    /** replicas per cluster that holds shop/web */
    placed() {
      const out: Record<string, number> = {};
      for (const name of sims().keys()) {
        const d = object(name);
        if (d) out[name] = d.spec.replicas;
      }
      return out;
    },
    async binding(): Promise<Binding> {
      const r = await cp().request('GET', BINDING_PATH);
      if (r.status !== 200) throw new Error(`binding: HTTP ${r.status}`);
      return r.body as Binding;
    },
    async explain(): Promise<Binding> {
      const r = await cp().request('GET', `/api/v1/explain/${TYPE}/shop/web`);
      if (r.status !== 200) throw new Error(`explain: HTTP ${r.status}`);
      return r.body as Binding;
    },
    clustersOf: (b: Binding) => b.spec.clusters.map((c) => `${c.name}=${c.replicas}`).join(','),
    /** Every cluster of the binding reports its replicas ready, in the Binding and in the sim. */
    async ready(): Promise<Binding | false> {
      const b = await h.binding();
      const statuses = new Map((b.status?.clusters ?? []).map((s) => [s.cluster, s]));
      const ok =
        b.spec.clusters.length > 0 &&
        b.spec.clusters.every((c) => {
          const s = statuses.get(c.name);
          const d = object(c.name);
          return (
            s?.phase === 'Applied' &&
            (s.readyReplicas ?? 0) >= (c.replicas ?? 0) &&
            d?.spec.replicas === c.replicas &&
            (d?.status?.readyReplicas ?? 0) >= (c.replicas ?? 0)
          );
        });
      return ok && b;
    },
    async clusterReady(name: string, status: 'True' | 'Unknown'): Promise<void> {
      await waitFor(`cluster ${name} Ready=${status}`, async () => {
        const r = await cp().request('GET', `/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev/${name}`);
        const mc = r.body as { status?: { conditions?: { type: string; status: string }[] } };
        return mc.status?.conditions?.find((c) => c.type === 'Ready')?.status === status;
      });
    },
    /** Runs one placement pass of shop/web now, and waits for it and the work it queued. */
    async pass(tag: string): Promise<void> {
      const w = cp().worker!;
      const data: PlacementJob = { type: TYPE, namespace: 'shop', name: 'web', trigger: `-test${tag}` };
      const job = await w.queues.placement.add('place', data, { jobId: `test-${tag}-${Date.now()}` });
      await waitFor(`placement pass ${tag}`, async () => (await job.getState()) === 'completed');
      await h.settled();
    },
    /** Runs garbage collection of one cluster now and waits for it. */
    async gc(cluster: string): Promise<void> {
      const w = cp().worker!;
      const job = await w.queues.maintenance.add(
        'gc',
        { kind: 'gc', cluster },
        { jobId: `test-gc-${cluster}-${Date.now()}` },
      );
      await waitFor(`gc ${cluster}`, async () => (await job.getState()) === 'completed');
    },
    /** No placement or propagation job is waiting or running. */
    async settled(): Promise<void> {
      const q = cp().worker!.queues;
      await waitFor('queues settled', async () => {
        const [p, g] = await Promise.all([
          q.placement.getJobCounts('waiting', 'active', 'prioritized'),
          q.propagation.getJobCounts('waiting', 'active', 'prioritized'),
        ]);
        return Object.values(p).every((n) => n === 0) && Object.values(g).every((n) => n === 0);
      });
    },
    /** resourceVersion of shop/web in each cluster that holds it. */
    versions(): Record<string, string> {
      const out: Record<string, string> = {};
      for (const name of sims().keys()) {
        const rv = object(name)?.metadata.resourceVersion;
        if (rv) out[name] = rv;
      }
      return out;
    },
  };
  return h;
}

describe('failover: Graceful keeps the old copy until the new one is ready', () => {
  let cp: TestControlPlane;
  const h = helpers(() => cp);
  beforeAll(async () => {
    // c is the replacement; its pods take a while to be ready, which is the window graceful covers.
    cp = await startTestControlPlane(FLEET(8_000));
  });
  afterAll(() => cp?.close());

  it('places the Divided Deployment on the two cheapest clusters', async () => {
    expect((await cp.apply([policy({ tolerationSeconds: 2 }), deployment])).status).toBe(200);
    const b = await waitFor('placed on a and b, ready', () => h.ready());
    expect(h.clustersOf(b)).toBe('a=3,b=3');
    expect(h.placed()).toEqual({ a: 3, b: 3 });
  });

  it('moves the replicas of a cluster that goes down once the toleration runs out, and says why', async () => {
    await cp.sims.get('a')!.faults.down(true);
    await h.clusterReady('a', 'Unknown');
    const b = await waitFor('a evicted', async () => {
      const x = await h.binding();
      return h.clustersOf(x) === 'b=3,c=3' && x;
    });
    expect(b.spec.evictions).toEqual([
      expect.objectContaining({ cluster: 'a', reason: expect.stringMatching(/toleration expired/) }),
    ]);
    // Re-placed: the Binding's generation moved on, and its status says it observed it.
    expect(b.metadata.generation).toBeGreaterThan(1);
    expect(b.status?.observedGeneration).toBe(b.metadata.generation);
    // The pass that evicted says "toleration expired"; a later pass (a no longer in the previous
    // placement) rejects a as NotReady. Either way the explanation names a and why; the eviction
    // itself, with its reason, stays in spec.evictions (checked above).
    const explained = JSON.stringify((await h.explain()).status?.explanation);
    expect(explained).toMatch(/toleration expired|cluster is NotReady/);
    expect(explained).toContain('"a"');
  });

  it('keeps the old copy, listed in evictions, while the new copies are not ready', async () => {
    await cp.sims.get('a')!.faults.down(false);
    await h.clusterReady('a', 'True');
    // Another pass (the cluster came back) must neither move back nor forget the eviction.
    await h.pass('back');
    const b = await h.binding();
    expect(h.clustersOf(b)).toBe('b=3,c=3');
    expect(b.spec.evictions?.map((e) => e.cluster)).toEqual(['a']);
    expect(await h.ready()).toBe(false);
    expect(h.object('a')?.spec.replicas).toBe(3);
  });

  it('removes the old copy once the new copies are ready, and drops the eviction', async () => {
    await waitFor('replacement ready', () => h.ready(), 30_000);
    await waitFor('old copy pruned', () => h.object('a') === undefined);
    await h.pass('after-ready');
    const b = await h.binding();
    expect(b.spec.evictions ?? []).toEqual([]);
    expect(h.placed()).toEqual({ b: 3, c: 3 });
  });

  it('does not flap back or rewrite anything when the cluster is healthy again', async () => {
    await h.settled();
    const before = h.versions();
    const generation = (await h.binding()).metadata.generation;
    await h.pass('steady-1');
    await h.gc('a');
    await h.pass('steady-2');
    const b = await h.binding();
    expect(h.clustersOf(b)).toBe('b=3,c=3');
    expect(h.versions()).toEqual(before);
    expect(b.metadata.generation).toBe(generation);
    const stability = (await h.explain()).status?.explanation?.stability;
    expect(stability?.decision).toBe('Kept');
  });
});

describe('failover: Immediate removes the old copy at once', () => {
  let cp: TestControlPlane;
  const h = helpers(() => cp);
  beforeAll(async () => {
    cp = await startTestControlPlane(FLEET(8_000));
  });
  afterAll(() => cp?.close());

  it('prunes the evicted copy as soon as the cluster is reachable, without waiting for the replacement', async () => {
    expect((await cp.apply([policy({ tolerationSeconds: 2, mode: 'Immediate' }), deployment])).status).toBe(
      200,
    );
    await waitFor('placed on a and b, ready', () => h.ready());
    await cp.sims.get('a')!.faults.down(true);
    const b = await waitFor('a evicted', async () => {
      const x = await h.binding();
      return h.clustersOf(x) === 'b=3,c=3' && x;
    });
    expect(b.spec.evictions).toEqual([expect.objectContaining({ cluster: 'a', purgeMode: 'Immediately' })]);
    await cp.sims.get('a')!.faults.down(false);
    await waitFor('old copy pruned', () => h.object('a') === undefined);
    // Pruned before the replacement's pods were ready: Immediate does not wait.
    expect(await h.ready()).toBe(false);
    await waitFor('replacement ready', () => h.ready(), 30_000);
    expect(h.placed()).toEqual({ b: 3, c: 3 });
  });
});

describe('failover: purgeMode Never keeps the old object', () => {
  let cp: TestControlPlane;
  const h = helpers(() => cp);
  beforeAll(async () => {
    cp = await startTestControlPlane(FLEET());
  });
  afterAll(() => cp?.close());

  it('moves the replicas but leaves the old copy when the cluster comes back', async () => {
    expect((await cp.apply([policy({ tolerationSeconds: 2, purgeMode: 'Never' }), deployment])).status).toBe(
      200,
    );
    await waitFor('placed on a and b, ready', () => h.ready());
    await cp.sims.get('a')!.faults.down(true);
    await waitFor('a evicted', async () => h.clustersOf(await h.binding()) === 'b=3,c=3');
    await waitFor('replacement ready', () => h.ready());
    await cp.sims.get('a')!.faults.down(false);
    await h.clusterReady('a', 'True');
    await h.settled();
    const before = h.versions();
    await h.pass('back');
    await h.gc('a');
    const b = await h.binding();
    expect(h.clustersOf(b)).toBe('b=3,c=3');
    expect(b.spec.evictions).toEqual([expect.objectContaining({ cluster: 'a', purgeMode: 'Never' })]);
    expect(h.object('a')?.spec.replicas).toBe(3);
    expect(h.versions()).toEqual(before);
  });
});

describe('stability: a cluster that joins', () => {
  let cp: TestControlPlane;
  const joined = new Map<string, KubeSim>();
  const h = helpers(
    () => cp,
    () => joined,
  );
  beforeAll(async () => {
    cp = await startTestControlPlane(FLEET());
  });
  afterAll(async () => {
    await cp?.close();
    await Promise.all([...joined.values()].map((s) => s.close()));
  });

  const join = async (c: TestCluster) => {
    const sim = await startKubeSim({
      name: c.name,
      nodes: [{ name: `${c.name}-node-1`, cpu: '16', memory: '64Gi', pods: 220 }],
      podReadyDelayMs: c.podReadyDelayMs ?? 10,
    });
    joined.set(c.name, sim);
    expect((await cp.apply([memberCluster(c, sim.url)])).status).toBe(200);
    await h.clusterReady(c.name, 'True');
  };

  it('moves nothing for a slightly cheaper cluster', async () => {
    expect((await cp.apply([policy({ tolerationSeconds: 2 }), deployment])).status).toBe(200);
    await waitFor('placed on a and b, ready', () => h.ready());
    await h.settled();
    const before = h.versions();
    await join({
      name: 'e',
      provider: 'aws',
      region: 'eu-central-1',
      cost: { vcpuHour: 0.0395, gibHour: GIB_HOUR },
    });
    await h.pass('joined-e');
    const b = await h.explain();
    expect(h.clustersOf(b)).toBe('a=3,b=3');
    // Kept either way: the fresh placement is the same, or its gain is below minScoreGain.
    expect(b.status?.explanation?.stability?.decision).toBe('Kept');
    expect(h.versions()).toEqual(before);
    expect(h.object('e')).toBeUndefined();
  });

  it('moves to a much cheaper cluster when the gain passes minScoreGain', async () => {
    await join({
      name: 'f',
      provider: 'gcp',
      region: 'europe-west1',
      cost: { vcpuHour: 0.01, gibHour: GIB_HOUR },
      // Graceful: the clusters left keep their copies (listed as evictions) until f's are ready.
      podReadyDelayMs: 3_000,
    });
    await h.pass('joined-f');
    const b = await waitFor('moved to f', async () => {
      const x = await h.binding();
      return x.spec.clusters.some((c) => c.name === 'f') && x;
    });
    expect(b.spec.clusters).toHaveLength(2);
    expect(b.spec.evictions?.[0]?.reason).toMatch(/^moved: gain [0-9.]+ >= minScoreGain 10/);
    await waitFor('moved replicas ready', () => h.ready());
    await waitFor('left cluster pruned', () => Object.keys(h.placed()).length === 2);
  });
});
