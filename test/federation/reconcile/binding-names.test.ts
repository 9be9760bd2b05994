import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindingNameFor, legacyBindingNameFor } from '../../../federation/resources/binding.js';
import { BINDING_TYPE } from '../../../federation/resources/kinds.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const deployment = (apiVersion: string, name: string) => ({
  apiVersion,
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    },
  },
});

const policy = {
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'everything' },
  spec: {
    resourceSelectors: [
      { apiVersion: 'apps/v1', kind: 'Deployment' },
      { apiVersion: 'example.com/v1', kind: 'Widget' },
    ],
    clusterAffinity: { clusterNames: ['one'] },
  },
};

describe('Binding names', () => {
  it('keep <name>-<kind> for built-in groups and carry the group for any other', () => {
    expect(bindingNameFor('Deployment', 'checkout', 'apps')).toBe('checkout-deployment');
    expect(bindingNameFor('ConfigMap', 'settings', '')).toBe('settings-configmap');
    expect(bindingNameFor('Ingress', 'web', 'networking.k8s.io')).toBe('web-ingress');
    const squatter = bindingNameFor('Deployment', 'checkout', 'squatter.example.com');
    expect(squatter).toMatch(/^checkout-deployment-[0-9a-f]{10}$/);
    expect(bindingNameFor('Deployment', 'checkout', 'other.example.com')).not.toBe(squatter);
    expect(legacyBindingNameFor('Deployment', 'checkout', 'squatter.example.com')).toBe(
      'checkout-deployment',
    );
    expect(legacyBindingNameFor('Deployment', 'checkout', 'apps')).toBeUndefined();
    expect(bindingNameFor('Deployment', 'x'.repeat(300), 'example.com').length).toBeLessThanOrEqual(253);
  });
});

describe('templates of different groups with one kind and name', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane([{ name: 'one', provider: 'aws', region: 'eu-west-1' }]);
  });
  afterAll(() => cp.close());

  const binding = async (name: string) =>
    (await cp.api.store.get({ type: BINDING_TYPE, namespace: 'shop', name })) as
      | { spec: { resource: { type: string }; clusters: { name: string }[] } }
      | undefined;

  it('a squatter.example.com Deployment applied first does not keep the apps/v1 one from being placed', async () => {
    expect((await cp.apply([policy, deployment('squatter.example.com/v1', 'checkout')])).status).toBe(200);
    const squatterName = bindingNameFor('Deployment', 'checkout', 'squatter.example.com');
    await waitFor('the squatter binding', () => binding(squatterName));
    expect((await cp.apply([deployment('apps/v1', 'checkout')])).status).toBe(200);
    await waitFor(
      'the apps/v1 Deployment in cluster one',
      () => cp.sims.get('one')?.object('apps/v1/deployments', 'shop', 'checkout') !== undefined,
    );
    expect((await binding('checkout-deployment'))?.spec.resource.type).toBe('Deployment.v1.apps');
    expect((await binding(squatterName))?.spec.resource.type).toBe('Deployment.v1.squatter.example.com');
  });

  it('a custom resource placed before names carried the group keeps its Binding where it is', async () => {
    // A Binding as an earlier fedgate named it, `<name>-<kind>`, for an example.com Widget.
    const legacyName = 'gadget-widget';
    await cp.api.store.save(
      { type: BINDING_TYPE, namespace: 'shop', name: legacyName },
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'Binding',
        metadata: { name: legacyName, namespace: 'shop' },
        spec: {
          resource: {
            apiVersion: 'example.com/v1',
            kind: 'Widget',
            namespace: 'shop',
            name: 'gadget',
            generation: 1,
            type: 'Widget.v1.example.com',
          },
          clusters: [],
        },
        status: { conditions: [] },
      },
      undefined,
    );
    const widget = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'gadget', namespace: 'shop' },
      spec: { size: 1 },
    };
    expect((await cp.apply([widget])).status).toBe(200);
    const adopted = await waitFor('the legacy binding placed', async () => {
      const b = await binding(legacyName);
      return b?.spec.clusters.some((c) => c.name === 'one') ? b : undefined;
    });
    expect(adopted.spec.resource.type).toBe('Widget.v1.example.com');
    expect(await binding(bindingNameFor('Widget', 'gadget', 'example.com'))).toBeUndefined();
    const explained = await cp.request('GET', '/api/v1/explain/Widget.v1.example.com/shop/gadget');
    expect(explained.status).toBe(200);
    expect(explained.body).toMatchObject({ metadata: { name: legacyName } });
  });
});
