/**
 * Capacity is honoured, at a scale tests afford (the 200 Deployments and 3×58 pod slots,
 * scaled down): a burst of applies, and a failover that re-places every template at once, never
 * commit a member cluster past its pod slots, because placement counts what it placed but the
 * clusters have not reported yet. Real Redis, API and worker; simulated member clusters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const SLOTS = 30;
const DEPLOYMENTS = 30;
const REPLICAS = 3;

const deployment = (i: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: `web-${i}`, namespace: 'shop', labels: { app: 'web' } },
  spec: {
    replicas: REPLICAS,
    selector: { matchLabels: { app: `web-${i}` } },
    template: {
      metadata: { labels: { app: `web-${i}` } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } },
        ],
      },
    },
  },
});

const policy = {
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'cheapest' },
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop' }],
    replicaScheduling: { type: 'Divided', division: 'CostOptimized' },
    failover: { tolerationSeconds: 1, mode: 'Immediate' },
  },
};

interface Binding {
  spec: { clusters: { name: string; replicas?: number }[] };
  status?: { clusters?: { cluster: string; phase: string; readyReplicas?: number; replicas?: number }[] };
}

describe('capacity: no member cluster is committed past its pod slots', () => {
  let cp: TestControlPlane;
  // Cheapest first: without capacity accounting every template goes to a.
  const nodes = (name: string) => [{ name: `${name}-node-1`, cpu: '64', memory: '256Gi', pods: SLOTS }];
  beforeAll(async () => {
    cp = await startTestControlPlane([
      { name: 'a', provider: 'aws', region: 'eu-west-1', cost: { vcpuHour: 0.01 }, nodes: nodes('a') },
      { name: 'b', provider: 'gcp', region: 'europe-west1', cost: { vcpuHour: 0.02 }, nodes: nodes('b') },
      { name: 'c', provider: 'azure', region: 'westeurope', cost: { vcpuHour: 0.03 }, nodes: nodes('c') },
      { name: 'd', provider: 'aws', region: 'us-east-1', cost: { vcpuHour: 0.04 }, nodes: nodes('d') },
    ]);
    // Every cluster has reported its capacity before the burst.
    await waitFor('clusters probed', async () => {
      const r = await cp.request('GET', '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev');
      const items = (r.body as { items: { status?: { available?: { pods: number } } }[] }).items;
      return items.length === 4 && items.every((mc) => mc.status?.available?.pods === SLOTS);
    });
  });
  afterAll(() => cp?.close());

  const bindings = async (): Promise<Binding[]> => {
    const r = await cp.request('GET', '/api/v1/namespaces/shop/objects/Binding.v1alpha1.fedgate.dev');
    return (r.body as { items: Binding[] }).items;
  };
  /** Replicas the Bindings place in each cluster. */
  const committed = (bs: readonly Binding[]) => {
    const out: Record<string, number> = {};
    for (const b of bs) for (const c of b.spec.clusters) out[c.name] = (out[c.name] ?? 0) + (c.replicas ?? 0);
    return out;
  };
  /** Pods each cluster could not schedule. */
  const pending = () => {
    const out: Record<string, number> = {};
    for (const [name, sim] of cp.sims) {
      out[name] = sim
        .objects('v1/pods', 'shop')
        .filter((p) => !(p.spec as { nodeName?: string }).nodeName).length;
    }
    return out;
  };
  const allReady = async () => {
    const bs = await bindings();
    return (
      bs.length === DEPLOYMENTS &&
      bs.every(
        (b) =>
          b.spec.clusters.length > 0 &&
          b.spec.clusters.every((c) => {
            const s = b.status?.clusters?.find((x) => x.cluster === c.name);
            return s?.phase === 'Applied' && (s.readyReplicas ?? 0) >= (c.replicas ?? 0);
          }),
      ) &&
      bs
    );
  };

  it(`places a burst of ${DEPLOYMENTS} Deployments without over-committing the cheapest cluster`, async () => {
    const items = [policy, ...Array.from({ length: DEPLOYMENTS }, (_, i) => deployment(i))];
    expect((await cp.apply(items)).status).toBe(200);
    const bs = await waitFor('all placed and ready', allReady, 60_000);
    const per = committed(bs);
    for (const [cluster, n] of Object.entries(per))
      expect(n, `committed in ${cluster}`).toBeLessThanOrEqual(SLOTS);
    expect(Object.values(per).reduce((x, y) => x + y, 0)).toBe(DEPLOYMENTS * REPLICAS);
    expect(per.a).toBe(SLOTS); // the cheapest is filled, not overfilled
    expect(pending()).toEqual({ a: 0, b: 0, c: 0, d: 0 });
  });

  it('re-places everything when two clusters go down, and still commits no cluster past its slots', async () => {
    await cp.sims.get('a')!.faults.down(true);
    await cp.sims.get('b')!.faults.down(true);
    // 90 replicas, 60 slots left: what does not fit stays unschedulable where it was (kept).
    await waitFor(
      'a and b emptied as far as c and d allow',
      async () => {
        const per = committed(await bindings());
        return (per.c ?? 0) + (per.d ?? 0) === 2 * SLOTS || false;
      },
      60_000,
    );
    const per = committed(await bindings());
    expect(per.c).toBeLessThanOrEqual(SLOTS);
    expect(per.d).toBeLessThanOrEqual(SLOTS);
    await waitFor('c and d run everything placed there', async () => {
      const p = pending();
      return p.c === 0 && p.d === 0;
    });
  });
});

