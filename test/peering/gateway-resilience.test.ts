import * as http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { FederationCa } from '../../peering/identity/federation-ca.js';
import { waitFor } from '../support/wait-for.js';
import {
  call,
  FEDERATION,
  route,
  startEcho,
  startFederation,
  type TestFederation,
} from './gateway-harness.js';

const CLUSTERS = {
  a: { region: 'eu-west-1', provider: 'aws' },
  a2: { region: 'eu-west-1', provider: 'aws' },
  b: { region: 'us-east1', provider: 'gcp' },
};
const ALLOW_ALL = (service: string) => ({
  name: `all-${service}`,
  service,
  from: [],
  paths: [],
  methods: [],
});

let fed: TestFederation | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await fed?.close();
  fed = undefined;
  for (const c of closers.splice(0)) await c();
});

async function echo(cluster: string) {
  const e = await startEcho(cluster);
  closers.push(() => e.close());
  return e;
}

/** Runs `workers` loops of calls until `stop()`; gives the count of calls and failures. */
function steadyLoad(fn: () => Promise<number>, workers = 6) {
  let running = true;
  const stats = { calls: 0, failures: [] as string[] };
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const status = await fn();
        stats.calls++;
        if (status !== 200) stats.failures.push(`status ${status}`);
      } catch (err) {
        stats.failures.push(String(err));
      }
    }
  });
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}

describe('gateway security', () => {
  it('refuses at the handshake a peer whose certificate chains to a foreign CA, and counts it', async () => {
    fed = await startFederation({
      clusters: CLUSTERS,
      services: { 'shop/cart': route('shop', 'cart', ['b']) },
      authorization: [ALLOW_ALL('shop/cart')],
      quotas: [],
    });
    const cart = await echo('b');
    const b = await fed.start('b', { localEndpoints: { 'shop/cart': [{ url: cart.url }] } });
    const foreign = await FederationCa.create({ federation: FEDERATION });
    const cert = await foreign.issueGatewayCertificate('a');
    const session = http2.connect(b.peerUrl, {
      cert: cert.certChainPem,
      key: cert.keyPem,
      ca: fed.ca.trustBundlePem(),
      checkServerIdentity: () => undefined,
    });
    const outcome = await new Promise<string>((resolve) => {
      session.on('error', (err) => resolve(`error: ${err.message}`));
      const s = session.request({ ':path': '/', 'x-fedgate-service': 'shop/cart' });
      s.on('response', (h) => resolve(`answered ${h[':status']}`));
      s.on('error', (err) => resolve(`error: ${err.message}`));
      s.on('close', () => resolve('error: closed before an answer'));
      session.on('close', () => resolve('error: session closed'));
      s.end();
    });
    session.destroy();
    expect(outcome).toMatch(/^error/);
    expect(cart.hits).toBe(0);
    await waitFor(
      'the refusal counted',
      async () => ((await b.telemetry.handshakeRefusals.get()).values[0]?.value ?? 0) >= 1,
    );
  });

  it('answers 429 with Retry-After over a per-caller quota shared through Redis', async () => {
    fed = await startFederation({
      clusters: CLUSTERS,
      services: { 'shop/cart': route('shop', 'cart', ['b']) },
      authorization: [ALLOW_ALL('shop/cart')],
      quotas: [{ name: 'shop/cart-q', service: 'shop/cart', perCaller: { requests: 3, periodSeconds: 60 } }],
    });
    const cart = await echo('b');
    const a = await fed.start('a');
    const a2 = await fed.start('a2');
    await fed.start('b', { localEndpoints: { 'shop/cart': [{ url: cart.url }] } });
    await waitFor(
      'b registered',
      async () => (await call(a, 'cart.shop.svc.clusterset.local')).status === 200,
    );
    // Two more from a: the quota of cluster a's callers is used up.
    expect((await call(a, 'cart.shop.svc.clusterset.local')).status).toBe(200);
    expect((await call(a, 'cart.shop.svc.clusterset.local')).status).toBe(200);
    const over = await call(a, 'cart.shop.svc.clusterset.local');
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(over.body).message).toMatch(/quota shop\/cart-q/);
    // Another caller identity has its own count.
    await waitFor(
      'a2 allowed',
      async () => (await call(a2, 'cart.shop.svc.clusterset.local')).status === 200,
    );
  });
});

