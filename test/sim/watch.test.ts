import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../sim/kubernetes/index.js';
import { clientsFor, eventually, kubeConfigFor, startTestSim } from './helpers.js';

let sim: KubeSim;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  sim = await startTestSim({ events: false, historySize: 20, bookmarkIntervalMs: 20 });
  c = clientsFor(sim);
  await c.core.createNamespace({ body: { metadata: { name: 'w' } } });
});
afterAll(() => sim.close());

interface Seen {
  type: string;
  name: string | undefined;
  rv: string | undefined;
  raw: unknown;
}

async function startWatch(path: string, params: Record<string, string | boolean | number>) {
  const seen: Seen[] = [];
  let ended: unknown = 'open';
  const controller = await new k8s.Watch(kubeConfigFor(sim)).watch(
    path,
    params,
    (type, obj: k8s.KubernetesObject) =>
      seen.push({ type, name: obj?.metadata?.name, rv: obj?.metadata?.resourceVersion, raw: obj }),
    (err) => {
      ended = err ?? null;
    },
  );
  return { seen, controller, ended: () => ended };
}

describe('watch', () => {
  it('streams ADDED/MODIFIED/DELETED from a resourceVersion, replaying missed events', async () => {
    const start = (await c.core.listNamespacedConfigMap({ namespace: 'w' })).metadata?.resourceVersion ?? '0';
    await c.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'before' } } });
    const w = await startWatch('/api/v1/namespaces/w/configmaps', { resourceVersion: start });
    await c.core.patchNamespacedConfigMap(
      { name: 'before', namespace: 'w', body: { data: { a: '1' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await c.core.deleteNamespacedConfigMap({ name: 'before', namespace: 'w' });
    await eventually(() => (w.seen.length >= 3 ? true : undefined));
    w.controller.abort();
    expect(w.seen.map((e) => `${e.type}:${e.name}`)).toEqual([
      'ADDED:before',
      'MODIFIED:before',
      'DELETED:before',
    ]);
    const rvs = w.seen.map((e) => Number(e.rv));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
  });

  it('starts with the current state when no resourceVersion is given, filtered by label selector', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: 'w',
      body: { metadata: { name: 'l1', labels: { pick: 'yes' } } },
    });
    await c.core.createNamespacedConfigMap({
      namespace: 'w',
      body: { metadata: { name: 'l2', labels: { pick: 'no' } } },
    });
    const w = await startWatch('/api/v1/namespaces/w/configmaps', { labelSelector: 'pick=yes' });
    await eventually(() => (w.seen.length >= 1 ? true : undefined));
    // An object that stops matching the selector is seen as DELETED.
    await c.core.patchNamespacedConfigMap(
      { name: 'l1', namespace: 'w', body: { metadata: { labels: { pick: 'no' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await eventually(() => (w.seen.length >= 2 ? true : undefined));
    w.controller.abort();
    expect(w.seen.map((e) => `${e.type}:${e.name}`)).toEqual(['ADDED:l1', 'DELETED:l1']);
  });

  it('sends an ERROR event with a 410 Expired Status for a too-old resourceVersion', async () => {
    const old = (await c.core.listNamespacedConfigMap({ namespace: 'w' })).metadata?.resourceVersion ?? '0';
    for (let i = 0; i < 30; i++)
      await c.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: `flood-${i}` } } });
    const w = await startWatch('/api/v1/namespaces/w/configmaps', { resourceVersion: old });
    await eventually(() => (w.ended() !== 'open' ? true : undefined));
    expect(w.seen).toHaveLength(1);
    expect(w.seen[0]?.type).toBe('ERROR');
    expect(w.seen[0]?.raw).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect((w.seen[0]!.raw as { message: string }).message).toMatch(
      /^too old resource version: \d+ \(\d+\)$/,
    );
  });

  it('sends bookmarks when allowed and ends at timeoutSeconds', async () => {
    const rv = (await c.core.listNamespacedConfigMap({ namespace: 'w' })).metadata?.resourceVersion ?? '0';
    const w = await startWatch('/api/v1/namespaces/w/configmaps', {
      resourceVersion: rv,
      allowWatchBookmarks: true,
      timeoutSeconds: 1,
    });
    await eventually(() => (w.seen.some((e) => e.type === 'BOOKMARK') ? true : undefined));
    await eventually(() => (w.ended() !== 'open' ? true : undefined), 1000);
    expect(w.ended()).toBeNull();
    expect(w.seen.find((e) => e.type === 'BOOKMARK')?.rv).toMatch(/^\d+$/);
  });

  it('feeds a client-node informer', async () => {
    const informer = k8s.makeInformer(kubeConfigFor(sim), '/apis/apps/v1/namespaces/w/deployments', () =>
      c.apps.listNamespacedDeployment({ namespace: 'w' }),
    );
    const added: string[] = [];
    informer.on('add', (d) => added.push(d.metadata?.name ?? ''));
    await informer.start();
    await c.apps.createNamespacedDeployment({
      namespace: 'w',
      body: {
        metadata: { name: 'inf' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { a: 'b' } },
          template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
        },
      },
    });
    await eventually(() => (added.includes('inf') ? true : undefined));
    await informer.stop();
  });
});
