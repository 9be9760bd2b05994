/**
 * A CSI driver with snapshot support, as a cluster with the external-provisioner, the
 * external-snapshotter sidecar and the snapshot-controller runs it:
 * - the snapshot.storage.k8s.io/v1 CRDs (VolumeSnapshotClass, VolumeSnapshot, VolumeSnapshotContent),
 *   a default StorageClass and VolumeSnapshotClass for the driver;
 * - dynamic provisioning: a PersistentVolumeClaim of the driver's class gets a PersistentVolume
 *   (`pvc-<uid>`) and turns Bound; a claim whose dataSource is a VolumeSnapshot waits until the
 *   snapshot is readyToUse, and is refused (event ProvisioningFailed) when smaller than its restoreSize;
 * - snapshots: a VolumeSnapshot of a bound claim gets a VolumeSnapshotContent
 *   (`snapcontent-<uid>`), is bound to it, and turns readyToUse after the cut takes its time; a
 *   snapshot of a missing or unbound claim reports status.error, as the snapshot-controller does;
 * - deletion: the `snapshot.storage.kubernetes.io/volumesnapshot-bound-protection` finalizer holds
 *   a deleted VolumeSnapshot until its content (deletionPolicy Delete) is gone; a claim's volume is
 *   deleted with it (reclaimPolicy Delete).
 */
import { randomUUID } from 'node:crypto';
import { CRDS } from './crd.js';
import type { EventRecorder } from './events.js';
import { formatBytes, parseBytes } from './quantity.js';
import { groupResourceKey } from './resources.js';
import type { ObjectStore, StoreEvent } from './storage.js';
import type { JsonObject, KubeObject } from './types.js';
import { cloneJson, getPath, isObject } from './types.js';

/** Options of the simulated CSI driver. */
export interface CsiOptions {
  /** The driver's name, as StorageClasses and VolumeSnapshotClasses name it (default `csi.fedgate.dev`). */
  driver?: string;
  /** How long a snapshot takes to be cut (readyToUse), ms (default 100). */
  snapshotDelayMs?: number;
}

/** Switches of the simulated driver, for tests. */
export interface CsiControls {
  /** Snapshots from now on take this long before they are readyToUse. */
  snapshotDelayMs(ms: number): void;
  /** The next snapshot fails with this message (status.error, readyToUse false). */
  failNextSnapshot(message: string): void;
  /** Clears both. */
  reset(): void;
}

const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';
const GR = {
  pvcs: groupResourceKey('', 'persistentvolumeclaims'),
  pvs: groupResourceKey('', 'persistentvolumes'),
  storageClasses: groupResourceKey('storage.k8s.io', 'storageclasses'),
  snapshots: groupResourceKey(SNAPSHOT_GROUP, 'volumesnapshots'),
  contents: groupResourceKey(SNAPSHOT_GROUP, 'volumesnapshotcontents'),
  classes: groupResourceKey(SNAPSHOT_GROUP, 'volumesnapshotclasses'),
};
const BOUND_PROTECTION = 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection';
const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const DEFAULT_SNAPSHOT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';

