import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../federation/controller/context.js';
import { DriftDetector } from '../../../federation/reconcile/drift-detector.js';
import type { BindingClusterStatus } from '../../../federation/resources/binding.js';
import { BINDING_TYPE } from '../../../federation/resources/kinds.js';
import type { ObjectKey } from '../../../federation/resources/kube-object.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import type {
  ManifestObject,
  MemberClusterClient,
  WorkloadStatus,
} from '../../../providers/member-cluster-client.js';
import { type TestRedis, testRedis } from '../../support/redis.js';

/**
 * A member cluster holding one object, whose mutating webhook pins every image to a registry
 * mirror: a difference no re-apply can fix. (Our own client interface, not an SDK mock.)
 */
class MirroringCluster implements MemberClusterClient {
  object: ManifestObject | undefined;
  applies = 0;
  private rv = 0;

  async apply(objects: readonly ManifestObject[]): Promise<ManifestObject[]> {
    this.applies++;
    const o = structuredClone(objects[0]!) as ManifestObject & { spec: { image: string } };
    o.spec.image = `mirror.local/${o.spec.image.replace(/^mirror\.local\//, '')}`;
    this.object = { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) } };
    return [this.object];
  }
  /** Someone edits the object directly. */
  edit(spec: Record<string, unknown>): void {
    const o = this.object!;
    this.object = {
      ...o,
      spec: { ...(o.spec as object), ...spec },
      metadata: { ...o.metadata, resourceVersion: String(++this.rv) },
    };
  }
  async readStatus(): Promise<WorkloadStatus> {
    return this.object ? { exists: true, object: this.object } : { exists: false };
  }
  async listByLabels(): Promise<ManifestObject[]> {
    return this.object ? [this.object] : [];
  }
  async delete(): Promise<boolean> {
    return false;
  }
  async probe(): Promise<never> {
    throw new Error('not used');
  }
  watchWorkloads(): never {
    throw new Error('not used');
  }
}

const manifest: ManifestObject = {
  apiVersion: 'example.dev/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'shop' },
  spec: { image: 'nginx:1.27', size: 3 },
} as ManifestObject;

describe('DriftDetector.inspect', () => {
  let redis: TestRedis;
  let store: ResourceStore;
  let registry: Registry;
  let counter: Counter<'cluster' | 'mode'>;
  let detector: DriftDetector;
  let cluster: MirroringCluster;
  const key: ObjectKey = { type: BINDING_TYPE, namespace: 'shop', name: 'w-widget' };

  beforeAll(async () => {
    redis = testRedis();
    store = new ResourceStore(redis.connect(), { prefix: redis.prefix });
    await store.create(key, {
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'Binding',
      metadata: { name: key.name, namespace: key.namespace },
      spec: { clusters: [{ name: 'c1' }] },
    });
  });
  afterAll(() => redis.close());

  beforeEach(async () => {
    registry = new Registry();
    counter = new Counter({
      name: 'drift_total',
      help: 'h',
      labelNames: ['cluster', 'mode'],
      registers: [registry],
    });
    // Only inspect() is exercised: it needs the store, a log and the counter.
    detector = new DriftDetector({
      store,
      fleet: {} as never,
      clients: {} as never,
      clock: systemClock,
      log: pino({ level: 'silent' }),
      counter,
    });
    cluster = new MirroringCluster();
    await cluster.apply([manifest]);
    cluster.object = { ...cluster.object!, spec: structuredClone(manifest.spec) }; // as first applied, before the webhook existed
    cluster.applies = 0;
    await store.setClusterStatus(key, 'c1', {
      cluster: 'c1',
      phase: 'Applied',
      appliedHash: 'h',
      lastUpdateTime: new Date().toISOString(),
    } satisfies BindingClusterStatus);
  });

  const inspect = (policy?: { mode: 'Restore' | 'Report'; ignoreFields?: string[] }) =>
    detector.inspect({
      bindingKey: key,
      cluster: 'c1',
      client: cluster,
      manifest,
      live: cluster.object!,
      policy,
    });
  const count = async () => (await registry.getSingleMetricAsString('drift_total')).match(/ (\d+)$/m)?.[1];
  const status = () => store.clusterStatus<BindingClusterStatus>(key, 'c1');

  it('does not re-apply a difference that re-applying cannot fix, until the object is changed again', async () => {
    cluster.edit({ size: 5 });
    expect(await inspect()).toBe('restored');
    expect(cluster.applies).toBe(1);
    expect((await status())?.drift).toMatchObject({ paths: ['/spec/size'], restored: true });
    // The webhook rewrote the image on restore: different, but the object is as fedgate's apply left it.
    expect(await inspect()).toBe('none');
    expect(await inspect()).toBe('none');
    expect(cluster.applies).toBe(1);
    expect(await count()).toBe('1');
    // A new hand edit is new drift again.
    cluster.edit({ size: 9 });
    expect(await inspect()).toBe('restored');
    expect(cluster.applies).toBe(2);
    expect(await count()).toBe('2');
    expect((await status())?.drift?.paths).toEqual(['/spec/image', '/spec/size']);
  });

  it('reports once, keeps the first detection time, and clears when the object is back', async () => {
    cluster.edit({ size: 5 });
    expect(await inspect({ mode: 'Report' })).toBe('reported');
    const first = (await status())?.drift;
    expect(first).toMatchObject({ paths: ['/spec/size'], mode: 'Report', restored: false });
    expect(await inspect({ mode: 'Report' })).toBe('reported');
    expect((await status())?.drift?.detectedAt).toBe(first?.detectedAt);
    expect(await count()).toBe('1');
    expect(cluster.applies).toBe(0);
    cluster.edit({ size: 3 });
    expect(await inspect({ mode: 'Report' })).toBe('none');
    expect((await status())?.drift).toBeUndefined();
    expect((await status())?.appliedHash).toBe('h');
  });

  it('keeps what a propagation pass wrote after the scan read the status, and records the drift beside it', async () => {
    const readByScan = await status();
    // A propagation pass records the replicas ready while the scan is comparing.
    await store.setClusterStatus(key, 'c1', { ...readByScan!, replicas: 3, readyReplicas: 3 });
    cluster.edit({ size: 5 });
    const check = { bindingKey: key, cluster: 'c1', client: cluster, manifest, live: cluster.object! };
    expect(await detector.inspect({ ...check, policy: { mode: 'Report' } }, readByScan)).toBe('reported');
    expect(await status()).toMatchObject({
      readyReplicas: 3,
      appliedHash: 'h',
      drift: { paths: ['/spec/size'], mode: 'Report' },
    });
  });

  it('records no drift of a manifest that a newer one replaced after the scan read the status', async () => {
    const readByScan = await status();
    await store.setClusterStatus(key, 'c1', { ...readByScan!, appliedHash: 'h2' });
    cluster.edit({ size: 5 });
    const check = { bindingKey: key, cluster: 'c1', client: cluster, manifest, live: cluster.object! };
    await detector.inspect({ ...check, policy: { mode: 'Report' } }, readByScan);
    expect(await status()).toMatchObject({ appliedHash: 'h2' });
    expect((await status())?.drift).toBeUndefined();
  });

  it('leaves ignored fields alone', async () => {
    cluster.edit({ size: 5 });
    expect(await inspect({ mode: 'Restore', ignoreFields: ['/spec/size'] })).toBe('none');
    expect(cluster.applies).toBe(0);
  });
});
