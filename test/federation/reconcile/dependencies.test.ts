import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const policy = (clusterNames: string[], propagateDependencies = true) => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'api' },
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }],
    clusterAffinity: { clusterNames },
    propagateDependencies,
  },
});
const app = [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'api-config', namespace: 'deps' },
    data: { MODE: 'fast' },
  },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'api-token', namespace: 'deps' },
    stringData: { TOKEN: 'x' },
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: 'deps' }, data: {} },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'deps' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: {
          containers: [
            {
              name: 'api',
              image: 'api:1',
              envFrom: [{ configMapRef: { name: 'api-config' } }],
              env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api-token', key: 'TOKEN' } } }],
            },
          ],
        },
      },
    },
  },
];

describe('dependencies follow their workload', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane([
      { name: 'one', provider: 'aws', region: 'eu-west-1' },
      { name: 'two', provider: 'gcp', region: 'europe-west1' },
    ]);
  });
  afterAll(() => cp.close());

  const where = (resource: string, name: string) =>
    [...cp.sims].filter(([, sim]) => sim.object(resource, 'deps', name) !== undefined).map(([n]) => n);

  it('places the ConfigMap and Secret a Deployment references with it, and nothing unreferenced', async () => {
    expect((await cp.apply([policy(['one']), ...app])).status).toBe(200);
    // Dependencies are applied before their workload: wait for all three.
    await waitFor(
      'the Deployment and its dependencies in cluster one',
      () =>
        where('v1/configmaps', 'api-config').join() === 'one' &&
        where('v1/secrets', 'api-token').join() === 'one' &&
        where('apps/v1/deployments', 'api').join() === 'one',
    );
    expect(where('v1/configmaps', 'unrelated')).toEqual([]);
    const b = await cp.request(
      'GET',
      '/api/v1/namespaces/deps/objects/Binding.v1alpha1.fedgate.dev/api-config-configmap',
    );
    expect(b.body).toMatchObject({ spec: { requiredBy: ['api-deployment'], clusters: [{ name: 'one' }] } });
  });

  it('moves the dependencies when the workload moves', async () => {
    expect((await cp.apply([policy(['two'])])).status).toBe(200);
    await waitFor(
      'everything moved to two',
      () =>
        where('apps/v1/deployments', 'api').join() === 'two' &&
        where('v1/configmaps', 'api-config').join() === 'two' &&
        where('v1/secrets', 'api-token').join() === 'two',
    );
  });

  it('leaves dependencies alone when the policy says not to propagate them', async () => {
    expect((await cp.apply([policy(['two'], false)])).status).toBe(200);
    await waitFor(
      'dependencies pruned',
      () =>
        where('v1/configmaps', 'api-config').length === 0 && where('v1/secrets', 'api-token').length === 0,
    );
    expect(where('apps/v1/deployments', 'api')).toEqual(['two']);
  });
});
