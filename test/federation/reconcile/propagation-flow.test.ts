import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../federation/resources/kube-object.js';
import {
  startTestControlPlane,
  type TestCluster,
  type TestControlPlane,
} from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const FLEET: TestCluster[] = [
  {
    name: 'onprem-dc1',
    provider: 'onprem',
    region: 'onprem-fra',
    taints: [{ key: 'dedicated', value: 'regulated', effect: 'NoSchedule' }],
  },
  { name: 'aws-us-east-1', provider: 'aws', region: 'us-east-1', labels: { env: 'prod' } },
  { name: 'aws-eu-west-1', provider: 'aws', region: 'eu-west-1', labels: { env: 'prod' } },
  { name: 'gcp-europe-west1', provider: 'gcp', region: 'europe-west1', labels: { env: 'prod' } },
];

const policy = (clusterNames: string[]) => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'web' },
  spec: {
    resourceSelectors: [
      { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { app: 'web' } } },
    ],
    clusterAffinity: { clusterNames },
    replicaScheduling: {
      type: 'Divided',
      division: 'StaticWeights',
      staticWeights: [
        { targetCluster: { providers: ['aws'] }, weight: 2 },
        { targetCluster: { providers: ['gcp'] }, weight: 1 },
      ],
    },
  },
});

const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    replicas: 6,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'web', image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
      },
    },
  },
});

describe('apply → placement → propagation to simulated member clusters', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane(FLEET);
  });
  afterAll(() => cp.close());

  /** replicas of shop/web per cluster that has it */
  const placed = () => {
    const out: Record<string, number> = {};
    for (const [name, sim] of cp.sims) {
      const d = sim.object('apps/v1/deployments', 'shop', 'web') as
        | (KubeObject & { spec: { replicas: number } })
        | undefined;
      if (d) out[name] = d.spec.replicas;
    }
    return out;
  };
  const imageIn = (cluster: string) =>
    (
      cp.sims.get(cluster)!.object('apps/v1/deployments', 'shop', 'web') as
        | { spec: { template: { spec: { containers: { image: string }[] } } } }
        | undefined
    )?.spec.template.spec.containers[0]?.image;

  it('lands a plain Deployment in exactly the chosen clusters with the divided replicas', async () => {
    const res = await cp.apply([policy(['aws-eu-west-1', 'gcp-europe-west1']), deployment('nginx:1.27')]);
    expect(res.status).toBe(200);
    await waitFor('web placed 4/2', () => {
      const p = placed();
      return p['aws-eu-west-1'] === 4 && p['gcp-europe-west1'] === 2 && p;
    });
    expect(Object.keys(placed()).sort()).toEqual(['aws-eu-west-1', 'gcp-europe-west1']);
    const managed = cp.sims.get('aws-eu-west-1')!.object('apps/v1/deployments', 'shop', 'web')!;
    expect(managed.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'fedgate', app: 'web' });
  });

  it('reports the ready replicas of each cluster in the Binding', async () => {
    const binding = await waitFor('binding ready everywhere', async () => {
      const r = await cp.request(
        'GET',
        '/api/v1/namespaces/shop/objects/Binding.v1alpha1.fedgate.dev/web-deployment',
      );
      const b = r.body as {
        spec: { clusters: { name: string; replicas: number }[] };
        status?: { clusters?: { cluster: string; phase: string; readyReplicas?: number }[] };
      };
      const clusters = b.status?.clusters ?? [];
      return (
        clusters.length === 2 &&
        clusters.every(
          (c) => c.phase === 'Applied' && c.readyReplicas !== undefined && c.readyReplicas > 0,
        ) &&
        b
      );
    });
    expect(binding.spec.clusters).toEqual([
      { name: 'aws-eu-west-1', replicas: 4 },
      { name: 'gcp-europe-west1', replicas: 2 },
    ]);
  });

  it('re-applies an updated template to every cluster it is placed in', async () => {
    expect((await cp.apply([deployment('nginx:1.28')])).status).toBe(200);
    await waitFor(
      'new image everywhere',
      () => imageIn('aws-eu-west-1') === 'nginx:1.28' && imageIn('gcp-europe-west1') === 'nginx:1.28',
    );
  });

  it('moves the workload and prunes the old copies when the policy changes', async () => {
    expect((await cp.apply([policy(['aws-us-east-1'])])).status).toBe(200);
    await waitFor('moved to us-east-1 only', () => {
      const p = placed();
      return Object.keys(p).length === 1 && p['aws-us-east-1'] === 6;
    });
  });

  it('prunes everywhere and drops the binding when the template is deleted', async () => {
    const del = await cp.request('DELETE', '/api/v1/namespaces/shop/objects/Deployment.v1.apps/web');
    expect(del.status).toBe(200);
    await waitFor('pruned everywhere', () => Object.keys(placed()).length === 0);
    await waitFor('binding gone', async () => {
      const r = await cp.request(
        'GET',
        '/api/v1/namespaces/shop/objects/Binding.v1alpha1.fedgate.dev/web-deployment',
      );
      return r.status === 404;
    });
  });

  it('refuses an invalid manifest with its field path and stores nothing', async () => {
    const bad = { ...deployment('nginx'), metadata: { name: 'Bad_Name', namespace: 'shop' } };
    const res = await cp.apply([deployment('nginx:1.29'), bad]);
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('[1].metadata.name');
    const list = await cp.request('GET', '/api/v1/objects/Deployment.v1.apps');
    expect((list.body as { items: unknown[] }).items).toHaveLength(0);
  });
});