/** The CRD objects the external-snapshotter project ships, in the shape apiextensions stores them. */
export function snapshotCrds(): KubeObject[] {
  const crd = (kind: string, plural: string, scope: string, shortNames: string[], status: boolean) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${SNAPSHOT_GROUP}`, uid: '', resourceVersion: '', creationTimestamp: '' },
    spec: {
      group: SNAPSHOT_GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames },
      scope,
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          ...(status ? { subresources: { status: {} } } : {}),
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  });
  return [
    crd('VolumeSnapshotClass', 'volumesnapshotclasses', 'Cluster', ['vsclass', 'vsclasses'], false),
    crd('VolumeSnapshot', 'volumesnapshots', 'Namespaced', ['vs'], true),
    crd('VolumeSnapshotContent', 'volumesnapshotcontents', 'Cluster', ['vsc', 'vscs'], true),
  ];
}

/** Runs the driver's provisioner and snapshotter against one cluster's store. */
export class CsiDriverSim implements CsiControls {
  readonly driver: string;
  private delayMs: number;
  private failure: string | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly now: () => string,
    options: CsiOptions = {},
  ) {
    this.driver = options.driver ?? 'csi.fedgate.dev';
    this.delayMs = options.snapshotDelayMs ?? 100;
    for (const crd of snapshotCrds()) this.create(CRDS, crd);
    this.create(GR.storageClasses, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: meta('csi-standard', { [DEFAULT_CLASS_ANNOTATION]: 'true' }),
      provisioner: this.driver,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: true,
    } as KubeObject);
    this.unsubscribe = store.subscribe((event) => this.observe(event));
    // The snapshot class is created once its CRD is served (the CRD watch adds it synchronously).
    this.create(GR.classes, {
      apiVersion: `${SNAPSHOT_GROUP}/v1`,
      kind: 'VolumeSnapshotClass',
      metadata: meta('csi-snapclass', { [DEFAULT_SNAPSHOT_CLASS_ANNOTATION]: 'true' }),
      driver: this.driver,
      deletionPolicy: 'Delete',
    } as KubeObject);
  }

  snapshotDelayMs(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  failNextSnapshot(message: string): void {
    this.failure = message;
  }

  reset(): void {
    this.delayMs = 100;
    this.failure = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private observe(event: StoreEvent): void {
    if (this.stopped) return;
    const { groupResource: gr, object } = event;
    // Work happens after the write that caused it, as a controller's informer would see it.
    if (gr === GR.pvcs && event.type !== 'DELETED') this.later(() => this.provision(object), 0);
    else if (gr === GR.pvcs) this.later(() => this.reclaim(object), 0);
    else if (gr === GR.snapshots && event.type !== 'DELETED') this.later(() => this.snapshot(object), 0);
    else if (gr === GR.contents && event.type === 'DELETED') this.later(() => this.released(object), 0);
  }

  private later(work: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) work();
    }, ms);
    this.timers.add(timer);
  }

  /** The external-provisioner: a PersistentVolume for a claim of one of the driver's classes. */
  private provision(seen: KubeObject): void {
    const ns = seen.metadata.namespace ?? '';
    const pvc = this.store.get(GR.pvcs, ns, seen.metadata.name);
    if (!pvc || pvc.metadata.deletionTimestamp || getPath(pvc, ['spec', 'volumeName'])) return;
    const className = this.classOf(pvc);
    const sc = className ? this.store.get(GR.storageClasses, '', className) : undefined;
    if (getPath(sc, ['provisioner']) !== this.driver) return;
    const requested = bytesOf(getPath(pvc, ['spec', 'resources', 'requests', 'storage']));
    if (requested === undefined) return;
    const source = getPath(pvc, ['spec', 'dataSource']);
    let handle = `vol-${randomUUID()}`;
    if (isObject(source) && source.kind === 'VolumeSnapshot') {
      const snap = this.store.get(GR.snapshots, ns, String(source.name ?? ''));
      if (getPath(snap, ['status', 'readyToUse']) !== true) {
        this.warn(pvc, 'ProvisioningFailed', `snapshot ${String(source.name)} is not ready to use`);
        return;
      }
      const restore = bytesOf(getPath(snap, ['status', 'restoreSize'])) ?? 0;
      if (requested < restore) {
        this.warn(
          pvc,
          'ProvisioningFailed',
          `requested volume size ${requested} is less than the size ${restore} for the source snapshot ${String(source.name)}`,
        );
        return;
      }
      handle = `vol-from-${String(getPath(snap, ['status', 'boundVolumeSnapshotContentName']))}-${randomUUID().slice(0, 8)}`;
    }
    const pvName = `pvc-${pvc.metadata.uid}`;
    const capacity = formatBytes(requested);
    this.create(GR.pvs, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta(pvName, { 'pv.kubernetes.io/provisioned-by': this.driver }),
      spec: {
        capacity: { storage: capacity },
        accessModes: getPath(pvc, ['spec', 'accessModes']) ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: getPath(sc, ['reclaimPolicy']) ?? 'Delete',
        storageClassName: className,
        volumeMode: getPath(pvc, ['spec', 'volumeMode']) ?? 'Filesystem',
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: ns,
          name: pvc.metadata.name,
          uid: pvc.metadata.uid,
        },
        csi: { driver: this.driver, volumeHandle: handle, fsType: 'ext4' },
      },
      status: { phase: 'Bound' },
    } as KubeObject);
    const next = cloneJson(pvc);
    (next.spec as JsonObject).volumeName = pvName;
    if (!getPath(pvc, ['spec', 'storageClassName'])) (next.spec as JsonObject).storageClassName = className;
    next.metadata.annotations = {
      ...next.metadata.annotations,
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
      'volume.kubernetes.io/storage-provisioner': this.driver,
    };
    next.status = {
      phase: 'Bound',
      accessModes: getPath(pvc, ['spec', 'accessModes']) ?? ['ReadWriteOnce'],
      capacity: { storage: capacity },
    };
    this.store.write(GR.pvcs, next);
    for (const vs of this.store.list(GR.snapshots, ns))
      if (getPath(vs, ['spec', 'source', 'persistentVolumeClaimName']) === pvc.metadata.name)
        this.later(() => this.snapshot(vs), 0);
    this.events.record(
      pvc,
      'Normal',
      'ProvisioningSucceeded',
      `Successfully provisioned volume ${pvName}`,
      `${this.driver}_external-provisioner`,
    );
  }

  /** reclaimPolicy Delete: the volume goes with its claim. */
  private reclaim(claim: KubeObject): void {
    const pvName = getPath(claim, ['spec', 'volumeName']);
    if (typeof pvName !== 'string') return;
    const pv = this.store.get(GR.pvs, '', pvName);
    if (pv && getPath(pv, ['spec', 'persistentVolumeReclaimPolicy']) === 'Delete')
      this.store.remove(GR.pvs, '', pvName);
  }

  /** The snapshot-controller and the external-snapshotter, for one VolumeSnapshot. */
  private snapshot(seen: KubeObject): void {
    const ns = seen.metadata.namespace ?? '';
    const vs = this.store.get(GR.snapshots, ns, seen.metadata.name);
    if (!vs) return;
    const contentName = getPath(vs, ['status', 'boundVolumeSnapshotContentName']);
    if (vs.metadata.deletionTimestamp) {
      const content =
        typeof contentName === 'string' ? this.store.get(GR.contents, '', contentName) : undefined;
      if (content && getPath(content, ['spec', 'deletionPolicy']) === 'Delete')
        this.store.remove(GR.contents, '', contentName as string);
      else this.release(vs);
      return;
    }
    if (typeof contentName === 'string') return;
    const claimName = getPath(vs, ['spec', 'source', 'persistentVolumeClaimName']);
    const claim = typeof claimName === 'string' ? this.store.get(GR.pvcs, ns, claimName) : undefined;
    const pv = this.store.get(GR.pvs, '', String(getPath(claim, ['spec', 'volumeName']) ?? ''));
    const classSpecified = getPath(vs, ['spec', 'volumeSnapshotClassName']);
    const className = typeof classSpecified === 'string' ? classSpecified : this.defaultSnapshotClass();
    const vsClass = className ? this.store.get(GR.classes, '', className) : undefined;
    const refusal =
      typeof claimName !== 'string'
        ? 'spec.source.persistentVolumeClaimName is required for a dynamic snapshot'
        : !claim
          ? `PersistentVolumeClaim "${claimName}" not found`
          : !pv || getPath(claim, ['status', 'phase']) !== 'Bound'
            ? `the source PVC ${claimName} is not bound`
            : !vsClass || getPath(vsClass, ['driver']) !== this.driver
              ? `VolumeSnapshotClass "${String(className)}" not found`
              : undefined;
    if (refusal) {
      // The snapshot-controller retries: a claim bound later (see provision) brings it back here.
      if (getPath(vs, ['status', 'error', 'message']) === refusal) return;
      this.writeStatus(GR.snapshots, vs, {
        readyToUse: false,
        error: { message: refusal, time: this.now() },
      });
      this.events.record(vs, 'Warning', 'SnapshotCreationFailed', refusal, 'snapshot-controller');
      return;
    }

    const name = `snapcontent-${vs.metadata.uid}`;
    const handle = `snap-${randomUUID()}`;
    const restoreSize = bytesOf(getPath(pv, ['spec', 'capacity', 'storage'])) ?? 0;
    this.create(GR.contents, {
      apiVersion: `${SNAPSHOT_GROUP}/v1`,
      kind: 'VolumeSnapshotContent',
      metadata: meta(name),
      spec: {
        deletionPolicy: getPath(vsClass, ['deletionPolicy']) ?? 'Delete',
        driver: this.driver,
        source: { volumeHandle: getPath(pv, ['spec', 'csi', 'volumeHandle']) },
        volumeSnapshotClassName: className,
        volumeSnapshotRef: {
          apiVersion: `${SNAPSHOT_GROUP}/v1`,
          kind: 'VolumeSnapshot',
          name: vs.metadata.name,
          namespace: ns,
          uid: vs.metadata.uid,
        },
      },
    } as KubeObject);
    const bound = cloneJson(vs);
    bound.metadata.finalizers = [...new Set([...(vs.metadata.finalizers ?? []), BOUND_PROTECTION])];
    bound.status = { boundVolumeSnapshotContentName: name, readyToUse: false };
    const written = this.store.write(GR.snapshots, bound);
    this.events.record(
      written,
      'Normal',
      'CreatingSnapshot',
      'Waiting for a snapshot to be created by the CSI driver.',
      'snapshot-controller',
    );

    const failure = this.failure;
    this.failure = undefined;
    this.later(() => {
      const current = this.store.get(GR.snapshots, ns, vs.metadata.name);
      const content = this.store.get(GR.contents, '', name);
      if (!current || !content || current.metadata.deletionTimestamp) return;
      const time = this.now();
      if (failure) {
        this.writeStatus(GR.contents, content, { readyToUse: false, error: { message: failure, time } });
        this.writeStatus(GR.snapshots, current, {
          boundVolumeSnapshotContentName: name,
          readyToUse: false,
          error: { message: `Failed to check and update snapshot content: ${failure}`, time },
        });
        this.events.record(
          current,
          'Warning',
          'SnapshotContentCheckandUpdateFailed',
          failure,
          'snapshot-controller',
        );
        return;
      }
      const creationTime = Date.parse(time) * 1_000_000;
      this.writeStatus(GR.contents, content, {
        creationTime,
        readyToUse: true,
        restoreSize,
        snapshotHandle: handle,
      });
      this.writeStatus(GR.snapshots, current, {
        boundVolumeSnapshotContentName: name,
        creationTime: time,
        readyToUse: true,
        restoreSize: formatBytes(restoreSize),
      });
      this.events.record(
        current,
        'Normal',
        'SnapshotReady',
        `Snapshot ${ns}/${vs.metadata.name} is ready to use.`,
        'snapshot-controller',
      );
      // Claims restoring from it were waiting.
      for (const pvc of this.store.list(GR.pvcs, ns)) this.provision(pvc);
    }, this.delayMs);
  }

  /** A content is gone: the snapshot that held it lets go of its finalizer. */
  private released(content: KubeObject): void {
    const ref = getPath(content, ['spec', 'volumeSnapshotRef']);
    if (!isObject(ref)) return;
    const vs = this.store.get(GR.snapshots, String(ref.namespace ?? ''), String(ref.name ?? ''));
    if (vs?.metadata.deletionTimestamp) this.release(vs);
  }

  private release(vs: KubeObject): void {
    const finalizers = (vs.metadata.finalizers ?? []).filter((f) => f !== BOUND_PROTECTION);
    if (finalizers.length === 0) {
      this.store.remove(GR.snapshots, vs.metadata.namespace ?? '', vs.metadata.name);
      return;
    }
    const next = cloneJson(vs);
    next.metadata.finalizers = finalizers;
    this.store.write(GR.snapshots, next);
  }

  private classOf(pvc: KubeObject): string | undefined {
    const named = getPath(pvc, ['spec', 'storageClassName']);
    if (typeof named === 'string') return named || undefined;
    return this.store
      .list(GR.storageClasses)
      .find((sc) => sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')?.metadata.name;
  }

  private defaultSnapshotClass(): string | undefined {
    return this.store
      .list(GR.classes)
      .find(
        (c) =>
          c.metadata.annotations?.[DEFAULT_SNAPSHOT_CLASS_ANNOTATION] === 'true' &&
          getPath(c, ['driver']) === this.driver,
      )?.metadata.name;
  }

  private warn(object: KubeObject, reason: string, message: string): void {
    this.events.record(object, 'Warning', reason, message, `${this.driver}_external-provisioner`);
  }

  private writeStatus(gr: string, object: KubeObject, status: JsonObject): void {
    const current = this.store.get(gr, object.metadata.namespace ?? '', object.metadata.name);
    if (current) this.store.write(gr, { ...current, metadata: { ...current.metadata }, status });
  }

  private create(gr: string, object: KubeObject): void {
    object.metadata.uid = randomUUID();
    object.metadata.creationTimestamp = this.now();
    this.store.write(gr, object);
  }
}

function meta(name: string, annotations?: Record<string, string>): KubeObject['metadata'] {
  return {
    name,
    uid: '',
    resourceVersion: '',
    creationTimestamp: '',
    ...(annotations ? { annotations } : {}),
  };
}

function bytesOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  try {
    return parseBytes(value);
  } catch {
    return undefined;
  }
}
