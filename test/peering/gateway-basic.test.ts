import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.js';
import { call, route, startEcho, startFederation, type TestFederation } from './gateway-harness.js';

const CLUSTERS = { a: { region: 'eu-west-1', provider: 'aws' }, b: { region: 'us-east1', provider: 'gcp' } };

describe('two gateways', () => {
  let fed: TestFederation;
  const echoes: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    fed = await startFederation({
      clusters: CLUSTERS,
      services: {
        'shop/cart': route('shop', 'cart', ['b']),
        'shop/web': route('shop', 'web', ['a']),
      },
      authorization: [
        {
          name: 'web-to-cart',
          service: 'shop/cart',
          from: [{ cluster: 'a', namespace: 'shop', serviceAccount: 'web' }],
          paths: ['/api/'],
          methods: ['GET', 'POST'],
        },
        { name: 'b-to-web', service: 'shop/web', from: [{ cluster: 'b' }], paths: [], methods: [] },
      ],
      quotas: [],
    });
    const cart = await startEcho('b');
    const web = await startEcho('a');
    echoes.push(cart, web);
    await fed.start('a', {
      localEndpoints: { 'shop/web': [{ url: web.url }] },
      localWorkloads: {
        '127.0.0.5': { namespace: 'shop', serviceAccount: 'web' },
        '127.0.0.6': { namespace: 'shop', serviceAccount: 'intruder' },
      },
    });
    await fed.start('b', { localEndpoints: { 'shop/cart': [{ url: cart.url }] } });
    // Each gateway sees the other in the registry.
    await waitFor('gateways registered', async () => {
      const r = await call(fed.gateways.get('a')!, 'cart.shop.svc.clusterset.local', '/api/x', {
        localAddress: '127.0.0.5',
      });
      return r.status === 200;
    });
  });
  afterAll(async () => {
    await fed?.close();
    for (const e of echoes) await e.close();
  });

  it('an allowed cross-cluster call works in both directions', async () => {
    const a = fed.gateways.get('a')!;
    const b = fed.gateways.get('b')!;
    const r1 = await call(a, 'cart.shop.svc.clusterset.local', '/api/items', {
      method: 'POST',
      body: 'x'.repeat(1000),
      localAddress: '127.0.0.5',
    });
    expect(r1.status).toBe(200);
    expect(JSON.parse(r1.body)).toEqual({ cluster: 'b', path: '/api/items', method: 'POST', bytes: 1000 });
    const r2 = await call(b, 'web.shop.svc.clusterset.local', '/');
    expect(r2.status).toBe(200);
    expect(JSON.parse(r2.body).cluster).toBe('a');
  });

  it('denies a call no policy allows with 403 and a reason, and counts it', async () => {
    const a = fed.gateways.get('a')!;
    const b = fed.gateways.get('b')!;
    const wrongSa = await call(a, 'cart.shop.svc.clusterset.local', '/api/items', {
      localAddress: '127.0.0.6',
    });
    expect(wrongSa.status).toBe(403);
    expect(JSON.parse(wrongSa.body).message).toMatch(/no AuthorizationPolicy allows a\/shop\/intruder/);
    const wrongPath = await call(a, 'cart.shop.svc.clusterset.local', '/admin', {
      localAddress: '127.0.0.5',
    });
    expect(wrongPath.status).toBe(403);
    const wrongMethod = await call(a, 'cart.shop.svc.clusterset.local', '/api/x', {
      method: 'DELETE',
      localAddress: '127.0.0.5',
    });
    expect(wrongMethod.status).toBe(403);
    const metrics = await b.telemetry.refused.get();
    expect(metrics.values.find((v) => v.labels.reason === 'authorization')?.value).toBe(3);
  });

  it('answers 404 for a service nobody exports and 400 for a name that is not a clusterset name', async () => {
    const a = fed.gateways.get('a')!;
    expect((await call(a, 'nope.shop.svc.clusterset.local')).status).toBe(404);
    expect((await call(a, 'example.com')).status).toBe(400);
  });
});
