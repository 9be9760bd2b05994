import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BINDING_TYPE } from '../../../federation/resources/kinds.js';
import { type ApiHarness, apiHarness, deployment, memberCluster, placementPolicy } from './harness.js';

describe('API apply and explain', () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await apiHarness();
  });
  afterEach(() => h.close());

  const apply = (items: unknown[], dryRun = false) =>
    h.call({ method: 'POST', url: `/api/v1/apply?dryRun=${dryRun}`, payload: { items } });

  it('applies a mix of fedgate kinds and templates: created, then unchanged, then configured', async () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'shop' },
      data: { a: '1' },
    };
    const items = [memberCluster('c1'), placementPolicy('web'), deployment('web'), cm];
    const first = await apply(items);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().items).toEqual([
      expect.objectContaining({
        type: 'MemberCluster.v1alpha1.fedgate.dev',
        namespace: '',
        name: 'c1',
        action: 'created',
        generation: 1,
      }),
      expect.objectContaining({
        type: 'PlacementPolicy.v1alpha1.fedgate.dev',
        name: 'web',
        action: 'created',
      }),
      expect.objectContaining({
        type: 'Deployment.v1.apps',
        namespace: 'shop',
        name: 'web',
        action: 'created',
      }),
      expect.objectContaining({ type: 'ConfigMap.v1', namespace: 'shop', name: 'cfg', action: 'created' }),
    ]);
    const second = (await apply(items)).json();
    expect(second.items.map((i: { action: string }) => i.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    const third = (await apply([memberCluster('c1'), deployment('web', 5)])).json();
    expect(third.items.map((i: { action: string }) => i.action)).toEqual(['unchanged', 'configured']);
    expect(third.items[1].generation).toBe(2);
  });

  it('validates every item first and writes nothing when any is invalid, naming index and field', async () => {
    const bad = memberCluster('c2');
    (bad.spec as Record<string, unknown>).region = 'EU WEST';
    const binding = {
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'Binding',
      metadata: { name: 'b', namespace: 'x' },
    };
    const before = await h.store.currentResourceVersion();
    const res = await apply([memberCluster('c1'), deployment('web'), bad, 'not an object', binding]);
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('Invalid');
    expect(body.message).toMatch(/^nothing applied: /);
    const paths = body.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(['[2].spec.region', '[3]', '[4].kind']);
    expect(await h.store.currentResourceVersion()).toBe(before);
    expect(
      await h.store.get({ type: 'MemberCluster.v1alpha1.fedgate.dev', namespace: '', name: 'c1' }),
    ).toBeUndefined();

    const notAList = await h.call({ method: 'POST', url: '/api/v1/apply', payload: { items: 'x' } });
    expect(notAList.statusCode).toBe(400);
    expect(notAList.json().fields[0].path).toBe('items');
  });

  it('dry run reports what would happen and writes nothing', async () => {
    await apply([deployment('web', 2)]);
    const before = await h.store.currentResourceVersion();
    const res = await apply(
      [
        deployment('web', 2),
        deployment('web2', 1),
        memberCluster('c1'),
        {
          ...deployment('web', 2),
          metadata: { ...deployment('web').metadata, labels: { app: 'web', tier: 'x' } },
        },
      ],
      true,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((i: { name: string; action: string }) => `${i.name} ${i.action}`)).toEqual([
      'web unchanged (dry run)',
      'web2 created (dry run)',
      'c1 created (dry run)',
      'web configured (dry run)',
    ]);
    expect(await h.store.currentResourceVersion()).toBe(before);
    const invalid = await apply([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} }], true);
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().fields[0].path).toBe('[0].metadata.name');
  });

  it("explains a template with its Binding's explanation and cluster status, 404 with a hint before", async () => {
    const url = '/api/v1/explain/Deployment.v1.apps/shop/web';
    const missing = await h.call({ method: 'GET', url });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toContain('not found: apply it first');
    await apply([deployment('web')]);
    const unplaced = await h.call({ method: 'GET', url });
    expect(unplaced.statusCode).toBe(404);
    expect(unplaced.json().message).toContain('has no Binding web-deployment yet');

    const key = { type: BINDING_TYPE, namespace: 'shop', name: 'web-deployment' };
    await h.store.create(key, {
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'Binding',
      metadata: { name: 'web-deployment', namespace: 'shop' },
      spec: {
        resource: { kind: 'Deployment', name: 'web', generation: 1 },
        policy: 'web',
        clusters: [{ name: 'c1', replicas: 2 }],
      },
    });
    const explanation = {
      policy: { winner: 'web', reason: 'only match', candidates: [] },
      feasible: [],
      rejected: [],
    };
    await h.store.updateStatus(key, { conditions: [], explanation });
    await h.store.setClusterStatus(key, 'c1', { cluster: 'c1', phase: 'Applied', appliedGeneration: 1 });
    const res = await h.call({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.json().status.explanation).toEqual(explanation);
    expect(res.json().status.clusters).toEqual([{ cluster: 'c1', phase: 'Applied', appliedGeneration: 1 }]);

    const ofPolicy = await h.call({
      method: 'GET',
      url: '/api/v1/explain/MemberCluster.v1alpha1.fedgate.dev/_/c1',
    });
    expect(ofPolicy.statusCode).toBe(400);
  });
});
