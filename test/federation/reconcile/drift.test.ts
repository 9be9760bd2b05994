import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftScanSummary } from '../../../federation/reconcile/drift-detector.js';
import type { BindingClusterStatus, ClusterDrift } from '../../../federation/resources/binding.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const CLUSTERS = ['aws-eu-west-1', 'gcp-europe-west1'];

const policy = (name: string, drift: Record<string, unknown>) => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name },
  spec: {
    resourceSelectors: [
      { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { app: name } } },
      { apiVersion: 'v1', kind: 'Service', labelSelector: { matchLabels: { app: name } } },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        labelSelector: { matchLabels: { app: name } },
      },
    ],
    clusterAffinity: { clusterNames: CLUSTERS },
    drift,
  },
});

const deployment = (name: string, image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', labels: { app: name } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          {
            name,
            image,
            ports: [{ containerPort: 8080 }],
            resources: { requests: { cpu: '0.1', memory: '64Mi' } },
          },
        ],
      },
    },
  },
});

/** A Service the cluster defaults (protocol, targetPort, clusterIP, type…). */
const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
};

/** A NetworkPolicy: its `from` is a field client-node's typed models rename (`_from`). */
const networkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
  },
};

type Deployment = {
  metadata: { resourceVersion?: string; labels?: Record<string, string> };
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
};