describe('capacity: replicas a cluster cannot run are moved elsewhere after a timeout', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane([
      {
        name: 'a',
        provider: 'aws',
        region: 'eu-west-1',
        cost: { vcpuHour: 0.01 },
        nodes: [
          { name: 'a-node-1', cpu: '64', memory: '256Gi', pods: 2 },
          { name: 'a-node-2', cpu: '64', memory: '256Gi', pods: 10 },
        ],
      },
      { name: 'b', provider: 'gcp', region: 'europe-west1', cost: { vcpuHour: 0.05 } },
    ]);
  });
  afterAll(() => cp?.close());

  const binding = async () =>
    (await cp.request('GET', '/api/v1/namespaces/shop/objects/Binding.v1alpha1.fedgate.dev/web-0-deployment'))
      .body as Binding & { status?: { conditions?: { type: string; message: string }[] } };
  const pendingIn = (cluster: string) =>
    cp.sims
      .get(cluster)!
      .objects('v1/pods', 'shop')
      .filter((p) => !(p.spec as { nodeName?: string }).nodeName).length;

  it('moves the Pending replicas off the cluster past failover.unschedulableSeconds, whatever minScoreGain says', async () => {
    const strict = {
      ...policy,
      spec: {
        ...policy.spec,
        failover: { unschedulableSeconds: 2 },
        // A move for a better score would need 100 points: only the descheduling rule moves it.
        stability: { minScoreGain: 100 },
      },
    };
    const web = { ...deployment(0), spec: { ...deployment(0).spec, replicas: 6 } };
    expect((await cp.apply([strict, web])).status).toBe(200);
    await waitFor('6 replicas on a, ready', async () => {
      const b = await binding();
      const s = b.status?.clusters?.find((x) => x.cluster === 'a');
      return b.spec.clusters.map((c) => `${c.name}=${c.replicas}`).join() === 'a=6' && s?.readyReplicas === 6;
    });
    // a loses its big node: the pods there are recreated and stay Pending ("Too many pods").
    const sim = cp.sims.get('a')!;
    const node = sim.object('v1/nodes', '', 'a-node-2')!;
    const conditions = (node.status as { conditions: { type: string; status: string }[] }).conditions.map(
      (c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c),
    );
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${sim.url}${path}`, {
        method,
        headers: { 'content-type': 'application/merge-patch+json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect((await call('PATCH', '/api/v1/nodes/a-node-2/status', { status: { conditions } })).status).toBe(
      200,
    );
    for (const p of sim.objects('v1/pods', 'shop')) {
      if ((p.spec as { nodeName?: string }).nodeName === 'a-node-2')
        await call('DELETE', `/api/v1/namespaces/shop/pods/${p.metadata.name}`);
    }
    await waitFor('pods Pending in a', () => pendingIn('a') === 4);
    const moved = await waitFor(
      'Pending replicas moved to b',
      async () => {
        const b = await binding();
        return b.spec.clusters.map((c) => `${c.name}=${c.replicas}`).join() === 'a=2,b=4' && b;
      },
      30_000,
    );
    expect(moved.status?.conditions?.find((c) => c.type === 'Scheduled')?.message).toMatch(
      /moved 4 replica\(s\) off a: unready since .* and no room there/,
    );
    await waitFor('nothing Pending in a, b runs its 4', async () => {
      const b = await binding();
      const s = b.status?.clusters?.find((x) => x.cluster === 'b');
      return pendingIn('a') === 0 && s?.readyReplicas === 4;
    });
  });
});
