import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject, ObjectKey } from '../../../federation/resources/kube-object.js';
import { ALL_NAMESPACES, clusterReference } from '../../../federation/store/references.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import { type TestRedis, testRedis } from '../../support/redis.js';

const DEPLOY = 'Deployment.v1.apps';

function deployment(name: string, replicas: number, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', labels },
    spec: { replicas, template: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
  };
}

const key = (name: string, namespace = 'shop'): ObjectKey => ({ type: DEPLOY, namespace, name });

describe('ResourceStore', () => {
  let r: TestRedis;
  let store: ResourceStore;
  beforeEach(() => {
    r = testRedis();
    store = new ResourceStore(r.connect(), { prefix: r.prefix });
  });
  afterEach(() => r.close());

  it('creates an object with uid, generation 1 and a resourceVersion, and refuses a second create', async () => {
    const created = await store.create(key('web'), deployment('web', 2));
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.generation).toBe(1);
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(0);
    await expect(store.create(key('web'), deployment('web', 3))).rejects.toMatchObject({
      code: 'AlreadyExists',
      status: 409,
    });
    expect((await store.mustGet(key('web'))).spec).toMatchObject({ replicas: 2 });
  });

  it('refuses a stale update with Conflict and keeps the newer one', async () => {
    const v1 = await store.create(key('web'), deployment('web', 2));
    await store.update(key('web'), deployment('web', 3), { resourceVersion: v1.metadata.resourceVersion! });
    await expect(
      store.update(key('web'), deployment('web', 9), { resourceVersion: v1.metadata.resourceVersion! }),
    ).rejects.toMatchObject({ code: 'Conflict' });
    expect((await store.mustGet(key('web'))).spec).toMatchObject({ replicas: 3 });
  });

  it('lets exactly one of many concurrent conditional writers win', async () => {
    const v1 = await store.create(key('web'), deployment('web', 1));
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.update(key('web'), deployment('web', i + 10), {
          resourceVersion: v1.metadata.resourceVersion!,
        }),
      ),
    );
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((x) => x.status === 'rejected')).toHaveLength(9);
  });

  it('bumps generation on spec and label changes of a template, not on status or a no-op', async () => {
    await store.create(key('web'), deployment('web', 2));
    const same = await store.update(key('web'), deployment('web', 2));
    expect(same.metadata.generation).toBe(1);
    const st = await store.updateStatus(key('web'), { readyReplicas: 2 });
    expect(st.metadata.generation).toBe(1);
    expect(st.status).toEqual({ readyReplicas: 2 });
    const scaled = await store.update(key('web'), deployment('web', 4));
    expect(scaled.metadata.generation).toBe(2);
    expect(scaled.status).toEqual({ readyReplicas: 2 });
    const relabelled = await store.update(key('web'), deployment('web', 4, { tier: 'front' }));
    expect(relabelled.metadata.generation).toBe(3);
  });

  it('bumps generation of a fedgate kind on spec changes only', async () => {
    const k = { type: 'MemberCluster.v1alpha1.fedgate.dev', namespace: '', name: 'c1' };
    const mc = (labels: Record<string, string>, region: string): KubeObject => ({
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'MemberCluster',
      metadata: { name: 'c1', labels },
      spec: { provider: 'aws', region },
    });
    await store.create(k, mc({}, 'eu-west-1'));
    expect((await store.update(k, mc({ env: 'prod' }, 'eu-west-1'))).metadata.generation).toBe(1);
    expect((await store.update(k, mc({ env: 'prod' }, 'us-east-1'))).metadata.generation).toBe(2);
  });

  it('lists by namespace and label selector, sorted', async () => {
    await store.create(key('b'), deployment('b', 1, { app: 'x', tier: 'web' }));
    await store.create(key('a'), deployment('a', 1, { app: 'x' }));
    await store.create(key('c', 'other'), deployment('c', 1, { app: 'y' }));
    expect((await store.list(DEPLOY)).items.map((o) => o.metadata.name)).toEqual(['c', 'a', 'b']);
    expect((await store.list(DEPLOY, { namespace: 'shop' })).items.map((o) => o.metadata.name)).toEqual([
      'a',
      'b',
    ]);
    expect(
      (await store.list(DEPLOY, { labelSelector: 'app=x,!tier' })).items.map((o) => o.metadata.name),
    ).toEqual(['a']);
    expect((await store.list(DEPLOY, { labelSelector: 'app in (x,y),tier!=web' })).items).toHaveLength(2);
    await expect(store.list(DEPLOY, { labelSelector: 'app in (x' })).rejects.toMatchObject({
      code: 'BadRequest',
    });
  });

  it('feeds every change in order, watchable from a resourceVersion', async () => {
    const start = await store.currentResourceVersion();
    const a = await store.create(key('a'), deployment('a', 1));
    await store.update(key('a'), deployment('a', 2));
    await store.updateStatus(key('a'), { readyReplicas: 2 });
    await store.delete(key('a'));
    const events = await store.readEvents(start);
    expect(events.map((e) => [e.type, e.subresource])).toEqual([
      ['ADDED', ''],
      ['MODIFIED', ''],
      ['MODIFIED', 'status'],
      ['DELETED', ''],
    ]);
    expect(
      events.every((e) => e.key.name === 'a' && e.key.namespace === 'shop' && e.key.type === DEPLOY),
    ).toBe(true);
    const rvs = events.map((e) => Number(e.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
    expect(await store.readEvents(a.metadata.resourceVersion!)).toHaveLength(3);
    expect(await store.get(key('a'))).toBeUndefined();
    await expect(store.delete(key('a'))).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('reports Expired when watching from a version already trimmed from the feed', async () => {
    const small = new ResourceStore(r.connect(), { prefix: `${r.prefix}s`, eventRetention: 10 });
    for (let i = 0; i < 300; i++) await small.apply(key('a'), deployment('a', i));
    await expect(small.readEvents('1')).rejects.toMatchObject({ code: 'Expired' });
  });

  it('keeps per-cluster binding status apart and drops it with the binding', async () => {
    const bk = { type: 'Binding.v1alpha1.fedgate.dev', namespace: 'shop', name: 'web-deployment' };
    expect(await store.setClusterStatus(bk, 'c1', { cluster: 'c1' })).toBe(false);
    await store.create(bk, {
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'Binding',
      metadata: { name: 'web-deployment', namespace: 'shop' },
    });
    expect(await store.setClusterStatus(bk, 'c2', { cluster: 'c2', phase: 'Applied' })).toBe(true);
    expect(await store.setClusterStatus(bk, 'c1', { cluster: 'c1', phase: 'Applied' })).toBe(true);
    expect(await store.setClusterStatus(bk, 'c1', { cluster: 'c1', phase: 'Applied' })).toBe(false);
    expect((await store.clusterStatuses<{ cluster: string }>(bk)).map((s) => s.cluster)).toEqual([
      'c1',
      'c2',
    ]);
    await store.delete(bk);
    expect(await store.clusterStatuses(bk)).toEqual([]);
  });

  it('replaces a cluster status only while it is the one the writer read', async () => {
    const bk = { type: 'Binding.v1alpha1.fedgate.dev', namespace: 'shop', name: 'api-deployment' };
    await store.create(bk, {
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'Binding',
      metadata: { name: 'api-deployment', namespace: 'shop' },
    });
    const a = { cluster: 'c1', phase: 'Pending' };
    expect(await store.replaceClusterStatus(bk, 'c1', undefined, a)).toBe('changed');
    expect(await store.replaceClusterStatus(bk, 'c1', undefined, a)).toBe('conflict');
    const read = await store.clusterStatus<object>(bk, 'c1');
    await store.setClusterStatus(bk, 'c1', { cluster: 'c1', phase: 'Applied' }); // another writer
    expect(await store.replaceClusterStatus(bk, 'c1', read, { cluster: 'c1', phase: 'Failed' })).toBe(
      'conflict',
    );
    expect(await store.clusterStatus(bk, 'c1')).toEqual({ cluster: 'c1', phase: 'Applied' });
    const fresh = await store.clusterStatus<object>(bk, 'c1');
    expect(await store.replaceClusterStatus(bk, 'c1', fresh, { cluster: 'c1', phase: 'Failed' })).toBe(
      'changed',
    );
    await store.delete(bk);
    expect(await store.replaceClusterStatus(bk, 'c1', undefined, a)).toBe('gone');
  });

  it('applies many objects in order as one apply each would: created, unchanged, configured, a repeated key', async () => {
    await store.create(key('old'), deployment('old', 1));
    const res = await store.applyMany([
      { key: key('a'), object: deployment('a', 1) },
      { key: key('old'), object: deployment('old', 1) },
      { key: key('b'), object: deployment('b', 1) },
      { key: key('a'), object: deployment('a', 2) },
    ]);
    expect(res.map((x) => x.action)).toEqual(['created', 'unchanged', 'created', 'configured']);
    expect(res[3]!.object.metadata.generation).toBe(2);
    expect((await store.mustGet(key('a'))).spec).toMatchObject({ replicas: 2 });
    const rvs = res.map((x) => Number(x.object.metadata.resourceVersion));
    expect(rvs[0]).toBeLessThan(rvs[2]!);
    expect(rvs[2]).toBeLessThan(rvs[3]!);
    // The change feed holds the writes in the order of the items.
    const events = await store.readEvents('0');
    expect(events.map((e) => `${e.type} ${e.key.name}`)).toEqual([
      'ADDED old',
      'ADDED a',
      'ADDED b',
      'MODIFIED a',
    ]);
  });

  it('applies many objects beside a concurrent writer: a write that lost the race is applied again', async () => {
    await store.create(key('web'), deployment('web', 1));
    const other = new ResourceStore(r.connect(), { prefix: r.prefix });
    // Another writer changes the object right after applyMany read it, before its write goes out.
    const conn = r.connect();
    const racing = new ResourceStore(conn, { prefix: r.prefix });
    const pipeline = conn.pipeline.bind(conn);
    let reads = true;
    conn.pipeline = ((...args: Parameters<typeof conn.pipeline>) => {
      const p = pipeline(...args);
      if (reads) {
        reads = false;
        const exec = p.exec.bind(p);
        p.exec = (async () => {
          const replies = await exec();
          await other.update(key('web'), deployment('web', 7));
          return replies;
        }) as typeof p.exec;
      }
      return p;
    }) as typeof conn.pipeline;
    const [mine] = await racing.applyMany([{ key: key('web'), object: deployment('web', 5) }]);
    expect(mine!.action).toBe('configured');
    const stored = await store.mustGet(key('web'));
    expect(stored.spec).toMatchObject({ replicas: 5 });
    expect(stored.metadata.generation).toBe(3);
    expect(mine!.object.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
  });

  it('returns the stored cluster status with a failed compare-and-set', async () => {
    const bk = { type: 'Binding.v1alpha1.fedgate.dev', namespace: 'shop', name: 'web-deployment' };
    await store.create(bk, {
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'Binding',
      metadata: { name: 'web-deployment', namespace: 'shop' },
    });
    const a = { cluster: 'c1', phase: 'Pending' };
    const b = { cluster: 'c1', phase: 'Applied' };
    expect(await store.memberStatus.compareAndSet(bk, 'c1', undefined, a)).toEqual({ outcome: 'changed' });
    expect(await store.memberStatus.compareAndSet(bk, 'c1', undefined, b)).toEqual({
      outcome: 'conflict',
      current: a,
    });
    expect(await store.memberStatus.compareAndSet(bk, 'c1', a, a)).toEqual({ outcome: 'unchanged' });
    await store.setClusterStatus(bk, 'c1', undefined);
    expect(await store.memberStatus.compareAndSet(bk, 'c1', a, b)).toEqual({ outcome: 'conflict' });
    expect(await store.clusterStatus(bk, 'c1')).toBeUndefined();
  });
});

describe('ResourceStore type versions', () => {
  it('moves a type version on every write of that type and only then', async () => {
    const r = testRedis();
    const store = new ResourceStore(r.connect(), { prefix: r.prefix });
    const other = 'ConfigMap.v1';
    const [d0, c0] = await store.typeVersions([DEPLOY, other]);
    expect([d0, c0]).toEqual(['0', '0']);
    const created = await store.create(key('a'), deployment('a', 1));
    expect(await store.typeVersions([DEPLOY, other])).toEqual([created.metadata.resourceVersion, '0']);
    const st = await store.updateStatus(key('a'), { readyReplicas: 1 });
    expect(await store.typeVersions([DEPLOY])).toEqual([st.metadata.resourceVersion]);
    await r.close();
  });
});

describe('ResourceStore dependency index', () => {
  const BINDING = 'Binding.v1alpha1.fedgate.dev';
  const bkey = (name: string, namespace = 'shop'): ObjectKey => ({ type: BINDING, namespace, name });
  const binding = (name: string, deps: string[], namespace = 'shop'): KubeObject => ({
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'Binding',
    metadata: { name, namespace },
    spec: {
      clusters: [{ name: 'c1' }],
      dependencies: deps.map((d) => ({ kind: d.split('/')[0]!, name: d.split('/')[1]! })),
    },
  });
  const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name);

  let r: TestRedis;
  let store: ResourceStore;
  beforeEach(async () => {
    r = testRedis();
    store = new ResourceStore(r.connect(), { prefix: r.prefix });
    expect(await store.indexReferences([BINDING])).toBe(0); // a new store: nothing to complete
  });
  afterEach(() => r.close());

  it('answers which bindings reference a dependency, following updates and deletes', async () => {
    const web = await store.save(bkey('web'), binding('web', ['ConfigMap/cfg', 'Secret/tls']));
    await store.save(bkey('api'), binding('api', ['ConfigMap/cfg']));
    await store.save(bkey('other', 'finance'), binding('other', ['ConfigMap/cfg'], 'finance'));
    expect(names(await store.referrers(BINDING, 'shop', 'ConfigMap/cfg'))).toEqual(['api', 'web']);
    expect(names(await store.referrers(BINDING, 'shop', 'Secret/tls'))).toEqual(['web']);
    expect(names(await store.referrers(BINDING, 'finance', 'ConfigMap/cfg'))).toEqual(['other']);

    // web stops using the ConfigMap and starts using another Secret.
    await store.save(bkey('web'), binding('web', ['Secret/tls', 'Secret/db']), web);
    expect(names(await store.referrers(BINDING, 'shop', 'ConfigMap/cfg'))).toEqual(['api']);
    expect(names(await store.referrers(BINDING, 'shop', 'Secret/db'))).toEqual(['web']);

    // Across namespaces (sorted by namespace, then name): the bindings placing their workload in a cluster.
    expect(names(await store.referrers(BINDING, ALL_NAMESPACES, clusterReference('c1')))).toEqual([
      'other',
      'api',
      'web',
    ]);
    await store.save(
      bkey('api'),
      {
        ...binding('api', ['ConfigMap/cfg']),
        spec: { clusters: [{ name: 'c2' }], dependencies: [{ kind: 'ConfigMap', name: 'cfg' }] },
      },
      await store.mustGet(bkey('api')),
    );
    expect(names(await store.referrers(BINDING, ALL_NAMESPACES, clusterReference('c1')))).toEqual([
      'other',
      'web',
    ]);
    expect(names(await store.referrers(BINDING, ALL_NAMESPACES, clusterReference('c2')))).toEqual(['api']);

    await store.delete(bkey('api'));
    expect(await store.referrers(BINDING, 'shop', 'ConfigMap/cfg')).toEqual([]);
    expect(await store.referrers(BINDING, ALL_NAMESPACES, clusterReference('c2'))).toEqual([]);
    // A status-only write keeps the references.
    await store.updateStatus(bkey('web'), { conditions: [] });
    expect(names(await store.referrers(BINDING, 'shop', 'Secret/tls'))).toEqual(['web']);
  });

  it('keeps the index equal to what the bindings hold under concurrent writers and deletes', async () => {
    const deps = ['ConfigMap/a', 'ConfigMap/b', 'Secret/c', 'Secret/d'];
    const clusters = ['c1', 'c2', 'c3'];
    // mulberry32: deterministic, with every bit usable (an LCG's low bits alternate).
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pick = <T>(xs: readonly T[]) => xs.filter(() => rand(2) === 0);
    const write = async (name: string) => {
      for (;;) {
        const current = await store.get(bkey(name));
        try {
          if (current && rand(5) === 0)
            await store.delete(bkey(name), { resourceVersion: current.metadata.resourceVersion! });
          else {
            const next = binding(name, pick(deps));
            (next.spec as { clusters: { name: string }[] }).clusters = pick(clusters).map((c) => ({
              name: c,
            }));
            await store.save(bkey(name), next, current);
          }
          return;
        } catch (err) {
          if (!['Conflict', 'AlreadyExists', 'NotFound'].includes((err as { code?: string }).code ?? ''))
            throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: 300 }, (_, i) => write(`b${i % 12}`)));

    const { items } = await store.list(BINDING, { namespace: 'shop' });
    const holding = (token: string) =>
      items
        .filter((o) => {
          const spec = o.spec as {
            dependencies?: { kind: string; name: string }[];
            clusters?: { name: string }[];
          };
          return token.startsWith('cluster/')
            ? spec.clusters?.some((c) => `cluster/${c.name}` === token)
            : spec.dependencies?.some((d) => `${d.kind}/${d.name}` === token);
        })
        .map((o) => o.metadata.name);
    for (const d of deps) expect(names(await store.referrers(BINDING, 'shop', d))).toEqual(holding(d));
    for (const c of clusters)
      expect(names(await store.referrers(BINDING, ALL_NAMESPACES, clusterReference(c)))).toEqual(
        holding(clusterReference(c)),
      );
  });

  it('completes the index for bindings written before it existed, and scans until then', async () => {
    const redis = r.connect();
    await store.save(bkey('web'), binding('web', ['ConfigMap/cfg']));
    await store.save(bkey('api'), binding('api', ['ConfigMap/cfg']));
    // As an earlier fedgate left them: no index entries, no `refs` field, no marker.
    const keys = await redis.keys(`*${r.prefix}*`);
    for (const k of keys.filter((k) => k.includes(':ref'))) await redis.del(k);
    for (const k of keys.filter((k) => k.includes(`:o:${BINDING}:`))) await redis.hdel(k, 'refs');
    const fresh = new ResourceStore(r.connect(), { prefix: r.prefix });
    expect(names(await fresh.referrers(BINDING, 'shop', 'ConfigMap/cfg'))).toEqual(['api', 'web']);
    expect(names(await fresh.referrers(BINDING, ALL_NAMESPACES, clusterReference('c1')))).toEqual([
      'api',
      'web',
    ]);

    expect(await fresh.indexReferences([BINDING])).toBe(2);
    expect(await fresh.indexReferences([BINDING])).toBe(0);
    expect(names(await fresh.referrers(BINDING, 'shop', 'ConfigMap/cfg'))).toEqual(['api', 'web']);
    // A write after the completion moves the binding out of the set the completion filled.
    await fresh.save(bkey('web'), binding('web', []), await fresh.mustGet(bkey('web')));
    expect(names(await fresh.referrers(BINDING, 'shop', 'ConfigMap/cfg'))).toEqual(['api']);
    expect(names(await fresh.referrers(BINDING, ALL_NAMESPACES, clusterReference('c1')))).toEqual([
      'api',
      'web',
    ]);
  });
});
