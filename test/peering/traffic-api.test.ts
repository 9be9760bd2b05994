import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApi } from '../../federation/runtime/api-process.js';
import { startGatewayProcess } from '../../federation/runtime/gateway-process.js';
import type { Gateway } from '../../peering/gateway/gateway.js';
import { type TestRedis, testRedis } from '../support/redis.js';
import { waitFor } from '../support/wait-for.js';
import { call, FEDERATION, startEcho } from './gateway-harness.js';

const mc = (name: string, provider: string, region: string) => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'MemberCluster',
  metadata: { name },
  spec: { provider, region, connection: { server: 'https://127.0.0.1:1' } },
});

describe('gateways run with gateway tokens: configured from the API, certificates by CSR, traffic matrix served by it', () => {
  let redis: TestRedis;
  let api: ApiProcess;
  const token = randomBytes(12).toString('hex');
  const gateways: Gateway[] = [];
  const closers: (() => Promise<void>)[] = [];

  const apiCall = async (method: string, path: string, body?: unknown) => {
    const res = await request(`${api.url}${path}`, {
      method: method as 'GET',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    redis = testRedis();
    api = await startApi({
      redisUrl: redis.url,
      storePrefix: redis.prefix,
      token,
      log: pino({ level: 'silent' }),
      metrics: new Registry(),
      gateways: { federation: FEDERATION, operatorKey: randomBytes(32) },
    });
    const applied = await apiCall('POST', '/api/v1/apply', {
      items: [
        mc('eu', 'aws', 'eu-west-1'),
        mc('us', 'gcp', 'us-east1'),
        {
          apiVersion: 'fedgate.dev/v1alpha1',
          kind: 'ServiceExport',
          metadata: { name: 'cart', namespace: 'shop' },
          spec: { clusters: ['us'] },
        },
      ],
    });
    expect(applied.status).toBe(200);
    const cart = await startEcho('us');
    closers.push(() => cart.close());
    for (const cluster of ['eu', 'us']) {
      // Each gateway holds only a gateway token of its own cluster: no CA key, no other access.
      const made = await apiCall('POST', '/api/v1/tokens', {
        name: `gw-${cluster}`,
        role: 'gateway',
        cluster,
      });
      expect(made.status).toBe(201);
      const gw = await startGatewayProcess({
        cluster,
        federation: FEDERATION,
        redisUrl: redis.url,
        redisPrefix: redis.prefix,
        apiUrl: api.url,
        apiToken: made.body.token as string,
        peerListen: { host: '127.0.0.1', port: 0 },
        appListen: { host: '127.0.0.1', port: 0 },
        certTtlMs: 3_600_000,
        localEndpoints: cluster === 'us' ? { 'shop/cart': [{ url: cart.url }] } : {},
        localWorkloads: {},
        log: pino({ level: 'silent' }),
        metrics: new Registry(),
      });
      gateways.push(gw);
      closers.push(() => gw.stop());
    }
    expect(gateways[0]!.rotator.current().spiffeId).toBe(`spiffe://${FEDERATION}/cluster/eu`);
  });
  afterAll(async () => {
    for (const c of closers) await c();
    await api?.close();
    await redis?.close();
  });

  it('applies an AuthorizationPolicy from the API within seconds and reports the calls in /api/v1/traffic', async () => {
    const eu = gateways[0]!;
    await waitFor(
      'service known and denied by default',
      async () => (await call(eu, 'cart.shop.svc.clusterset.local')).status === 403,
    );
    const bad = await apiCall('POST', '/api/v1/apply', {
      items: [
        {
          apiVersion: 'fedgate.dev/v1alpha1',
          kind: 'AuthorizationPolicy',
          metadata: { name: 'eu-cart', namespace: 'shop' },
          spec: { service: 'cart', rules: [{ from: [{ cluster: 'eu' }], to: { methods: ['GETT'] } }] },
        },
      ],
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('spec.rules[0].to.methods[0]');
    const ok = await apiCall('POST', '/api/v1/apply', {
      items: [
        {
          apiVersion: 'fedgate.dev/v1alpha1',
          kind: 'AuthorizationPolicy',
          metadata: { name: 'eu-cart', namespace: 'shop' },
          spec: { service: 'cart', rules: [{ from: [{ cluster: 'eu' }] }] },
        },
      ],
    });
    expect(ok.status).toBe(200);
    await waitFor('allowed', async () => (await call(eu, 'cart.shop.svc.clusterset.local')).status === 200);
    for (let i = 0; i < 40; i++)
      expect(
        (await call(eu, 'cart.shop.svc.clusterset.local', '/', { method: 'POST', body: 'x'.repeat(1024) }))
          .status,
      ).toBe(200);
    await eu.pushTraffic();
    const t = await apiCall('GET', '/api/v1/traffic?window=5m');
    expect(t.status).toBe(200);
    const links = t.body.links as Record<string, number | string>[];
    const link = links.find((l) => l.source === 'eu' && l.destination === 'us');
    expect(link).toBeDefined();
    expect(link!.requestsPerSecond as number).toBeGreaterThan(0);
    expect(link!.bytesIn as number).toBeGreaterThanOrEqual(40 * 1024);
    expect(link!.p99Ms as number).toBeGreaterThan(0);
    expect(link!.p50Ms as number).toBeLessThanOrEqual(link!.p99Ms as number);
    expect(link!.egressCostPerHour as number).toBeGreaterThan(0); // aws → gcp crosses the internet
    expect(link!.egressCostPerMonth as number).toBeCloseTo((link!.egressCostPerHour as number) * 730, 6);
    const services = t.body.services as Record<string, unknown>[];
    expect(services.some((s) => s.service === 'shop/cart' && s.source === 'eu')).toBe(true);
    const badWindow = await apiCall('GET', '/api/v1/traffic?window=1y');
    expect(badWindow.status).toBe(400);
    // Said once: the message names the parameter, the detail says what it must be.
    expect(badWindow.body).toMatchObject({ message: 'invalid query: window (e.g. 5m)' });
    expect(JSON.stringify(badWindow.body)).toContain('"querystring.window"');
    // The gateway's own /metrics series, in Istio's naming.
    const metrics = await eu.telemetry.configUpdates.get();
    expect(metrics.values.some((v) => v.labels.result === 'applied')).toBe(true);
  });

  it('renews certificates through the CSR route under steady load without a failed request', async () => {
    const [eu, us] = gateways as [Gateway, Gateway];
    const failures: number[] = [];
    let ok = 0;
    let running = true;
    const loops = Array.from({ length: 4 }, async () => {
      while (running) {
        const r = await call(eu, 'cart.shop.svc.clusterset.local', '/', {
          method: 'POST',
          body: 'x'.repeat(512),
        }).catch(() => ({ status: 0 }));
        if (r.status === 200) ok++;
        else failures.push(r.status);
      }
    });
    try {
      for (let i = 0; i < 3; i++) {
        const before = eu.rotator.current().certChainPem;
        await Promise.all([eu.rotator.rotateNow(), us.rotator.rotateNow()]);
        expect(eu.rotator.current().certChainPem).not.toBe(before);
        const start = ok;
        await waitFor('calls on the new certificates', () => ok > start + 20);
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }
    expect(failures).toEqual([]);
    expect(eu.rotator.current().keyPem).toMatch(/PRIVATE KEY/);
  });
  it('a gateway started while the control plane is unreachable keeps trying and comes up with it; a refused token fails at once', async () => {
    const made = await apiCall('POST', '/api/v1/tokens', {
      name: 'gw-eu-late',
      role: 'gateway',
      cluster: 'eu',
    });
    expect(made.status).toBe(201);
    // A port nothing listens on yet: the API will appear there (a TCP relay to it).
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const warnings: string[] = [];
    const log = pino(
      { level: 'warn' },
      { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) },
    );
    const props = {
      cluster: 'eu',
      federation: FEDERATION,
      redisUrl: redis.url,
      redisPrefix: redis.prefix,
      apiUrl: `http://127.0.0.1:${port}`,
      apiToken: made.body.token as string,
      peerListen: { host: '127.0.0.1', port: 0 },
      appListen: { host: '127.0.0.1', port: 0 },
      certTtlMs: 3_600_000,
      localEndpoints: {},
      localWorkloads: {},
      log,
      metrics: new Registry(),
      retryMaxMs: 200,
    };
    const starting = startGatewayProcess(props);
    let settled = false;
    void starting.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor('a warning that the control plane cannot be reached', () => warnings.length >= 2);
    expect(settled).toBe(false);
    expect(warnings[0]).toBe('the control plane cannot be reached for a first certificate; retrying');
    const apiPort = Number(new URL(api.url).port);
    const relayed = new Set<Socket>();
    const relay = createServer((client) => {
      const upstream = connect(apiPort, '127.0.0.1');
      relayed.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
    try {
      const late = await starting;
      expect(late.rotator.current().spiffeId).toBe(`spiffe://${FEDERATION}/cluster/eu`);
      await late.stop();
      const refused = await startGatewayProcess({
        ...props,
        apiToken: 'not-a-token',
        metrics: new Registry(),
      }).catch((e: unknown) => e);
      expect(String(refused)).toMatch(/the API answered 401/);
    } finally {
      for (const socket of relayed) socket.destroy();
      await new Promise((r) => relay.close(r));
    }
  });
});
