import { Resolver } from 'node:dns/promises';
import * as http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClustersetDns, startClustersetDns } from '../../peering/gateway/clusterset-dns.js';
import { route, startEcho, startFederation, type TestFederation } from './gateway-harness.js';

describe('clusterset.local names for unchanged apps', () => {
  let dns: ClustersetDns | undefined;
  let fed: TestFederation | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await dns?.close();
    dns = undefined;
    await fed?.close();
    fed = undefined;
    for (const c of closers.splice(0)) await c();
  });

  it('answers an exported service name with the local gateway, NXDOMAIN for others, REFUSED outside the zone', async () => {
    const exported = new Set(['shop/cart']);
    dns = await startClustersetDns({
      host: '127.0.0.1',
      port: 0,
      gatewayIp: '127.0.0.7',
      isExported: (s) => exported.has(s),
    });
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`127.0.0.1:${dns.port}`]);
    expect(await r.resolve4('cart.shop.svc.clusterset.local')).toEqual(['127.0.0.7']);
    expect(await r.resolve4('CART.shop.svc.clusterset.local.')).toEqual(['127.0.0.7']);
    await expect(r.resolve4('nope.shop.svc.clusterset.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(r.resolve4('a.b.c.svc.clusterset.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(r.resolve6('cart.shop.svc.clusterset.local')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(r.resolve4('example.com')).rejects.toMatchObject({ code: 'EREFUSED' });
    exported.delete('shop/cart'); // read on every query: an export withdrawn stops resolving
    await expect(r.resolve4('cart.shop.svc.clusterset.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('serves an app that uses the gateway as its HTTP proxy (HTTP_PROXY) by the clusterset URL', async () => {
    fed = await startFederation({
      clusters: { a: { region: 'eu-west-1', provider: 'aws' }, b: { region: 'us-east1', provider: 'gcp' } },
      services: { 'shop/cart': route('shop', 'cart', ['b']) },
      authorization: [{ name: 'all', service: 'shop/cart', from: [], paths: [], methods: [] }],
      quotas: [],
    });
    const echo = await startEcho('b');
    closers.push(() => echo.close());
    await fed.start('b', { localEndpoints: { 'shop/cart': [{ url: echo.url }] } });
    const a = await fed.start('a');
    // What curl, Go's net/http or Python's requests do with HTTP_PROXY set for an http:// URL: the
    // absolute-form request line, sent to the proxy.
    const gw = new URL(a.appUrl);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: gw.hostname,
          port: gw.port,
          path: 'http://cart.shop.svc.clusterset.local/items?x=1',
          headers: { host: 'cart.shop.svc.clusterset.local' },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ cluster: 'b', path: '/items?x=1' });
  });
});
