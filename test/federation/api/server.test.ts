import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, deployment, TOKEN } from './harness.js';

const DEPLOYS = '/api/v1/namespaces/shop/objects/Deployment.v1.apps';

describe('API server: auth, probes, metrics, OpenAPI, error shapes', () => {
  let h: ApiHarness;
  afterEach(() => h.close());

  it('refuses /api without a token or with a wrong one (401 JSON), and leaves the probes open', async () => {
    h = await apiHarness();
    const none = await h.app.inject({ method: 'GET', url: DEPLOYS });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'Unauthorized' });
    expect(none.headers['www-authenticate']).toContain('Bearer');
    const wrong = await h.app.inject({
      method: 'GET',
      url: DEPLOYS,
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ code: 'Unauthorized', message: 'invalid bearer token' });
    const basic = await h.app.inject({
      method: 'GET',
      url: DEPLOYS,
      headers: { authorization: `Basic ${TOKEN}` },
    });
    expect(basic.statusCode).toBe(401);
    const post = await h.app.inject({ method: 'POST', url: DEPLOYS, payload: deployment('web') });
    expect(post.statusCode).toBe(401);
    expect(await h.store.get({ type: 'Deployment.v1.apps', namespace: 'shop', name: 'web' })).toBeUndefined();

    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      expect((await h.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    expect((await h.call({ method: 'GET', url: DEPLOYS })).statusCode).toBe(200);
  });

  it('answers /readyz 503 with the reason when not ready', async () => {
    let verdict: boolean | string = 'redis unavailable';
    h = await apiHarness({ ready: async () => verdict });
    const down = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ code: 'Unavailable', message: 'redis unavailable' });
    verdict = false;
    expect((await h.app.inject({ method: 'GET', url: '/readyz' })).json().message).toBe('not ready');
    verdict = true;
    expect((await h.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('exports HTTP counters and histograms by route and status, and the default process metrics', async () => {
    h = await apiHarness();
    await h.call({ method: 'GET', url: DEPLOYS });
    await h.app.inject({ method: 'GET', url: DEPLOYS });
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toMatch(
      /fedgate_http_requests_total\{method="GET",route="\/api\/v1\/namespaces\/:namespace\/objects\/:type",status="200"\} 1/,
    );
    expect(text).toMatch(/fedgate_http_requests_total\{[^}]*status="401"\} 1/);
    expect(text).toContain('fedgate_http_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('fedgate_api_watchers 0');
  });

  it('serves a valid OpenAPI 3 document generated from the route schemas', async () => {
    h = await apiHarness();
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('fedgate API');
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/v1/objects/{type}',
      '/api/v1/objects/{type}/{name}',
      '/api/v1/namespaces/{namespace}/objects/{type}',
      '/api/v1/namespaces/{namespace}/objects/{type}/{name}',
      '/api/v1/namespaces/{namespace}/objects/{type}/{name}/status',
      '/api/v1/apply',
      '/api/v1/watch',
      '/api/v1/explain/{type}/{namespace}/{name}',
      '/healthz',
      '/readyz',
      '/metrics',
    ]) {
      expect(paths, p).toContain(p);
    }
    const list = doc.paths['/api/v1/namespaces/{namespace}/objects/{type}'];
    expect(Object.keys(list)).toEqual(expect.arrayContaining(['get', 'post']));
    expect(list.get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['namespace', 'type', 'labelSelector']),
    );
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(JSON.stringify(doc)).toContain('"Error"');
    // Every $ref resolves.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    for (const r of refs) expect(doc.components.schemas, r).toHaveProperty(r);
  });

  it('answers malformed JSON 400, wrong content type 415, oversize 413, unknown routes 404, all as JSON, storing nothing', async () => {
    h = await apiHarness({ bodyLimitBytes: 2048 });
    const bad = await h.call({
      method: 'POST',
      url: DEPLOYS,
      headers: { 'content-type': 'application/json' },
      payload: '{"apiVersion": "apps/v1", "kind": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'BadRequest',
      message: expect.stringMatching(/^malformed JSON body/),
    });

    const text = await h.call({
      method: 'POST',
      url: DEPLOYS,
      headers: { 'content-type': 'text/plain' },
      payload: 'apiVersion: apps/v1',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ code: 'UnsupportedMediaType' });

    const big = deployment('web');
    (big.metadata as Record<string, unknown>).annotations = { note: 'x'.repeat(4096) };
    const tooBig = await h.call({ method: 'POST', url: DEPLOYS, payload: big });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json()).toMatchObject({ code: 'PayloadTooLarge' });

    const empty = await h.call({
      method: 'POST',
      url: DEPLOYS,
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(400);

    const proto = await h.call({
      method: 'POST',
      url: DEPLOYS,
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__": {"x": 1}, "apiVersion": "apps/v1"}',
    });
    expect(proto.statusCode).toBe(400);

    const array = await h.call({ method: 'POST', url: DEPLOYS, payload: [deployment('web')] });
    expect(array.statusCode).toBe(400);
    expect(array.json().code).toBe('BadRequest');

    const nowhere = await h.call({ method: 'GET', url: '/api/v1/nowhere' });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json()).toMatchObject({ code: 'NotFound', message: 'no route GET /api/v1/nowhere' });

    expect((await h.store.list('Deployment.v1.apps')).items).toEqual([]);
    expect(await h.store.currentResourceVersion()).toBe('0');
  });

  it('never logs the token or the Authorization header', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    h = await apiHarness({ logStream: sink });
    await h.call({ method: 'GET', url: DEPLOYS });
    await h.app.inject({
      method: 'GET',
      url: DEPLOYS,
      headers: { authorization: 'Bearer wrong-secret-value' },
    });
    h.app.log.info({ req: { headers: { authorization: `Bearer ${TOKEN}` } }, token: TOKEN }, 'probe');
    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(2);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('wrong-secret-value');
    expect(all).toContain('[redacted]');
  });
});