describe('gateway resilience', () => {
  it('fails over from a killed local endpoint, then to another cluster, with no failed request', async () => {
    fed = await startFederation({
      clusters: CLUSTERS,
      services: { 'shop/api': route('shop', 'api', ['a', 'b']) },
      authorization: [ALLOW_ALL('shop/api')],
      quotas: [],
    });
    const e1 = await echo('a');
    const e2 = await echo('a');
    const eb = await echo('b');
    // b first: a's first registry read then knows b's gateway.
    await fed.start('b', { localEndpoints: { 'shop/api': [{ url: eb.url }] } });
    const a = await fed.start('a', { localEndpoints: { 'shop/api': [{ url: e1.url }, { url: e2.url }] } });
    const served: string[] = [];
    const load = steadyLoad(async () => {
      const r = await call(a, 'api.shop.svc.clusterset.local');
      if (r.status === 200) served.push(JSON.parse(r.body).cluster);
      return r.status;
    }, 4);
    await waitFor('traffic flowing', () => load.stats.calls > 50);
    expect(eb.hits).toBe(0); // locality: the local endpoints serve while they are up
    await e1.close();
    const mark = load.stats.calls;
    await waitFor('traffic after the first kill', () => load.stats.calls > mark + 100);
    await e2.close();
    const mark2 = served.length;
    await waitFor(
      'traffic served by cluster b',
      () => served.slice(mark2).filter((c) => c === 'b').length > 50,
    );
    const stats = await load.stop();
    expect(stats.failures).toEqual([]);
  });

  it('rotates gateway certificates and the root under steady load without a failed request', async () => {
    fed = await startFederation({
      clusters: CLUSTERS,
      services: { 'shop/cart': route('shop', 'cart', ['b']), 'shop/web': route('shop', 'web', ['a']) },
      authorization: [ALLOW_ALL('shop/cart'), ALLOW_ALL('shop/web')],
      quotas: [],
    });
    const cart = await echo('b');
    const web = await echo('a');
    const a = await fed.start('a', { localEndpoints: { 'shop/web': [{ url: web.url }] } });
    const b = await fed.start('b', { localEndpoints: { 'shop/cart': [{ url: cart.url }] } });
    await waitFor(
      'b reachable',
      async () => (await call(a, 'cart.shop.svc.clusterset.local')).status === 200,
    );
    await waitFor('a reachable', async () => (await call(b, 'web.shop.svc.clusterset.local')).status === 200);
    const load = steadyLoad(async () => {
      const [x, y] = await Promise.all([
        call(a, 'cart.shop.svc.clusterset.local'),
        call(b, 'web.shop.svc.clusterset.local'),
      ]);
      return x.status === 200 ? y.status : x.status;
    });
    const progress = async () => {
      const n = load.stats.calls;
      await waitFor('calls go on', () => load.stats.calls > n + 20);
    };
    await progress();
    const before = a.rotator.current().certChainPem;
    await Promise.all([a.rotator.rotateNow(), b.rotator.rotateNow()]);
    expect(a.rotator.current().certChainPem).not.toBe(before);
    await progress();
    // Root rotation: trust the new root everywhere, then issue from it, then retire the old one.
    const g2 = await fed.ca.addRoot();
    await Promise.all([a.rotator.rotateNow(), b.rotator.rotateNow()]);
    await progress();
    fed.ca.activateRoot(g2);
    await Promise.all([a.rotator.rotateNow(), b.rotator.rotateNow()]);
    await progress();
    fed.ca.retireRoot(1);
    await Promise.all([a.rotator.rotateNow(), b.rotator.rotateNow()]);
    expect(a.rotator.current().caPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    await progress();
    const stats = await load.stop();
    expect(stats.failures).toEqual([]);
    expect(stats.calls).toBeGreaterThan(100);
  });
});

describe('live policy', () => {
  it('shifts traffic when the weights change', async () => {
    fed = await startFederation({
      clusters: CLUSTERS,
      services: {
        'shop/api': route('shop', 'api', ['a', 'b'], {
          weights: [
            { cluster: 'a', weight: 100 },
            { cluster: 'b', weight: 0 },
          ],
        }),
      },
      authorization: [ALLOW_ALL('shop/api')],
      quotas: [],
    });
    const ea = await echo('a');
    const eb = await echo('b');
    const a = await fed.start('a', { localEndpoints: { 'shop/api': [{ url: ea.url }] } });
    await fed.start('b', { localEndpoints: { 'shop/api': [{ url: eb.url }] } });
    for (let i = 0; i < 20; i++)
      expect(JSON.parse((await call(a, 'api.shop.svc.clusterset.local')).body).cluster).toBe('a');
    fed.source.update({
      services: {
        'shop/api': route('shop', 'api', ['a', 'b'], {
          weights: [
            { cluster: 'a', weight: 0 },
            { cluster: 'b', weight: 100 },
          ],
        }),
      },
    });
    await waitFor(
      'traffic on b',
      async () => JSON.parse((await call(a, 'api.shop.svc.clusterset.local')).body).cluster === 'b',
    );
    for (let i = 0; i < 20; i++)
      expect(JSON.parse((await call(a, 'api.shop.svc.clusterset.local')).body).cluster).toBe('b');
  });

  it('keeps its last configuration while cut off and takes a policy pushed meanwhile on reconnect', async () => {
    fed = await startFederation({
      clusters: CLUSTERS,
      services: { 'shop/cart': route('shop', 'cart', ['b']) },
      authorization: [],
      quotas: [],
    });
    const cart = await echo('b');
    const a = await fed.start('a');
    await fed.start('b', { localEndpoints: { 'shop/cart': [{ url: cart.url }] } });
    await waitFor(
      'denied by default',
      async () => (await call(a, 'cart.shop.svc.clusterset.local')).status === 403,
    );
    fed.source.reachable = false;
    const cutOff = fed.source.config.version;
    fed.source.update({ authorization: [ALLOW_ALL('shop/cart')] });
    // The gateways keep serving on their last good configuration.
    await new Promise((r) => setTimeout(r, 500));
    expect(fed.gateways.get('b')!.config().version).toBe(cutOff);
    expect((await call(a, 'cart.shop.svc.clusterset.local')).status).toBe(403);
    fed.source.reachable = true;
    await waitFor(
      'allowed after reconnect',
      async () => (await call(a, 'cart.shop.svc.clusterset.local')).status === 200,
    );
  });
});

describe('gRPC', () => {
  it('carries a bidirectional gRPC-framed stream through two gateways, trailers included', async () => {
    fed = await startFederation({
      clusters: CLUSTERS,
      services: { 'shop/chat': route('shop', 'chat', ['b']) },
      authorization: [ALLOW_ALL('shop/chat')],
      quotas: [],
    });
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('data', (chunk: Buffer) => stream.write(chunk)); // echo each framed message back at once
      stream.on('end', () => stream.end());
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'ok' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const a = await fed.start('a');
    await fed.start('b', {
      localEndpoints: { 'shop/chat': [{ url: `http://127.0.0.1:${port}`, h2c: true }] },
    });
    await waitFor(
      'b registered',
      async () => (await call(a, 'chat.shop.svc.clusterset.local')).status !== 503,
    );

    const client = http2.connect(a.appUrl);
    closers.push(async () => void client.close());
    const stream = client.request({
      ':method': 'POST',
      ':path': '/shop.Chat/Talk',
      ':authority': 'chat.shop.svc.clusterset.local',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const frame = (msg: string) => {
      const body = Buffer.from(msg);
      const head = Buffer.alloc(5);
      head.writeUInt32BE(body.length, 1);
      return Buffer.concat([head, body]);
    };
    const received: Buffer[] = [];
    let trailers: Record<string, unknown> = {};
    stream.on('data', (c: Buffer) => received.push(c));
    stream.on('trailers', (t) => {
      trailers = t;
    });
    const status = await new Promise<unknown>((r) => stream.once('response', (h) => r(h[':status'])));
    expect(status).toBe(200);
    // Bidirectional: each message comes back before the next is sent.
    for (const msg of ['one', 'two', 'three']) {
      const before = Buffer.concat(received).length;
      stream.write(frame(msg));
      await waitFor(`echo of ${msg}`, () => Buffer.concat(received).length >= before + 5 + msg.length);
    }
    stream.end();
    await new Promise((r) => stream.on('end', r));
    expect(Buffer.concat(received)).toEqual(Buffer.concat(['one', 'two', 'three'].map(frame)));
    expect(trailers['grpc-status']).toBe('0');
  });
});
