import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject, ObjectKey } from '../../../federation/resources/kube-object.js';
import { ALL_NAMESPACES, clusterReference } from '../../../federation/store/references.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import { CONFIGMAPS_EVERYWHERE, configMap, configMapValue } from '../../support/config-maps.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { type TestRedis, testRedis } from '../../support/redis.js';
import { waitFor } from '../../support/wait-for.js';
import { Release01Writer } from './fixtures/release-0.1-writer.js';

const BINDING = 'Binding.v1alpha1.fedgate.dev';
const bkey = (name: string): ObjectKey => ({ type: BINDING, namespace: 'shop', name });
const binding = (name: string, deps: string[], clusters: string[]): KubeObject => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'Binding',
  metadata: { name, namespace: 'shop' },
  spec: {
    clusters: clusters.map((c) => ({ name: c })),
    dependencies: deps.map((d) => ({ kind: d.split('/')[0]!, name: d.split('/')[1]! })),
  },
});
const refsOf = (deps: string[], clusters: string[]) => [
  ...deps.map((d) => `shop:${d}`),
  ...clusters.map((c) => `${ALL_NAMESPACES}:${clusterReference(c)}`),
];
const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name);

describe('a store written by fedgate 0.1, read after the upgrade', () => {
  let r: TestRedis;
  let old: Release01Writer;
  beforeEach(() => {
    r = testRedis();
    old = new Release01Writer(r.connect(), r.prefix);
  });
  afterEach(() => r.close());

  it('reads objects, events, cluster statuses and the reference index as 0.1 left them, and writes on', async () => {
    const cm = await old.create(
      { type: 'ConfigMap.v1', namespace: 'shop', name: 'cfg' },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { a: '1' } },
    );
    const web = await old.create(
      bkey('web'),
      binding('web', ['ConfigMap/cfg'], ['c1']),
      refsOf(['ConfigMap/cfg'], ['c1']),
    );
    await old.create(
      bkey('api'),
      binding('api', ['ConfigMap/cfg', 'Secret/tls'], ['c2']),
      refsOf(['ConfigMap/cfg', 'Secret/tls'], ['c2']),
    );
    await old.clusterStatus(bkey('web'), 'c1', { cluster: 'c1', phase: 'Applied' });
    await old.markReferencesIndexed();

    const store = new ResourceStore(r.connect(), { prefix: r.prefix });
    expect(await store.get({ type: 'ConfigMap.v1', namespace: 'shop', name: 'cfg' })).toEqual(cm);
    expect(names((await store.list(BINDING)).items)).toEqual(['api', 'web']);
    expect(await store.clusterStatuses(bkey('web'))).toEqual([{ cluster: 'c1', phase: 'Applied' }]);
    expect(names(await store.referrers(BINDING, 'shop', 'ConfigMap/cfg'))).toEqual(['api', 'web']);
    expect(names(await store.referrers(BINDING, ALL_NAMESPACES, clusterReference('c2')))).toEqual(['api']);
    const events = await store.readEvents('0');
    expect(events.map((e) => [e.type, e.key.name])).toEqual([
      ['ADDED', 'cfg'],
      ['ADDED', 'web'],
      ['ADDED', 'api'],
    ]);
    expect(events[1]!.object).toEqual(web);
    expect(await store.indexReferences([BINDING])).toBe(0); // 0.1 completed it already

    // The upgraded store moves what 0.1 indexed, and keeps generation and uid.
    const moved = await store.save(bkey('web'), binding('web', ['Secret/tls'], ['c2']), web);
    expect(moved.metadata).toMatchObject({ uid: web.metadata.uid, generation: 2 });
    expect(names(await store.referrers(BINDING, 'shop', 'ConfigMap/cfg'))).toEqual(['api']);
    expect(names(await store.referrers(BINDING, 'shop', 'Secret/tls'))).toEqual(['api', 'web']);
    expect(await store.referrers(BINDING, ALL_NAMESPACES, clusterReference('c1'))).toEqual([]);
    await store.delete(bkey('api'));
    expect(names(await store.referrers(BINDING, ALL_NAMESPACES, clusterReference('c2')))).toEqual(['web']);
    // An 0.1 writer beside the upgraded store (a rolling upgrade) keeps the same index.
    const again = await store.mustGet(bkey('web'));
    await old.update(
      bkey('web'),
      { ...again, spec: binding('web', [], ['c3']).spec },
      again.metadata.resourceVersion!,
      refsOf([], ['c3']),
    );
    expect(await store.referrers(BINDING, 'shop', 'Secret/tls')).toEqual([]);
    expect(names(await store.referrers(BINDING, ALL_NAMESPACES, clusterReference('c3')))).toEqual(['web']);
  });
});

describe('a control plane upgraded over a store written by fedgate 0.1', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane(
      [
        { name: 'a', provider: 'aws', region: 'eu-west-1' },
        { name: 'b', provider: 'gcp', region: 'europe-west1' },
      ],
      { worker: false },
    );
  });
  afterAll(() => cp.close());

  const valueIn = (cluster: string) => configMapValue(cp, cluster, 'settings');

  it('places what 0.1 stored, then follows changes made through the new API', async () => {
    const old = new Release01Writer(cp.redis.connect(), cp.redis.prefix);
    await old.create(
      { type: 'PlacementPolicy.v1alpha1.fedgate.dev', namespace: '', name: 'everywhere' },
      CONFIGMAPS_EVERYWHERE,
    );
    await old.create(
      { type: 'ConfigMap.v1', namespace: 'app', name: 'settings' },
      configMap('settings', 'one'),
    );
    await cp.startWorker();
    await waitFor(
      '0.1 desired state in both clusters',
      () => valueIn('a') === 'one' && valueIn('b') === 'one',
      60_000,
    );

    expect((await cp.apply([configMap('settings', 'two')])).status).toBe(200);
    await waitFor(
      'the change in both clusters',
      () => valueIn('a') === 'two' && valueIn('b') === 'two',
      60_000,
    );
    expect((await cp.request('DELETE', '/api/v1/namespaces/app/objects/ConfigMap.v1/settings')).status).toBe(
      200,
    );
    await waitFor('pruned from both', () => valueIn('a') === undefined && valueIn('b') === undefined, 60_000);
  }, 120_000);
});
