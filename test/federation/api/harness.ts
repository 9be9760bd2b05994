import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildApiServer } from '../../../federation/api/server.js';
import { gatewayControl } from '../../../federation/runtime/gateway-control.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import { type TestRedis, testRedis } from '../../support/redis.js';

/** The token test servers accept. */
export const TOKEN = 'test-token-0123456789abcdef';

/** An API server on its own slice of the test Redis. */
export interface ApiHarness {
  readonly app: FastifyInstance;
  readonly store: ResourceStore;
  readonly redis: TestRedis;
  readonly metrics: Registry;
  /** `app.inject` with the bearer token set. */
  call(opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Options of the harness. */
export interface HarnessOptions {
  readonly bodyLimitBytes?: number;
  readonly ready?: () => Promise<boolean | string>;
  readonly logStream?: NodeJS.WritableStream;
  readonly eventRetention?: number;
  /** Serve the gateway routes with a federation CA sealed under this operator key. */
  readonly gateways?: {
    readonly federation: string;
    readonly operatorKey: Buffer;
    readonly maxCertTtlMs?: number;
  };
}

/** Builds an API server against a real ResourceStore. */
export async function apiHarness(opts: HarnessOptions = {}): Promise<ApiHarness> {
  const redis = testRedis();
  const store = new ResourceStore(redis.connect(), {
    prefix: redis.prefix,
    ...(opts.eventRetention === undefined ? {} : { eventRetention: opts.eventRetention }),
  });
  const metrics = new Registry();
  const logger = opts.logStream ? pino({ level: 'debug' }, opts.logStream) : pino({ level: 'silent' });
  const app = await buildApiServer({
    store,
    token: TOKEN,
    logger,
    metrics,
    ready: opts.ready ?? (async () => true),
    ...(opts.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: opts.bodyLimitBytes }),
    ...(opts.gateways
      ? { gateways: gatewayControl({ store, redis: store.redis, prefix: redis.prefix, ...opts.gateways }) }
      : {}),
  });
  return {
    app,
    store,
    redis,
    metrics,
    call: (o) => app.inject({ ...o, headers: { authorization: `Bearer ${TOKEN}`, ...(o.headers ?? {}) } }),
    async close() {
      await app.close();
      await redis.close();
    },
  };
}

/** A valid MemberCluster. */
export function memberCluster(name: string, region = 'eu-west-1', labels: Record<string, string> = {}) {
  return {
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'MemberCluster',
    metadata: { name, labels },
    spec: { provider: 'aws', region, connection: { server: 'https://127.0.0.1:6443' } },
  };
}

/** A minimal valid PlacementPolicy. */
export function placementPolicy(name: string, priority = 0) {
  return {
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'PlacementPolicy',
    metadata: { name },
    spec: { priority, resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }] },
  };
}

/** A Deployment template. */
export function deployment(name: string, replicas = 2, namespace = 'shop') {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      },
    },
  };
}
