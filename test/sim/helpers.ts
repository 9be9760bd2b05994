/** Shared setup for the simulator tests: a cluster with a few nodes and real client-node clients. */
import * as k8s from '@kubernetes/client-node';
import type { KubeSim, KubeSimProps, NodeSpec } from '../../sim/kubernetes/index.js';
import { startKubeSim } from '../../sim/kubernetes/index.js';

/** Two small nodes: 2 cpu / 4Gi each, 10 pods. */
export const SMALL_NODES: NodeSpec[] = [
  {
    name: 'node-a',
    cpu: '2',
    memory: '4Gi',
    pods: 10,
    instanceType: 'm6i.large',
    region: 'us-east-1',
    zone: 'us-east-1a',
  },
  {
    name: 'node-b',
    cpu: '2',
    memory: '4Gi',
    pods: 10,
    instanceType: 'm6i.large',
    region: 'us-east-1',
    zone: 'us-east-1b',
  },
];

/** Starts a simulated cluster tuned for tests (pods ready without delay). */
export function startTestSim(overrides: Partial<KubeSimProps> = {}): Promise<KubeSim> {
  return startKubeSim({ name: 'test', nodes: SMALL_NODES, podReadyDelayMs: 0, ...overrides });
}

/** A KubeConfig for client-node pointing at the simulator. */
export function kubeConfigFor(sim: KubeSim): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: sim.name, server: sim.url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: sim.name, cluster: sim.name, user: 'u' }],
    currentContext: sim.name,
  });
  return kc;
}

/** Typed clients for one simulator. */
export function clientsFor(sim: KubeSim) {
  const kc = kubeConfigFor(sim);
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
  };
}

/** Awaits a promise expected to reject with an ApiException and returns it. */
export async function apiError(promise: Promise<unknown>): Promise<k8s.ApiException<unknown>> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof k8s.ApiException) return err;
    throw err;
  }
  throw new Error('expected an ApiException');
}

/** Parses the Status body of an ApiException (client-node hands it over as a string). */
export function statusOf(err: k8s.ApiException<unknown>): {
  reason?: string;
  message?: string;
  code?: number;
  details?: unknown;
} {
  const body = err.body;
  return (typeof body === 'string' ? JSON.parse(body) : body) as {
    reason?: string;
    message?: string;
    code?: number;
  };
}

/** Polls `check` until it returns a value (not undefined), letting the simulator's loops run. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  attempts = 500,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not reached');
}
