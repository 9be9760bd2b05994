import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject, ObjectKey } from '../../../federation/resources/kube-object.js';
import type { IndexDefinition } from '../../../federation/store/indexes.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import { type TestRedis, testRedis } from '../../support/redis.js';

const PEERING = 'Peering.v1alpha1.fedgate.dev';
const pkey = (name: string): ObjectKey => ({ type: PEERING, namespace: '', name });
const peering = (name: string, clusters: string[]): KubeObject => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'Peering',
  metadata: { name },
  spec: { clusters },
});

/** An index a future kind registers: the Peerings that join a cluster. */
const PEERINGS_BY_CLUSTER: IndexDefinition = {
  name: 'peer-cluster',
  field: 'peer-clusters',
  indexes: (type) => type === PEERING,
  valuesOf: (_type, o) => [...new Set((o.spec as { clusters?: string[] }).clusters ?? [])].sort(),
};

describe('store parts for kinds beyond Bindings', () => {
  let r: TestRedis;
  let store: ResourceStore;
  beforeEach(() => {
    r = testRedis();
    store = new ResourceStore(r.connect(), { prefix: r.prefix, indexes: [PEERINGS_BY_CLUSTER] });
  });
  afterEach(() => r.close());

  const peersOf = async (cluster: string) =>
    (await store.indexes.lookup('peer-cluster', PEERING, cluster)).map((o) => o.metadata.name);

  it('keeps a registered index of another kind through writes and deletes', async () => {
    await store.indexes.backfill('peer-cluster', [PEERING]);
    const ab = await store.objects.create(pkey('ab'), peering('ab', ['a', 'b']));
    await store.objects.create(pkey('bc'), peering('bc', ['b', 'c']));
    expect(await peersOf('b')).toEqual(['ab', 'bc']);
    await store.objects.update(pkey('ab'), peering('ab', ['a', 'c']), {
      resourceVersion: ab.metadata.resourceVersion!,
    });
    expect(await peersOf('b')).toEqual(['bc']);
    expect(await peersOf('c')).toEqual(['ab', 'bc']);
    await store.objects.delete(pkey('bc'));
    expect(await peersOf('c')).toEqual(['ab']);
    // The reference index of Bindings is registered beside it, untouched by Peerings.
    expect(store.indexRegistry.forType(PEERING).map((d) => d.name)).toEqual(['peer-cluster']);
    expect(store.indexRegistry.forType('Binding.v1alpha1.fedgate.dev').map((d) => d.name)).toEqual(['ref']);
  });

  it('scans until an index added to a populated store is backfilled, then reads the sets', async () => {
    const plain = new ResourceStore(r.connect(), { prefix: `${r.prefix}x` });
    await plain.objects.create(pkey('ab'), peering('ab', ['a', 'b']));
    const later = new ResourceStore(r.connect(), { prefix: `${r.prefix}x`, indexes: [PEERINGS_BY_CLUSTER] });
    expect((await later.indexes.lookup('peer-cluster', PEERING, 'a')).map((o) => o.metadata.name)).toEqual([
      'ab',
    ]);
    expect(await later.indexes.backfill('peer-cluster', [PEERING])).toBe(1);
    expect(await later.indexes.backfill('peer-cluster', [PEERING])).toBe(0);
    expect((await later.indexes.lookup('peer-cluster', PEERING, 'b')).map((o) => o.metadata.name)).toEqual([
      'ab',
    ]);
  });

  it('refuses an index registered twice or with a name unfit for keys', () => {
    expect(() => store.indexRegistry.register(PEERINGS_BY_CLUSTER)).toThrow(/registered already/);
    expect(() => store.indexRegistry.register({ ...PEERINGS_BY_CLUSTER, name: 'Bad:Name' })).toThrow(
      /lower-case/,
    );
  });

  it('expires a watch from a version the store lost (writes lost in a failover), not skip what comes next', async () => {
    await store.objects.create(pkey('a'), peering('a', []));
    const b = await store.objects.create(pkey('b'), peering('b', []));
    const rv = Number(b.metadata.resourceVersion);
    // As a promoted replica that never received b's write: the counter and the feed one behind.
    await store.redis.set(`${store.prefix}:rv`, String(rv - 1));
    await store.redis.xdel(store.streamKey, `${rv}-0`);
    await store.redis.call('XSETID', store.streamKey, `${rv - 1}-0`);
    await expect(store.readEvents(String(rv))).rejects.toMatchObject({
      code: 'Expired',
      message: expect.stringMatching(/newer than the store's .*list again/),
    });
    // The next write reuses b's version for another change: a watcher listing again sees it.
    const c = await store.objects.create(pkey('c'), peering('c', []));
    expect(c.metadata.resourceVersion).toBe(String(rv));
    expect((await store.readEvents(String(rv - 1))).map((e) => e.key.name)).toEqual(['c']);
  });

  it('keeps per-member status of any kind, dropped with the object', async () => {
    expect(await store.memberStatus.set(pkey('ab'), 'a', { phase: 'Up' })).toBe(false); // no object yet
    await store.objects.create(pkey('ab'), peering('ab', ['a', 'b']));
    expect(await store.memberStatus.set(pkey('ab'), 'b', { member: 'b', phase: 'Up' })).toBe(true);
    expect(await store.memberStatus.replace(pkey('ab'), 'a', undefined, { member: 'a', phase: 'Down' })).toBe(
      'changed',
    );
    expect(await store.memberStatus.all(pkey('ab'))).toEqual([
      { member: 'a', phase: 'Down' },
      { member: 'b', phase: 'Up' },
    ]);
    await store.objects.delete(pkey('ab'));
    expect(await store.memberStatus.all(pkey('ab'))).toEqual([]);
  });
});
