import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesClient } from '../../providers/kubernetes/kubernetes-client.js';
import type { WatchHandle, WorkloadEvent } from '../../providers/member-cluster-client.js';
import type { ProviderError } from '../../providers/provider-error.js';
import type { KubeSim } from '../../sim/kubernetes/index.js';
import { kubeConfigFor, startTestSim } from '../sim/helpers.js';
import { waitFor } from '../support/wait-for.js';

const deployment = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'w', labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    },
  },
});

describe('KubernetesClient.watchWorkloads', () => {
  let sim: KubeSim;
  let client: KubernetesClient;
  let events: WorkloadEvent[];
  let errors: ProviderError[];
  let handle: WatchHandle | undefined;

  beforeAll(async () => {
    // A short watch history and no bookmarks: a watch that saw nothing for a while falls behind it.
    sim = await startTestSim({ events: false, historySize: 5, bookmarkIntervalMs: 600_000 });
    client = new KubernetesClient('test', kubeConfigFor(sim), {
      watch: { minBackoffMs: 100, maxBackoffMs: 500, timeoutSeconds: 1 },
    });
  });
  afterEach(() => handle?.stop());
  afterAll(() => sim.close());

  const start = (labels: Record<string, string>) => {
    events = [];
    errors = [];
    handle = client.watchWorkloads(
      { apiVersion: 'apps/v1', kind: 'Deployment', labels },
      (e) => events.push(e),
      (err) => errors.push(err),
    );
  };
  const seen = (type: string, name: string) =>
    events.filter((e) => e.type === type && e.object.metadata.name === name);
  const apply = (name: string, labels: Record<string, string>) =>
    client.apply([deployment(name, labels)], { fieldManager: 'test' });

  it('reports the listed objects, then their changes, with their status, only for matching labels', async () => {
    await apply('before', { team: 'a' });
    start({ team: 'a' });
    await waitFor('the listed object', () => seen('ADDED', 'before').length > 0);
    expect(events[0]?.object).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
    await apply('other', { team: 'b' });
    await apply('after', { team: 'a' });
    await waitFor('after ready', () =>
      seen('MODIFIED', 'after').some(
        (e) => (e.object.status as { readyReplicas?: number })?.readyReplicas === 1,
      ),
    );
    await client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'w', name: 'after' });
    await waitFor('after deleted', () => seen('DELETED', 'after').length === 1);
    expect(events.some((e) => e.object.metadata.name === 'other')).toBe(false);
    expect(errors).toEqual([]);
  });

  it('re-lists when its resourceVersion expired, and keeps going without an error', async () => {
    start({ team: 'c' });
    await apply('first', { team: 'c' });
    await waitFor('first', () => seen('ADDED', 'first').length > 0);
    const listedBefore = seen('ADDED', 'first').length;
    // Many changes this watch does not match push its version out of the history (5 events).
    for (let i = 0; i < 8; i++) await apply(`noise-${i}`, { team: 'd' });
    // Reconnecting (each request ends after about a second) answers 410: the watch lists again.
    await waitFor('a re-list', () => seen('ADDED', 'first').length > listedBefore, 15_000);
    await apply('second', { team: 'c' });
    await waitFor('second', () => seen('ADDED', 'second').length > 0);
    expect(errors).toEqual([]);
  });

  it('reconnects with backoff after the API server was down, reporting the failure', async () => {
    start({ team: 'e' });
    await apply('e1', { team: 'e' });
    await waitFor('e1', () => seen('ADDED', 'e1').length > 0);
    await sim.faults.down(true);
    await waitFor('an error while down', () => errors.length > 0);
    await sim.faults.down(false);
    await apply('e2', { team: 'e' });
    await waitFor('e2 after the outage', () => seen('ADDED', 'e2').length > 0, 15_000);
    expect(errors[0]?.code).toBe('Unavailable');
  });

  it('delivers nothing once stopped', async () => {
    start({ team: 'f' });
    await apply('f1', { team: 'f' });
    await waitFor('f1', () => seen('ADDED', 'f1').length > 0);
    handle!.stop();
    const count = events.length;
    await apply('f2', { team: 'f' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(events.length).toBe(count);
  });
});
