import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BINDING_TYPE } from '../../../federation/resources/kinds.js';
import { type ApiHarness, apiHarness, deployment, memberCluster, placementPolicy } from './harness.js';

const MC = '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev';
const PP = '/api/v1/objects/PlacementPolicy.v1alpha1.fedgate.dev';
const DEPLOYS = '/api/v1/namespaces/shop/objects/Deployment.v1.apps';

describe('API objects: CRUD of every kind', () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await apiHarness();
  });
  afterEach(() => h.close());

  it('creates, reads, lists, replaces and deletes a MemberCluster', async () => {
    const created = await h.call({
      method: 'POST',
      url: MC,
      payload: memberCluster('aws-eu-1', 'eu-west-1', { env: 'prod' }),
    });
    expect(created.statusCode).toBe(201);
    const obj = created.json();
    expect(obj.metadata).toMatchObject({ name: 'aws-eu-1', generation: 1 });
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.spec.taints).toEqual([]); // defaults applied by the schema

    await h.call({ method: 'POST', url: MC, payload: memberCluster('gcp-us-1', 'us-east1') });
    const again = await h.call({ method: 'POST', url: MC, payload: memberCluster('aws-eu-1') });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('AlreadyExists');

    const got = await h.call({ method: 'GET', url: `${MC}/aws-eu-1` });
    expect(got.json()).toEqual(obj);

    const list = (await h.call({ method: 'GET', url: MC })).json();
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual([
      'aws-eu-1',
      'gcp-us-1',
    ]);
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(2);
    const selected = (await h.call({ method: 'GET', url: `${MC}?labelSelector=env%3Dprod` })).json();
    expect(selected.items).toHaveLength(1);

    const changed = { ...memberCluster('aws-eu-1', 'eu-central-1'), metadata: { ...obj.metadata } };
    const put = await h.call({ method: 'PUT', url: `${MC}/aws-eu-1`, payload: changed });
    expect(put.statusCode).toBe(200);
    expect(put.json().spec.region).toBe('eu-central-1');
    expect(put.json().metadata.generation).toBe(2);

    const del = await h.call({ method: 'DELETE', url: `${MC}/aws-eu-1` });
    expect(del.statusCode).toBe(200);
    expect(del.json().metadata.name).toBe('aws-eu-1');
    expect((await h.call({ method: 'GET', url: `${MC}/aws-eu-1` })).statusCode).toBe(404);
    const gone = await h.call({ method: 'DELETE', url: `${MC}/aws-eu-1` });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'NotFound', message: expect.stringContaining('aws-eu-1') });
  });

  it('round-trips a PlacementPolicy', async () => {
    const created = await h.call({ method: 'POST', url: PP, payload: placementPolicy('web', 10) });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().spec).toMatchObject({ priority: 10 });
    expect((await h.call({ method: 'GET', url: `${PP}/web` })).json().spec.priority).toBe(10);
    const bad = placementPolicy('bad');
    (bad.spec as Record<string, unknown>).resourceSelectors = [];
    const refused = await h.call({ method: 'POST', url: PP, payload: bad });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().fields[0].path).toBe('spec.resourceSelectors');
    expect((await h.call({ method: 'DELETE', url: `${PP}/web` })).statusCode).toBe(200);
  });

  it('round-trips templates: a Deployment, a ConfigMap and an unknown CRD kind, namespaced', async () => {
    const dep = await h.call({ method: 'POST', url: DEPLOYS, payload: deployment('web', 3) });
    expect(dep.statusCode).toBe(201);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } };
    const cmRes = await h.call({
      method: 'POST',
      url: '/api/v1/namespaces/shop/objects/ConfigMap.v1',
      payload: cm,
    });
    expect(cmRes.statusCode).toBe(201);
    expect(cmRes.json().metadata.namespace).toBe('shop'); // taken from the URL
    const widget = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1', namespace: 'shop' },
      spec: { anything: { goes: [1, 2, 3] } },
    };
    const w = await h.call({
      method: 'POST',
      url: '/api/v1/namespaces/shop/objects/Widget.v1.example.com',
      payload: widget,
    });
    expect(w.statusCode).toBe(201);
    expect(
      (
        await h.call({ method: 'GET', url: '/api/v1/namespaces/shop/objects/Widget.v1.example.com/w1' })
      ).json().spec,
    ).toEqual(widget.spec);
    // Lists: in a namespace and across namespaces.
    await h.call({
      method: 'POST',
      url: '/api/v1/objects/Deployment.v1.apps',
      payload: deployment('api', 1, 'other'),
    });
    expect((await h.call({ method: 'GET', url: DEPLOYS })).json().items).toHaveLength(1);
    expect(
      (await h.call({ method: 'GET', url: '/api/v1/objects/Deployment.v1.apps' })).json().items,
    ).toHaveLength(2);
    // Status is the control plane's, apart from spec.
    const st = await h.call({
      method: 'PUT',
      url: `${DEPLOYS}/web/status`,
      payload: { status: { readyReplicas: 3 } },
    });
    expect(st.statusCode).toBe(200);
    expect(st.json().status).toEqual({ readyReplicas: 3 });
    expect(st.json().metadata.generation).toBe(1);
    // A namespaced kind needs a namespace in single-object URLs.
    const wrongScope = await h.call({ method: 'GET', url: '/api/v1/objects/Deployment.v1.apps/web' });
    expect(wrongScope.statusCode).toBe(400);
    expect(wrongScope.json().message).toContain('namespaced');
    expect((await h.call({ method: 'DELETE', url: `${DEPLOYS}/web` })).statusCode).toBe(200);
  });

  it('refuses a stale PUT with 409 and keeps the newer object', async () => {
    const v1 = (await h.call({ method: 'POST', url: DEPLOYS, payload: deployment('web', 2) })).json();
    const rv1 = v1.metadata.resourceVersion;
    const ok = await h.call({
      method: 'PUT',
      url: `${DEPLOYS}/web`,
      payload: { ...deployment('web', 3), metadata: { ...deployment('web').metadata, resourceVersion: rv1 } },
    });
    expect(ok.statusCode).toBe(200);
    const stale = await h.call({
      method: 'PUT',
      url: `${DEPLOYS}/web`,
      payload: { ...deployment('web', 9), metadata: { ...deployment('web').metadata, resourceVersion: rv1 } },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'Conflict' });
    expect(
      (await h.store.mustGet({ type: 'Deployment.v1.apps', namespace: 'shop', name: 'web' })).spec,
    ).toMatchObject({
      replicas: 3,
    });
    const staleDelete = await h.call({ method: 'DELETE', url: `${DEPLOYS}/web?resourceVersion=${rv1}` });
    expect(staleDelete.statusCode).toBe(409);
  });

  it('refuses invalid input with field paths and stores nothing', async () => {
    const before = await h.store.currentResourceVersion();
    const badMc = memberCluster('c1');
    (badMc.spec as Record<string, unknown>).region = 'Not A Region';
    (badMc.spec as Record<string, unknown>).provider = 'ibm';
    const r1 = await h.call({ method: 'POST', url: MC, payload: badMc });
    expect(r1.statusCode).toBe(422);
    expect(r1.json().code).toBe('Invalid');
    expect(
      r1
        .json()
        .fields.map((f: { path: string }) => f.path)
        .sort(),
    ).toEqual(['spec.provider', 'spec.region']);

    const badName = { ...deployment('Web_1'), metadata: { name: 'Web_1', namespace: 'shop' } };
    const r2 = await h.call({ method: 'POST', url: DEPLOYS, payload: badName });
    expect(r2.statusCode).toBe(422);
    expect(r2.json().fields[0].path).toBe('metadata.name');

    const otherNs = deployment('web', 1, 'elsewhere');
    const r3 = await h.call({ method: 'POST', url: DEPLOYS, payload: otherNs });
    expect(r3.statusCode).toBe(400);
    expect(r3.json().fields[0].path).toBe('metadata.namespace');

    const r4 = await h.call({
      method: 'POST',
      url: DEPLOYS.replace('Deployment.v1.apps', 'StatefulSet.v1.apps'),
      payload: deployment('web'),
    });
    expect(r4.statusCode).toBe(400);
    expect(r4.json().fields[0].path).toBe('kind');

    const r5 = await h.call({ method: 'GET', url: '/api/v1/objects/not-a-type' });
    expect(r5.statusCode).toBe(400);
    expect(r5.json().message).toContain('type key');
    const r6 = await h.call({ method: 'GET', url: '/api/v1/objects/Gadget.v1alpha1.fedgate.dev' });
    expect(r6.statusCode).toBe(400);
    const r7 = await h.call({ method: 'GET', url: '/api/v1/namespaces/Bad_NS/objects/ConfigMap.v1' });
    expect(r7.statusCode).toBe(400);
    expect(r7.json().fields[0].path).toBe('params.namespace');
    const r8 = await h.call({ method: 'GET', url: `${MC}?labelSelector=${encodeURIComponent('a in (')}` });
    expect(r8.statusCode).toBe(400);

    const renamed = await h.call({ method: 'PUT', url: `${DEPLOYS}/web`, payload: deployment('api') });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json().fields[0].path).toBe('metadata.name');

    expect(await h.store.currentResourceVersion()).toBe(before);
  });

  it('lets users read and delete Bindings, with per-cluster status merged, but never write them', async () => {
    const key = { type: BINDING_TYPE, namespace: 'shop', name: 'web-deployment' };
    const binding = {
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'Binding',
      metadata: { name: 'web-deployment', namespace: 'shop' },
      spec: { resource: { kind: 'Deployment', name: 'web' }, clusters: [{ name: 'c1', replicas: 2 }] },
    };
    await h.store.create(key, binding);
    await h.store.setClusterStatus(key, 'c1', { cluster: 'c1', phase: 'Applied', lastUpdateTime: 'now' });
    const url = `/api/v1/namespaces/shop/objects/${BINDING_TYPE}`;
    const got = (await h.call({ method: 'GET', url: `${url}/web-deployment` })).json();
    expect(got.status.clusters).toEqual([{ cluster: 'c1', phase: 'Applied', lastUpdateTime: 'now' }]);
    const listed = (await h.call({ method: 'GET', url })).json();
    expect(listed.items[0].status.clusters).toHaveLength(1);
    const create = await h.call({
      method: 'POST',
      url,
      payload: { ...binding, metadata: { name: 'x', namespace: 'shop' } },
    });
    expect(create.statusCode).toBe(403);
    expect(create.json().code).toBe('Forbidden');
    const put = await h.call({ method: 'PUT', url: `${url}/web-deployment`, payload: binding });
    expect(put.statusCode).toBe(403);
    expect((await h.call({ method: 'DELETE', url: `${url}/web-deployment` })).statusCode).toBe(200);
    expect(await h.store.get(key)).toBeUndefined();
  });
});
