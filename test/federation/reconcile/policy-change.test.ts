/**
 * A policy change never deletes running work, end to end (real Redis, API, worker, simulated member
 * clusters): tightening a policy until nothing satisfies it keeps the current placement with
 * Scheduled=False and the reason (and `apply --dry-run` says so first); a move caused by a policy
 * change is make-before-break, with a bounded wait after which the old copy goes anyway, recorded.
 * Also: Binding status observes the Binding's own generation, is refused through the API, and is
 * repaired when forged straight into the store; a forged MemberCluster status is repaired too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../federation/resources/kube-object.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const BINDING = { type: 'Binding.v1alpha1.fedgate.dev', namespace: 'shop', name: 'web-deployment' };
const BINDING_PATH = `/api/v1/namespaces/shop/objects/${BINDING.type}/web-deployment`;

interface Binding {
  metadata: { generation: number };
  spec: {
    clusters: { name: string; replicas?: number }[];
    evictions?: { cluster: string; reason: string; purgeMode?: string }[];
  };
  status?: {
    observedGeneration?: number;
    conditions: {
      type: string;
      status: string;
      reason: string;
      message: string;
      observedGeneration?: number;
    }[];
    clusters?: { cluster: string; phase: string; message?: string }[];
  };
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    replicas: 2,
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

function helpers(cp: () => TestControlPlane) {
  return {
    async binding(): Promise<Binding> {
      const r = await cp().request('GET', BINDING_PATH);
      if (r.status !== 200) throw new Error(`binding: HTTP ${r.status}`);
      return r.body as Binding;
    },
    /** Clusters holding shop/web, sorted. */
    holders(): string[] {
      return [...cp().sims]
        .filter(([, sim]) => sim.object('apps/v1/deployments', 'shop', 'web') !== undefined)
        .map(([name]) => name)
        .sort();
    },
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
  };
}

const scheduled = (b: Binding) => b.status?.conditions.find((c) => c.type === 'Scheduled');

