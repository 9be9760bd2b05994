import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../federation/resources/kube-object.js';
import { type ApiProcess, startApi } from '../../federation/runtime/api-process.js';
import { kubernetesClientFactory } from '../../federation/runtime/kube-client-factory.js';
import { type ControlPlaneWorker, startWorker, type WorkerProps } from '../../federation/runtime/worker.js';
import { type KubeSim, type NodeSpec, startKubeSim } from '../../sim/kubernetes/index.js';
import { type TestRedis, testRedis } from './redis.js';

/** One simulated member cluster of a test fleet. */
export interface TestCluster {
  readonly name: string;
  readonly provider: 'aws' | 'gcp' | 'azure' | 'onprem';
  readonly region: string;
  readonly zone?: string;
  readonly labels?: Record<string, string>;
  readonly taints?: {
    key: string;
    value?: string;
    effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  }[];
  readonly nodes?: NodeSpec[];
  /** Price overrides (MemberCluster spec.cost), to steer the cost objective. */
  readonly cost?: { vcpuHour?: number; gibHour?: number };
  /** Delay before a bound Pod is Running+Ready in this cluster (default 10 ms). */
  readonly podReadyDelayMs?: number;
}

/** A control plane on the test Redis, real API, real worker and simulated member clusters. */
export interface TestControlPlane {
  readonly redis: TestRedis;
  readonly api: ApiProcess;
  readonly token: string;
  readonly sims: Map<string, KubeSim>;
  readonly workerSettings: Omit<WorkerProps, 'log' | 'clientFactory'>;
  worker: ControlPlaneWorker | undefined;
  /** POSTs objects (or multi-document YAML) to /api/v1/apply; returns the response. */
  apply(
    input: string | readonly unknown[],
    opts?: { dryRun?: boolean },
  ): Promise<{ status: number; body: unknown }>;
  /** Calls the API with the token. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Starts an in-process worker (the default setup starts one). */
  startWorker(): Promise<ControlPlaneWorker>;
  close(): Promise<void>;
}

/** Settings that make a test converge fast: short probes, locks and resync. */
export const FAST_WORKER = {
  probeIntervalMs: 300,
  resyncIntervalMs: 3_000,
  lockDurationMs: 2_000,
  stalledIntervalMs: 1_000,
  failureThreshold: 2,
} as const;

const DEFAULT_NODES = (name: string): NodeSpec[] => [
  { name: `${name}-node-1`, cpu: '8', memory: '32Gi', pods: 110 },
  { name: `${name}-node-2`, cpu: '8', memory: '32Gi', pods: 110 },
];

/** Starts the whole control plane for one test. */
export async function startTestControlPlane(
  clusters: readonly TestCluster[],
  opts: { worker?: boolean; workerProps?: Partial<WorkerProps>; redisUrl?: string } = {},
): Promise<TestControlPlane> {
  const redis = testRedis(opts.redisUrl);
  const log = pino({ level: process.env.FEDGATE_TEST_LOG ?? 'silent' });
  const token = randomBytes(16).toString('hex');
  const sims = new Map<string, KubeSim>();
  for (const c of clusters) {
    sims.set(
      c.name,
      await startKubeSim({
        name: c.name,
        nodes: c.nodes ?? DEFAULT_NODES(c.name),
        podReadyDelayMs: c.podReadyDelayMs ?? 10,
      }),
    );
  }
  const storePrefix = redis.prefix;
  const queuePrefix = `{${redis.prefix}q}`;
  const api = await startApi({ redisUrl: redis.url, storePrefix, token, log, metrics: new Registry() });
  const workerSettings = {
    redisUrl: redis.url,
    storePrefix,
    queuePrefix,
    ...FAST_WORKER,
    ...opts.workerProps,
  };

  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };

  const cp: TestControlPlane = {
    redis,
    api,
    token,
    sims,
    workerSettings,
    worker: undefined,
    async apply(input, o = {}) {
      const items =
        typeof input === 'string' ? parseAllDocuments(input).map((d) => d.toJS() as unknown) : input;
      return request('POST', `/api/v1/apply${o.dryRun ? '?dryRun=true' : ''}`, { items });
    },
    request,
    async startWorker() {
      const w = await startWorker({
        ...workerSettings,
        log,
        clientFactory: kubernetesClientFactory(),
        ...opts.workerProps,
      });
      cp.worker = w;
      return w;
    },
    async close() {
      await cp.worker?.close();
      await api.close();
      await Promise.all([...sims.values()].map((s) => s.close()));
      await redis.close();
    },
  };
  const registered = await cp.apply(clusters.map((c) => memberCluster(c, sims.get(c.name)!.url)));
  if (registered.status !== 200)
    throw new Error(`registering clusters failed: ${JSON.stringify(registered.body)}`);
  if (opts.worker ?? true) await cp.startWorker();
  return cp;
}

/** The MemberCluster object of a simulated cluster. */
export function memberCluster(c: TestCluster, url: string): KubeObject {
  return {
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'MemberCluster',
    metadata: { name: c.name, labels: c.labels ?? {} },
    spec: {
      provider: c.provider,
      region: c.region,
      ...(c.zone ? { zone: c.zone } : {}),
      connection: { server: url, insecureSkipTLSVerify: true },
      taints: c.taints ?? [],
      ...(c.cost ? { cost: c.cost } : {}),
    },
  };
}
