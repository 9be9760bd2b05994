import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, deployment, memberCluster, placementPolicy } from './harness.js';

const secret = (name: string, namespace: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  data: { password: Buffer.from('hunter2').toString('base64') },
});
const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('named tokens with roles', () => {
  let h: ApiHarness;
  const tokens: Record<string, string> = {};
  /** A request with one of the named tokens. */
  const as = (who: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[who]}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const apply = (who: string, items: unknown[]) => as(who, 'POST', '/api/v1/apply', { items });

  beforeAll(async () => {
    h = await apiHarness();
    for (const [name, role, namespaces] of [
      ['platform-team', 'platform', undefined],
      ['app-shop', 'app', ['shop']],
      ['viewer', 'readonly', undefined],
    ] as const) {
      const res = await h.call({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { name, role, ...(namespaces ? { namespaces } : {}) },
      });
      expect(res.statusCode, res.body).toBe(201);
      tokens[name] = res.json<{ token: string }>().token;
    }
    // What the platform team and another app team put there.
    expect(
      (
        await h.call({
          method: 'POST',
          url: '/api/v1/apply',
          payload: { items: [deployment('pay', 1, 'payments'), secret('db', 'shop')] },
        })
      ).statusCode,
    ).toBe(200);
  });
  afterAll(async () => {
    await h.close();
  });

  it('lists tokens without their values and keeps only hashes in Redis', async () => {
    const list = await h.call({ method: 'GET', url: '/api/v1/tokens' });
    expect(list.statusCode).toBe(200);
    const items = list.json<{ items: Record<string, unknown>[] }>().items;
    expect(items.map((t) => [t.name, t.role, t.namespaces])).toEqual([
      ['app-shop', 'app', ['shop']],
      ['platform-team', 'platform', []],
      ['viewer', 'readonly', []],
    ]);
    expect(list.body).not.toContain(tokens['app-shop']);
    const redis = h.redis.connect();
    const keys = await redis.keys(`*${h.redis.prefix}*tokens*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const all = JSON.stringify(await redis.hgetall(key));
      for (const t of Object.values(tokens)) expect(all).not.toContain(t);
    }
  });

  it('lets an app team write templates in its namespaces only, with the reason when it may not', async () => {
    const ok = await apply('app-shop', [namespace('shop'), deployment('web', 2, 'shop')]);
    expect(ok.statusCode, ok.body).toBe(200);

    const policy = await apply('app-shop', [placementPolicy('mine')]);
    expect(policy.statusCode).toBe(403);
    expect(policy.json<{ code: string; message: string }>()).toMatchObject({
      code: 'Forbidden',
      message: expect.stringContaining(
        'token app-shop (role app, namespaces shop) may not write PlacementPolicy',
      ),
    });
    // All or nothing: the allowed item of a refused apply is not written either.
    const mixed = await apply('app-shop', [
      deployment('web2', 1, 'shop'),
      deployment('steal', 1, 'payments'),
    ]);
    expect(mixed.statusCode).toBe(403);
    expect(mixed.json<{ fields: { path: string; message: string }[] }>().fields).toEqual([
      {
        path: '[1]',
        message: 'token app-shop (role app, namespaces shop) may not write Deployment in namespace payments',
      },
    ]);
    expect(
      await h.store.get({ type: 'Deployment.v1.apps', namespace: 'shop', name: 'web2' }),
    ).toBeUndefined();
    expect((await apply('app-shop', [namespace('payments')])).statusCode).toBe(403);
    expect((await apply('app-shop', [memberCluster('mine')])).statusCode).toBe(403);

    expect(
      (await as('app-shop', 'GET', '/api/v1/namespaces/shop/objects/Deployment.v1.apps')).statusCode,
    ).toBe(200);
    expect((await as('app-shop', 'GET', '/api/v1/namespaces/shop/objects/Secret.v1/db')).statusCode).toBe(
      200,
    );
    expect(
      (await as('app-shop', 'GET', '/api/v1/namespaces/payments/objects/Deployment.v1.apps/pay')).statusCode,
    ).toBe(403);
    const across = await as('app-shop', 'GET', '/api/v1/objects/Deployment.v1.apps');
    expect(across.statusCode).toBe(403);
    expect(across.json<{ message: string }>().message).toContain(
      'may not read Deployment across all namespaces',
    );
    expect(
      (await as('app-shop', 'GET', '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev')).statusCode,
    ).toBe(200);
    expect(
      (await as('app-shop', 'DELETE', '/api/v1/namespaces/payments/objects/Deployment.v1.apps/pay'))
        .statusCode,
    ).toBe(403);
    expect(
      (await as('app-shop', 'DELETE', '/api/v1/namespaces/shop/objects/Deployment.v1.apps/web')).statusCode,
    ).toBe(200);
    expect((await as('app-shop', 'POST', '/api/v1/simulate', { policies: [] })).statusCode).toBe(403);
    expect((await as('app-shop', 'GET', '/api/v1/tokens')).statusCode).toBe(403);
  });

  it('lets the platform team write every kind but not manage tokens', async () => {
    const res = await apply('platform-team', [
      memberCluster('aws-1'),
      placementPolicy('web'),
      deployment('x', 1, 'payments'),
    ]);
    expect(res.statusCode, res.body).toBe(200);
    const mint = await as('platform-team', 'POST', '/api/v1/tokens', { name: 'sneaky', role: 'admin' });
    expect(mint.statusCode).toBe(403);
    expect(mint.json<{ message: string }>().message).toBe(
      'token platform-team (role platform) may not manage tokens',
    );
    expect(
      (
        await as('platform-team', 'PUT', '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev/aws-1/status', {
          status: {},
        })
      ).statusCode,
    ).toBe(403);
  });

  it('lets a viewer read everything but Secrets, and write nothing', async () => {
    expect((await as('viewer', 'GET', '/api/v1/objects/Deployment.v1.apps')).statusCode).toBe(200);
    expect(
      (await as('viewer', 'GET', '/api/v1/objects/PlacementPolicy.v1alpha1.fedgate.dev')).statusCode,
    ).toBe(200);
    const s = await as('viewer', 'GET', '/api/v1/namespaces/shop/objects/Secret.v1/db');
    expect(s.statusCode).toBe(403);
    expect(s.body).not.toContain('aHVudGVyMg');
    expect((await apply('viewer', [deployment('v', 1, 'shop')])).statusCode).toBe(403);
    expect((await as('viewer', 'POST', '/api/v1/simulate', { policies: [] })).statusCode).toBe(200);
  });

  it('shows a watcher only what its token may read', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    await apply('platform-team', [
      deployment('other', 1, 'payments'),
      secret('api-key', 'shop'),
      deployment('last', 1, 'shop'),
    ]);
    const seen = async (who: string, until: string) => {
      const abort = new AbortController();
      const res = await fetch(`${url}/api/v1/watch?resourceVersion=0`, {
        headers: { authorization: `Bearer ${tokens[who]}` },
        signal: abort.signal,
      });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes(until)) text += new TextDecoder().decode((await reader.read()).value);
      abort.abort();
      return text;
    };
    const app = await seen('app-shop', '"name":"last"');
    expect(app).not.toContain('"namespace":"payments"');
    expect(app).toContain('"api-key"');
    const viewer = await seen('viewer', '"name":"last"');
    expect(viewer).toContain('"namespace":"payments"');
    expect(viewer).not.toContain('api-key');
  });

  it('refuses bad token requests, and a revoked token at once', async () => {
    const noNs = await h.call({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'x', role: 'app' } });
    expect(noNs.statusCode).toBe(400);
    expect(noNs.body).toContain('namespaces');
    expect(
      (await h.call({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'viewer', role: 'readonly' } }))
        .statusCode,
    ).toBe(409);
    expect(
      (await h.call({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'admin', role: 'admin' } }))
        .statusCode,
    ).toBe(409);
    expect(
      (await h.call({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'Bad_Name', role: 'admin' } }))
        .statusCode,
    ).toBe(400);

    expect((await h.call({ method: 'DELETE', url: '/api/v1/tokens/viewer' })).statusCode).toBe(200);
    expect((await as('viewer', 'GET', '/api/v1/objects/Deployment.v1.apps')).statusCode).toBe(401);
    expect((await h.call({ method: 'DELETE', url: '/api/v1/tokens/viewer' })).statusCode).toBe(404);
  });
});
