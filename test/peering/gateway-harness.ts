import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { type GatewayConfig, ROUTE_DEFAULTS, type ServiceRoute } from '../../peering/gateway/config.js';
import type { ConfigSource } from '../../peering/gateway/config-poller.js';
import { type Gateway, type GatewayProps, startGateway } from '../../peering/gateway/gateway.js';
import type { CertificateIssuer } from '../../peering/identity/cert-rotator.js';
import { FederationCa } from '../../peering/identity/federation-ca.js';
import { localIssuer } from '../../peering/identity/local-issuer.js';
import { type TestRedis, testRedis } from '../support/redis.js';

export const FEDERATION = 'fed.test';

/** A configuration the test edits; `reachable = false` simulates a control plane the gateways cannot reach. */
export class TestConfigSource implements ConfigSource {
  reachable = true;
  private n = 0;
  constructor(public config: GatewayConfig) {}
  /** Replaces part of the configuration and bumps the version. */
  update(patch: Partial<GatewayConfig>): void {
    this.config = { ...this.config, ...patch, version: `v${++this.n}` };
  }
  async load(): Promise<GatewayConfig> {
    if (!this.reachable) throw new Error('control plane unreachable');
    return this.config;
  }
}

/** A route with defaults and fast ejection. */
export function route(
  ns: string,
  name: string,
  clusters: string[],
  extra: Partial<ServiceRoute> = {},
): ServiceRoute {
  return {
    ...ROUTE_DEFAULTS,
    namespace: ns,
    name,
    clusters,
    outlier: { consecutiveFailures: 1, baseEjectionMs: 2_000 },
    ...extra,
  };
}

/** A tiny HTTP service that answers `{cluster, path, method, body}`. */
export async function startEcho(
  cluster: string,
): Promise<{ url: string; server: http.Server; hits: number; close(): Promise<void> }> {
  const state = { hits: 0 };
  const server = http.createServer((req, res) => {
    state.hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        cluster,
        path: req.url,
        method: req.method,
        bytes: Buffer.concat(chunks).length,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** A federation of gateways on loopback, sharing a CA, a Redis slice and one config source. */
export interface TestFederation {
  readonly ca: FederationCa;
  readonly redis: TestRedis;
  readonly source: TestConfigSource;
  readonly gateways: Map<string, Gateway>;
  start(cluster: string, extra?: Partial<GatewayProps>): Promise<Gateway>;
  close(): Promise<void>;
}

/** Starts an empty federation (call `start` per cluster). */
export async function startFederation(config: Omit<GatewayConfig, 'version'>): Promise<TestFederation> {
  const ca = await FederationCa.create({ federation: FEDERATION });
  const redis = testRedis();
  const source = new TestConfigSource({ ...config, version: 'v0' });
  const gateways = new Map<string, Gateway>();
  return {
    ca,
    redis,
    source,
    gateways,
    async start(cluster, extra = {}) {
      const issuer: CertificateIssuer = localIssuer(ca, cluster);
      const gw = await startGateway({
        cluster,
        federation: FEDERATION,
        issuer,
        configSource: source,
        redis: redis.connect(),
        redisPrefix: redis.prefix,
        metrics: new Registry(),
        peerListen: { host: '127.0.0.1', port: 0 },
        appListen: { host: '127.0.0.1', port: 0 },
        configPollMs: 100,
        registryTtlMs: 1_500,
        ...extra,
      });
      gateways.set(cluster, gw);
      return gw;
    },
    async close() {
      for (const g of gateways.values()) await g.close();
      await redis.close();
    },
  };
}

const agent = new Agent({ connections: 64 });

/** Calls `<svc>.<ns>.svc.clusterset.local` through a gateway's app listener; a source address (127.0.0.x) names the caller. */
export async function call(
  gw: Gateway,
  host: string,
  path = '/',
  opts: { method?: string; body?: string; localAddress?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  if (opts.localAddress !== undefined) return callFrom(gw, host, path, opts);
  const res = await request(`${gw.appUrl}${path}`, {
    method: (opts.method ?? 'GET') as 'GET',
    headers: { host },
    ...(opts.body === undefined ? {} : { body: opts.body }),
    dispatcher: agent,
  });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

/** node:http binds the client socket to a source address (undici's Agent does not). */
function callFrom(
  gw: Gateway,
  host: string,
  path: string,
  opts: { method?: string; body?: string; localAddress?: string },
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${gw.appUrl}${path}`,
      { method: opts.method ?? 'GET', headers: { host }, localAddress: opts.localAddress },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