describe('tightening a policy keeps running work', () => {
  let cp: TestControlPlane;
  const h = helpers(() => cp);
  const spread = (minGroups: number) => ({
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'PlacementPolicy',
    metadata: { name: 'web' },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop' }],
      replicaScheduling: { type: 'Duplicated' },
      spreadConstraints: [{ spreadByField: 'provider', minGroups }],
    },
  });

  beforeAll(async () => {
    cp = await startTestControlPlane([
      { name: 'a', provider: 'aws', region: 'eu-west-1' },
      { name: 'b', provider: 'aws', region: 'us-east-1' },
      { name: 'c', provider: 'gcp', region: 'europe-west1' },
      { name: 'd', provider: 'gcp', region: 'us-central1' },
    ]);
    expect((await cp.apply([spread(2), deployment])).status).toBe(200);
    await waitFor('placed in 4 clusters', () => h.holders().length === 4);
  });
  afterAll(() => cp?.close());

  it('says in a dry run that the tightened policy leaves the Deployment unschedulable, kept where it runs', async () => {
    const res = await cp.apply([spread(3)], { dryRun: true });
    expect(res.status).toBe(200);
    const body = res.body as {
      items: { action: string }[];
      effect: {
        move: unknown[];
        unschedulable: { template: { name: string }; reason: string; kept: { name: string }[] }[];
        loseReplicas: unknown[];
      };
    };
    expect(body.items.map((i) => i.action)).toEqual(['configured (dry run)']);
    expect(body.effect.unschedulable).toEqual([
      expect.objectContaining({
        template: expect.objectContaining({ name: 'web', kind: 'Deployment' }),
        reason: 'SpreadConstraintUnsatisfiable',
        kept: [
          { name: 'a', replicas: 2 },
          { name: 'b', replicas: 2 },
          { name: 'c', replicas: 2 },
          { name: 'd', replicas: 2 },
        ],
      }),
    ]);
    expect(body.effect.move).toEqual([]);
    expect(body.effect.loseReplicas).toEqual([]);
    // A dry run writes nothing.
    const stored = await cp.request('GET', '/api/v1/objects/PlacementPolicy.v1alpha1.fedgate.dev/web');
    expect(
      (stored.body as { spec: { spreadConstraints: { minGroups: number }[] } }).spec.spreadConstraints[0]!
        .minGroups,
    ).toBe(2);
  });

  it('keeps the placement of a template the tightened policy cannot schedule, with Scheduled=False and the reason', async () => {
    expect((await cp.apply([spread(3)])).status).toBe(200);
    const b = await waitFor('Scheduled=False', async () => {
      const x = await h.binding();
      return scheduled(x)?.status === 'False' && x;
    });
    expect(scheduled(b)).toMatchObject({
      reason: 'SpreadConstraintUnsatisfiable',
      message: expect.stringContaining(
        'keeping the current placement (a, b, c, d) until it can be scheduled',
      ),
    });
    await h.settled();
    expect(b.spec.clusters.map((c) => c.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(h.holders()).toEqual(['a', 'b', 'c', 'd']);
    expect((await h.binding()).spec.evictions ?? []).toEqual([]);
  });

  it('records the Binding generation it observed in its status', async () => {
    const b = await h.binding();
    expect(b.status?.observedGeneration).toBe(b.metadata.generation);
    expect(scheduled(b)?.observedGeneration).toBe(b.metadata.generation);
  });

  it('refuses status writes to Bindings and MemberClusters through the API, even for admin', async () => {
    const binding = await cp.request('PUT', `${BINDING_PATH}/status`, {
      status: { observedGeneration: 99, conditions: [] },
    });
    expect(binding.status).toBe(403);
    expect((binding.body as { message: string }).message).toContain(
      'status of Binding objects is written by the control plane only',
    );
    const cluster = await cp.request('PUT', '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev/a/status', {
      status: { conditions: [], available: { cpuMilli: 9e9, memoryBytes: 9e12, pods: 9e6 } },
    });
    expect(cluster.status).toBe(403);
    const b = await h.binding();
    expect(b.status?.observedGeneration).toBe(b.metadata.generation);
  });

  it('repairs a Binding status forged straight into the store', async () => {
    const store = cp.worker!.store;
    await store.updateStatus(BINDING, {
      observedGeneration: 99,
      conditions: [
        {
          type: 'Scheduled',
          status: 'True',
          reason: 'Forged',
          message: 'x',
          lastTransitionTime: '2020-01-01T00:00:00Z',
        },
      ],
    });
    const repaired = await waitFor('forged status repaired', async () => {
      const b = await h.binding();
      return b.status?.observedGeneration === b.metadata.generation && b;
    });
    expect(scheduled(repaired)).toMatchObject({ status: 'False', reason: 'SpreadConstraintUnsatisfiable' });
  });

  it('repairs a MemberCluster status forged straight into the store at its next probe', async () => {
    const store = cp.worker!.store;
    const key = { type: 'MemberCluster.v1alpha1.fedgate.dev', namespace: '', name: 'a' };
    const real = (await store.get(key)) as KubeObject & {
      status: { allocatable: { pods: number }; available: { pods: number } };
    };
    await store.updateStatus(key, {
      ...real.status,
      available: { cpuMilli: 9e9, memoryBytes: 9e12, pods: 9e6 },
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Forged',
          message: 'x',
          lastTransitionTime: '2020-01-01T00:00:00Z',
        },
      ],
    });
    await waitFor('cluster status repaired', async () => {
      const mc = (await store.get(key)) as typeof real & {
        status: { conditions: { type: string; reason: string }[] };
      };
      return (
        mc.status.available.pods <= mc.status.allocatable.pods &&
        mc.status.conditions.find((c) => c.type === 'Ready')?.reason === 'ClusterReady'
      );
    });
  });

  it('schedules again once the policy allows it, where it runs', async () => {
    expect((await cp.apply([spread(2)])).status).toBe(200);
    const b = await waitFor('Scheduled=True', async () => {
      const x = await h.binding();
      return scheduled(x)?.status === 'True' && x;
    });
    expect(b.spec.clusters.map((c) => c.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(b.status?.observedGeneration).toBe(b.metadata.generation);
  });
});

describe('a move caused by a policy change is make-before-break', () => {
  let cp: TestControlPlane;
  const h = helpers(() => cp);
  const on = (cluster: string, gracePeriodSeconds?: number) => ({
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'PlacementPolicy',
    metadata: { name: 'web' },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop' }],
      clusterAffinity: { clusterNames: [cluster] },
      replicaScheduling: { type: 'Duplicated' },
      // Immediate is about failed clusters: a policy change still waits for the new copies.
      failover: {
        mode: 'Immediate',
        ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
      },
    },
  });

  beforeAll(async () => {
    cp = await startTestControlPlane([
      { name: 'a', provider: 'aws', region: 'eu-west-1' },
      { name: 'b', provider: 'gcp', region: 'europe-west1', podReadyDelayMs: 4_000 },
      // Pods never get ready here.
      { name: 'c', provider: 'azure', region: 'westeurope', podReadyDelayMs: 3_600_000 },
    ]);
    expect((await cp.apply([on('a'), deployment])).status).toBe(200);
    await waitFor('placed on a', () => h.holders().join() === 'a');
  });
  afterAll(() => cp?.close());

  it('keeps the old copy until the new one is ready, then prunes it', async () => {
    expect((await cp.apply([on('b')])).status).toBe(200);
    const b = await waitFor('moved to b', async () => {
      const x = await h.binding();
      return x.spec.clusters.map((c) => c.name).join() === 'b' && x;
    });
    expect(b.spec.evictions).toEqual([expect.objectContaining({ cluster: 'a', purgeMode: 'Graciously' })]);
    await waitFor('new copy applied in b', () => h.holders().includes('b'));
    // b's pods take 4 s to be ready: the old copy is still there meanwhile.
    expect(h.holders()).toEqual(['a', 'b']);
    await waitFor('old copy pruned once b is ready', () => h.holders().join() === 'b', 30_000);
  });

  it('prunes the old copy when the grace period ends before the new one is ready, and records it', async () => {
    expect((await cp.apply([on('c', 2)])).status).toBe(200);
    await waitFor(
      'moved to c',
      async () => (await h.binding()).spec.clusters.map((c) => c.name).join() === 'c',
    );
    await waitFor('new copy applied in c', () => h.holders().includes('c'));
    expect(h.holders()).toEqual(['b', 'c']);
    await waitFor('old copy pruned after the grace period', () => h.holders().join() === 'c', 30_000);
    const b = await waitFor('pruned copy recorded', async () => {
      const x = await h.binding();
      return x.status?.clusters?.some((s) => s.cluster === 'b' && s.phase === 'Pruned') && x;
    });
    expect(b.status?.clusters?.find((s) => s.cluster === 'b')?.message).toMatch(
      /^pruned when the grace period of 2s ended .* before the new copies were ready: c 0\/2 ready$/,
    );
  });
});
