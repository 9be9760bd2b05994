import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../federation/resources/kube-object.js';
import type { KubeSim } from '../../../sim/kubernetes/index.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

/** Pods in `slow` become ready long after the (two) status checks of a pass have given up. */
const SLOW_READY_MS = 6_000;

const policy = (name: string, cluster: string) => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name },
  spec: {
    resourceSelectors: ['Deployment', 'StatefulSet'].map((kind) => ({
      apiVersion: 'apps/v1',
      kind,
      labelSelector: { matchLabels: { tier: name } },
    })),
    clusterAffinity: { clusterNames: [cluster] },
  },
});

const deployment = (name: string, tier: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', labels: { app: name, tier } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
    },
  },
});

const statefulSet = (name: string, tier: string, replicas: number) => ({
  ...deployment(name, tier, replicas),
  kind: 'StatefulSet',
  spec: { ...deployment(name, tier, replicas).spec, serviceName: name, podManagementPolicy: 'Parallel' },
});

type ClusterStatus = { cluster: string; phase: string; replicas?: number; readyReplicas?: number };

describe('workload readiness from watches', () => {
  let cp: TestControlPlane;
  const metrics = new Registry();
  beforeAll(async () => {
    cp = await startTestControlPlane(
      [
        { name: 'slow', provider: 'aws', region: 'eu-west-1', podReadyDelayMs: SLOW_READY_MS },
        { name: 'fast', provider: 'gcp', region: 'europe-west1' },
      ],
      // Only two status checks after a pass, at the usual pace even where watches are current, and
      // no resync during the test: what reports a later change of readiness is the watch.
      {
        workerProps: {
          metrics,
          statusChecks: 2,
          watchedCheckDelayMs: 0,
          resyncIntervalMs: 600_000,
          driftIntervalMs: 0,
        },
      },
    );
    const res = await cp.apply([policy('batch', 'slow'), policy('front', 'fast')]);
    expect(res.status).toBe(200);
  });
  afterAll(() => cp.close());

  const statusIn = async (binding: string, cluster: string) => {
    const r = await cp.request(
      'GET',
      `/api/v1/namespaces/shop/objects/Binding.v1alpha1.fedgate.dev/${binding}`,
    );
    const b = r.body as { status?: { clusters?: ClusterStatus[] } };
    return b.status?.clusters?.find((c) => c.cluster === cluster);
  };
  const simStatus = (sim: KubeSim, name: string) =>
    (sim.object('apps/v1/deployments', 'shop', name) as KubeObject & { status?: { readyReplicas?: number } })
      ?.status;

  it('reports a Deployment ready that became ready only after its status checks gave up', async () => {
    const slow = cp.sims.get('slow')!;
    expect((await cp.apply([deployment('report', 'batch', 2)])).status).toBe(200);
    await waitFor('report applied, not ready', async () => {
      const s = await statusIn('report-deployment', 'slow');
      return s?.phase === 'Applied' && s.readyReplicas === 0;
    });
    // The status checks are over while the pods are still starting.
    await waitFor(
      'no status check left',
      async () => (await cp.worker!.queues.propagation.getDelayedCount()) === 0,
    );
    expect(simStatus(slow, 'report')?.readyReplicas ?? 0).toBe(0);
    expect((await statusIn('report-deployment', 'slow'))?.readyReplicas).toBe(0);

    const s = await waitFor(
      'report ready in the binding',
      async () => {
        const st = await statusIn('report-deployment', 'slow');
        return st?.readyReplicas === 2 && st;
      },
      SLOW_READY_MS + 20_000,
    );
    expect(s).toMatchObject({ phase: 'Applied', replicas: 2, readyReplicas: 2 });
  });

  it('reports a StatefulSet ready that became ready only after its status checks gave up', async () => {
    expect((await cp.apply([statefulSet('ledger', 'batch', 2)])).status).toBe(200);
    await waitFor('ledger applied, not ready', async () => {
      const s = await statusIn('ledger-statefulset', 'slow');
      return s?.phase === 'Applied' && s.readyReplicas === 0;
    });
    await waitFor(
      'no status check left',
      async () => (await cp.worker!.queues.propagation.getDelayedCount()) === 0,
    );
    await waitFor(
      'ledger ready in the binding',
      async () => (await statusIn('ledger-statefulset', 'slow'))?.readyReplicas === 2,
      SLOW_READY_MS + 20_000,
    );
  });

  it('shows fewer ready replicas soon after pods of a ready workload are lost, and recovers', async () => {
    const fast = cp.sims.get('fast')!;
    expect((await cp.apply([deployment('web', 'front', 3)])).status).toBe(200);
    await waitFor('web ready', async () => (await statusIn('web-deployment', 'fast'))?.readyReplicas === 3);

    // No node takes new pods (cordoned), then two pods go: their replacements stay Pending.
    const nodes = fast.objects('v1/nodes').map((n) => n.metadata.name);
    for (const n of nodes) await sim(fast, 'PATCH', `/api/v1/nodes/${n}`, { spec: { unschedulable: true } });
    const pods = fast.objects('v1/pods', 'shop').filter((p) => p.metadata.labels?.app === 'web');
    for (const p of pods.slice(0, 2))
      await sim(fast, 'DELETE', `/api/v1/namespaces/shop/pods/${p.metadata.name}`);

    const degraded = await waitFor('web shows one ready replica', async () => {
      const st = await statusIn('web-deployment', 'fast');
      return st?.readyReplicas === 1 && st;
    });
    expect(degraded).toMatchObject({ phase: 'Applied', replicas: 3, readyReplicas: 1 });

    for (const n of nodes) await sim(fast, 'PATCH', `/api/v1/nodes/${n}`, { spec: { unschedulable: false } });
    await waitFor(
      'web ready again',
      async () => (await statusIn('web-deployment', 'fast'))?.readyReplicas === 3,
    );
  });

  it('re-creates a placed Deployment deleted in the member cluster', async () => {
    const fast = cp.sims.get('fast')!;
    const before = fast.object('apps/v1/deployments', 'shop', 'web')!;
    await sim(fast, 'DELETE', '/apis/apps/v1/namespaces/shop/deployments/web');
    const after = await waitFor('web re-created', () => {
      const d = fast.object('apps/v1/deployments', 'shop', 'web');
      return d && d.metadata.uid !== before.metadata.uid && d;
    });
    expect(after.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'fedgate' });
    await waitFor(
      'web ready after re-creation',
      async () => (await statusIn('web-deployment', 'fast'))?.readyReplicas === 3,
    );
  });

  it('counts the clusters watched and the statuses written from watch events', async () => {
    const metric = async (name: string) => (await metrics.getSingleMetric(name)?.get())?.values ?? [];
    expect((await metric('fedgate_workload_watch_clusters'))[0]?.value).toBe(2);
    const updates = await metric('fedgate_workload_watch_status_updates_total');
    for (const cluster of ['slow', 'fast'])
      expect(updates.find((v) => v.labels.cluster === cluster)?.value).toBeGreaterThan(0);
  });
});

