import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, deployment, placementPolicy } from './harness.js';

/** JSON text of a value nested `depth` levels deep (JSON.stringify itself overflows on such values). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;
}

describe('templates of built-in kinds are validated like a Kubernetes API server would', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  const apply = (items: unknown[]) => h.call({ method: 'POST', url: '/api/v1/apply', payload: { items } });

  it.each([
    ['"three"', 'three', 'must be an integer'],
    ['-3', -3, 'must be greater than or equal to 0'],
    ['2.5', 2.5, 'must be an integer'],
    ['2^53', 2 ** 53, 'must be an integer that fits in 32 bits'],
  ])('refuses replicas %s with the field path, and stores nothing', async (_label, replicas, message) => {
    const before = await h.store.currentResourceVersion();
    const d = deployment('web', 1);
    (d.spec as Record<string, unknown>).replicas = replicas;
    const res = await apply([deployment('ok', 1), d]);
    expect(res.statusCode).toBe(422);
    expect(res.json().fields).toEqual([{ path: '[1].spec.replicas', message }]);
    expect(res.json().message).toContain(`[1].spec.replicas: ${message}`);
    expect(await h.store.currentResourceVersion()).toBe(before);
    // The single-object route says the same, without the list index.
    const put = await h.call({
      method: 'POST',
      url: '/api/v1/namespaces/shop/objects/Deployment.v1.apps',
      payload: d,
    });
    expect(put.statusCode).toBe(422);
    expect(put.json().fields[0].path).toBe('spec.replicas');
  });

  it('refuses ConfigMap data that is not strings, naming each key', async () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'shop' },
      data: { size: 3, debug: true, name: 'x' },
    };
    const res = await apply([cm]);
    expect(res.statusCode).toBe(422);
    expect(res.json().fields).toEqual([
      { path: '[0].data.size', message: 'must be a string' },
      { path: '[0].data.debug', message: 'must be a string' },
    ]);
  });

  it('refuses a kind Kubernetes does not serve in a built-in group, accepts custom resources as they are', async () => {
    const bogus = { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x', namespace: 'shop' } };
    const res = await apply([bogus]);
    expect(res.statusCode).toBe(422);
    expect(res.json().fields[0]).toEqual({
      path: '[0].kind',
      message: 'Kubernetes serves no kind Deploymnet in apps/v1',
    });
    const custom = {
      apiVersion: 'squatter.example.com/v1',
      kind: 'Deployment',
      metadata: { name: 'checkout', namespace: 'shop' },
      spec: { replicas: 'three' },
    };
    expect((await apply([custom])).statusCode).toBe(200);
  });

  it('accepts a valid Deployment with quantities, int-or-string ports and probes', async () => {
    const d = deployment('full', 3);
    const container: Record<string, unknown> = d.spec.template.spec.containers[0]!;
    container.ports = [{ containerPort: 8080, name: 'http' }];
    container.resources = { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: 1 } };
    container.readinessProbe = { httpGet: { path: '/', port: 'http' } };
    const res = await apply([d]);
    expect(res.statusCode).toBe(200);
    const bad = deployment('badcpu', 1);
    const badContainer: Record<string, unknown> = bad.spec.template.spec.containers[0]!;
    badContainer.resources = { limits: { cpu: '1x' } };
    const refused = await apply([bad]);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().fields).toEqual([
      {
        path: '[0].spec.template.spec.containers[0].resources.limits.cpu',
        message: 'must be a valid quantity',
      },
    ]);
  });
});

describe('input that would break the pipeline is refused at the door', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([150, 1500, 5000, 100_000])('refuses a template nested %i levels deep', async (depth) => {
    const before = await h.store.currentResourceVersion();
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'deep', namespace: 'shop', annotations: { x: '@' } },
    };
    const body = JSON.stringify({ items: [cm] }).replace('"@"', nested(depth));
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/apply',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('Invalid');
    expect(res.json().message).toMatch(/nested deeper than \d+ levels/);
    expect(res.json().message).not.toMatch(/malformed|call stack/);
    expect(await h.store.currentResourceVersion()).toBe(before);
  });

  it('still refuses __proto__ keys', async () => {
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/apply',
      headers: { 'content-type': 'application/json' },
      payload:
        '{"items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"__proto__":{"x":1}}]}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('__proto__');
  });

  it.each(['env in ()', 'app=web,env notin ( )', 'env in (,)'])(
    'refuses the empty set selector %s',
    async (sel) => {
      const res = await h.call({
        method: 'GET',
        url: `/api/v1/objects/Deployment.v1.apps?labelSelector=${encodeURIComponent(sel)}`,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().fields[0]).toEqual({
        path: 'querystring.labelSelector',
        message: "for 'in', 'notin' operators, values set can't be empty",
      });
      const fine = await h.call({
        method: 'GET',
        url: `/api/v1/objects/Deployment.v1.apps?labelSelector=${encodeURIComponent('env in (a),app notin (b)')}`,
      });
      expect(fine.statusCode).toBe(200);
    },
  );

  it('refuses a policy whose static weights are all 0', async () => {
    const p = placementPolicy('zero');
    (p.spec as Record<string, unknown>).replicaScheduling = {
      type: 'Divided',
      division: 'StaticWeights',
      staticWeights: [
        { targetCluster: { clusterNames: ['a'] }, weight: 0 },
        { targetCluster: { clusterNames: ['b'] }, weight: 0 },
      ],
    };
    const res = await h.call({ method: 'POST', url: '/api/v1/apply', payload: { items: [p] } });
    expect(res.statusCode).toBe(422);
    expect(res.json().fields[0].path).toBe('[0].spec.replicaScheduling.staticWeights');
    const w = (p.spec as unknown as { replicaScheduling: { staticWeights: { weight: number }[] } })
      .replicaScheduling.staticWeights;
    w[1]!.weight = 1;
    expect((await h.call({ method: 'POST', url: '/api/v1/apply', payload: { items: [p] } })).statusCode).toBe(
      200,
    );
  });
});