describe('drift: objects changed directly in a member cluster', () => {
  let cp: TestControlPlane;
  const metrics = new Registry();

  beforeAll(async () => {
    cp = await startTestControlPlane(
      CLUSTERS.map((name) => ({
        name,
        provider: name.startsWith('aws') ? ('aws' as const) : ('gcp' as const),
        region: name.replace(/^[a-z]+-/, ''),
      })),
      { workerProps: { driftIntervalMs: 200, metrics } },
    );
    const res = await cp.apply([
      policy('web', { ignoreFields: ['/spec/replicas'] }),
      policy('api', { mode: 'Report' }),
      deployment('web', 'nginx:1.27'),
      deployment('api', 'api:2.0'),
      service,
      networkPolicy,
    ]);
    expect(res.status).toBe(200);
    for (const b of ['web-deployment', 'api-deployment', 'web-service', 'web-networkpolicy']) {
      await waitFor(`${b} applied everywhere`, async () => {
        const s = await statuses(b);
        return s.length === 2 && s.every((c) => c.phase === 'Applied' && c.appliedHash) && s;
      });
    }
  });
  afterAll(() => cp?.close());

  const statuses = async (name: string): Promise<BindingClusterStatus[]> => {
    const r = await cp.request(
      'GET',
      `/api/v1/namespaces/shop/objects/Binding.v1alpha1.fedgate.dev/${name.includes('-') ? name : `${name}-deployment`}`,
    );
    return (r.body as { status?: { clusters?: BindingClusterStatus[] } }).status?.clusters ?? [];
  };
  const driftOf = async (name: string, cluster: string): Promise<ClusterDrift | undefined> =>
    (await statuses(name)).find((s) => s.cluster === cluster)?.drift;
  const live = (cluster: string, name: string) =>
    cp.sims.get(cluster)!.object('apps/v1/deployments', 'shop', name) as unknown as Deployment;

  /** Changes a Deployment in a simulated cluster as `kubectl edit` would: a strategic merge patch by another field manager. */
  const editInCluster = async (cluster: string, name: string, patch: unknown) => {
    const url = `${cp.sims.get(cluster)!.url}/apis/apps/v1/namespaces/shop/deployments/${name}?fieldManager=kubectl-edit`;
    const res = await fetch(url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify(patch),
    });
    expect(res.status, await res.text()).toBe(200);
  };

  /** Resolves with a drift scan of the cluster that started after this call (a whole scan of every object). */
  const nextScan = async (cluster: string): Promise<DriftScanSummary> => {
    const after = Date.now();
    return waitFor(`a drift scan of ${cluster}`, async () => {
      const jobs = await cp.worker!.queues.maintenance.getJobs(['completed']);
      const done = jobs
        .filter((j) => j.name === 'drift' && j.data.kind === 'drift' && j.data.cluster === cluster)
        .filter((j) => (j.processedOn ?? 0) > after)
        .map((j) => j.returnvalue as DriftScanSummary);
      return done[0];
    });
  };

  /** Resolves once a propagation pass of the binding in the cluster (a resync) ran after this call. */
  const nextPropagation = async (binding: string, cluster: string) => {
    const after = Date.now();
    return waitFor(`a propagation pass of ${binding} in ${cluster}`, async () => {
      const jobs = await cp.worker!.queues.propagation.getJobs(['completed']);
      return jobs.find(
        (j) => j.data.binding === binding && j.data.cluster === cluster && (j.processedOn ?? 0) > after,
      );
    });
  };

  const detected = async (cluster: string, mode: string) => {
    const m = (await metrics.getSingleMetric('fedgate_drift_detected_total')?.get())?.values ?? [];
    return m.find((v) => v.labels.cluster === cluster && v.labels.mode === mode)?.value ?? 0;
  };

  it('finds no drift in what it placed: defaults, status, managedFields and resourceVersion are the cluster’s', async () => {
    for (const cluster of CLUSTERS) {
      const scan = await nextScan(cluster);
      expect(scan).toMatchObject({ checked: 4, drifted: 0, pending: 0, missing: 0 });
      // The cluster did add its own fields, which the scan saw and did not count.
      const d = cp.sims.get(cluster)!.object('apps/v1/deployments', 'shop', 'web') as unknown as {
        metadata: { managedFields?: unknown[]; resourceVersion?: string };
        spec: { strategy?: unknown; template: { spec: { containers: { imagePullPolicy?: string }[] } } };
        status?: unknown;
      };
      expect(d.metadata.managedFields?.length).toBeGreaterThan(0);
      expect(d.spec.strategy).toBeDefined();
      expect(d.spec.template.spec.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
      // Applied as written: fields client-node's typed models rename or do not know are kept.
      const np = cp.sims.get(cluster)!.object('networking.k8s.io/v1/networkpolicies', 'shop', 'web');
      expect(np?.spec).toEqual(networkPolicy.spec);
    }
    for (const b of ['web', 'api', 'web-service', 'web-networkpolicy'])
      expect((await statuses(b)).every((s) => s.drift === undefined)).toBe(true);
  });

  it('detects a changed image with its field path and restores it (Restore)', async () => {
    const before = await detected('aws-eu-west-1', 'Restore');
    await editInCluster('aws-eu-west-1', 'web', {
      spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:hacked' }] } } },
    });
    const drift = await waitFor('web drift recorded', () => driftOf('web', 'aws-eu-west-1'));
    expect(drift).toMatchObject({
      paths: ['/spec/template/spec/containers/0/image'],
      mode: 'Restore',
      restored: true,
    });
    await waitFor(
      'image restored',
      () => live('aws-eu-west-1', 'web').spec.template.spec.containers[0]?.image === 'nginx:1.27',
    );
    expect(await detected('aws-eu-west-1', 'Restore')).toBeGreaterThan(before);
    // The other cluster's copy was never touched.
    expect(await driftOf('web', 'gcp-europe-west1')).toBeUndefined();
  });

  it('does not treat a field in ignoreFields as drift, and leaves it as the cluster has it', async () => {
    await editInCluster('gcp-europe-west1', 'web', { spec: { replicas: 7 } });
    expect(live('gcp-europe-west1', 'web').spec.replicas).toBe(7);
    const scan = await nextScan('gcp-europe-west1');
    expect(scan).toMatchObject({ checked: 4, drifted: 0 });
    expect(live('gcp-europe-west1', 'web').spec.replicas).toBe(7);
    expect(await driftOf('web', 'gcp-europe-west1')).toBeUndefined();
  });

  it('keeps an ignored field as the cluster has it when it restores drift and applies a new version', async () => {
    // /spec/replicas is 7 in gcp (previous test), as an HPA would have set it.
    await editInCluster('gcp-europe-west1', 'web', {
      spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:hacked' }] } } },
    });
    await waitFor(
      'web drift restored in gcp',
      async () => (await driftOf('web', 'gcp-europe-west1'))?.restored,
    );
    await waitFor(
      'image restored',
      () => live('gcp-europe-west1', 'web').spec.template.spec.containers[0]?.image === 'nginx:1.27',
    );
    expect((await driftOf('web', 'gcp-europe-west1'))?.paths).toEqual([
      '/spec/template/spec/containers/0/image',
    ]);
    expect(live('gcp-europe-west1', 'web').spec.replicas).toBe(7);

    expect((await cp.apply([deployment('web', 'nginx:1.28')])).status).toBe(200);
    await waitFor('new version everywhere', () =>
      CLUSTERS.every((c) => live(c, 'web').spec.template.spec.containers[0]?.image === 'nginx:1.28'),
    );
    expect(live('gcp-europe-west1', 'web').spec.replicas).toBe(7);
    expect(live('aws-eu-west-1', 'web').spec.replicas).toBe(2);
  });

  it('reports drift and leaves the object as it is (Report), until someone reverts it', async () => {
    await editInCluster('gcp-europe-west1', 'api', {
      metadata: { labels: { app: 'api', tier: 'hand-edited' } },
      spec: { replicas: 5, template: { spec: { containers: [{ name: 'api', image: 'api:debug' }] } } },
    });
    const drift = await waitFor('api drift reported', () => driftOf('api', 'gcp-europe-west1'));
    expect(drift).toMatchObject({
      paths: ['/spec/replicas', '/spec/template/spec/containers/0/image'],
      mode: 'Report',
      restored: false,
    });
    // A scan and a propagation pass may both see it first; after that it is known and not counted again.
    await nextScan('gcp-europe-west1');
    const counted = await detected('gcp-europe-west1', 'Report');
    expect(counted).toBeGreaterThanOrEqual(1);
    const first = await driftOf('api', 'gcp-europe-west1');
    // Several scans and a resync's propagation pass later it is still there, counted once, and the hand edit stands.
    for (let i = 0; i < 3; i++) await nextScan('gcp-europe-west1');
    await nextPropagation('api-deployment', 'gcp-europe-west1');
    const obj = live('gcp-europe-west1', 'api');
    expect(obj.spec.template.spec.containers[0]?.image).toBe('api:debug');
    expect(obj.spec.replicas).toBe(5);
    expect(await detected('gcp-europe-west1', 'Report')).toBe(counted);
    expect((await driftOf('api', 'gcp-europe-west1'))?.detectedAt).toBe(first?.detectedAt);

    await editInCluster('gcp-europe-west1', 'api', {
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'api', image: 'api:2.0' }] } } },
    });
    await waitFor('drift cleared', async () => (await driftOf('api', 'gcp-europe-west1')) === undefined);
  });

  it('applies a new template version over drift left in place (a change of desired state is not drift)', async () => {
    await editInCluster('aws-eu-west-1', 'api', {
      spec: { template: { spec: { containers: [{ name: 'api', image: 'api:debug' }] } } },
    });
    await waitFor('api drift reported in aws', () => driftOf('api', 'aws-eu-west-1'));
    expect((await cp.apply([deployment('api', 'api:2.1')])).status).toBe(200);
    await waitFor(
      'new image in aws',
      () => live('aws-eu-west-1', 'api').spec.template.spec.containers[0]?.image === 'api:2.1',
    );
    await waitFor(
      'drift cleared by the new version',
      async () => (await driftOf('api', 'aws-eu-west-1')) === undefined,
    );
  });

  it('re-creates an object deleted in the cluster', async () => {
    const url = `${cp.sims.get('gcp-europe-west1')!.url}/apis/apps/v1/namespaces/shop/deployments/web`;
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(200);
    await waitFor('web back in gcp', () => live('gcp-europe-west1', 'web') !== undefined);
  });
});