describe('status checks beside current watches', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane(
      [{ name: 'slow', provider: 'aws', region: 'eu-west-1', podReadyDelayMs: SLOW_READY_MS }],
      { workerProps: { resyncIntervalMs: 600_000, driftIntervalMs: 0, watchLeaseMs: 3_000 } },
    );
    expect((await cp.apply([policy('batch', 'slow')])).status).toBe(200);
  });
  afterAll(() => cp.close());

  // A check backing up a current watch waits in the cluster's deferred checks (taken by the lease
  // holder once due), not as a delayed job.
  const statusCheck = async (binding: string) =>
    (await cp.worker!.deferredChecks.pending('slow')).find((c) => c.binding === binding);

  it('backs the watch up with a slower status check, and the watch reports readiness first', async () => {
    await waitFor('the watch of slow is current', () => cp.worker!.watchesCurrent(['slow']));
    const applied = Date.now();
    expect((await cp.apply([deployment('paced', 'batch', 2)])).status).toBe(200);
    const check = await waitFor('a status check of paced', () => statusCheck('paced-deployment'));
    expect(check.dueAt - applied).toBeGreaterThanOrEqual(15_000);
    expect(check).toMatchObject({ namespace: 'shop', check: 1 });
    // No delayed status job for it besides.
    const delayed = await cp.worker!.queues.propagation.getDelayed();
    expect(delayed.filter((j) => j.name === 'status' && j.data.binding === 'paced-deployment')).toEqual([]);

    const ready = await waitFor(
      'paced ready in the binding',
      async () => {
        const r = await cp.request(
          'GET',
          '/api/v1/namespaces/shop/objects/Binding.v1alpha1.fedgate.dev/paced-deployment',
        );
        const st = (r.body as { status?: { clusters?: ClusterStatus[] } }).status?.clusters?.[0];
        return st?.readyReplicas === 2 && st;
      },
      SLOW_READY_MS + 10_000,
    );
    expect(ready).toMatchObject({ phase: 'Applied', replicas: 2 });
    // Reported by the watch: the one status check is still waiting.
    expect(await statusCheck('paced-deployment')).toBeDefined();
  });

  it('corrects, once its check is due, a readiness the watch did not report', async () => {
    const key = { type: 'Binding.v1alpha1.fedgate.dev', namespace: 'shop', name: 'missed-deployment' };
    const status = () =>
      cp.worker!.store.clusterStatus<ClusterStatus & { lastUpdateTime: string }>(key, 'slow');
    expect((await cp.apply([deployment('missed', 'batch', 2)])).status).toBe(200);
    await waitFor('missed ready from the watch', async () => (await status())?.readyReplicas === 2, 20_000);
    expect(await statusCheck('missed-deployment')).toBeDefined();
    // As if the watch had lost that event: the status says no replica is ready, and the object in
    // the cluster does not change again.
    await cp.worker!.store.setClusterStatus(key, 'slow', { ...(await status())!, readyReplicas: 0 });
    await waitFor(
      'missed ready again, from its status check',
      async () => (await status())?.readyReplicas === 2,
      30_000,
    );
    await waitFor(
      'no check of missed left',
      async () => (await statusCheck('missed-deployment')) === undefined,
    );
  });
});

/** Calls the simulated cluster's API directly, as kubectl would. */
async function sim(s: KubeSim, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/merge-patch+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}
