/**
 * On-prem storage through the member cluster's CSI driver: snapshots are
 * snapshot.storage.k8s.io/v1 VolumeSnapshots of PersistentVolumeClaims, and a volume from a
 * snapshot is a claim whose dataSource names the snapshot. Ids are `<namespace>/<name>`; a bare
 * name means the adapter's namespace. Creates are idempotent by name (409 AlreadyExists → the
 * existing object, when it is the same thing), deletes of what is gone succeed, and waits poll the
 * object's status (readyToUse, phase Bound) with the seam's bounded, cancellable poll.
 *
 * A CSI snapshot lives in its cluster: there is no cross-site copy (`crossRegionCopy: false`);
 * moving data between sites is the replication data path's job, not the snapshot API's.
 */
import * as k8s from '@kubernetes/client-node';
import type {
  CallOptions,
  SnapshotCopySpec,
  SnapshotSpec,
  StorageCapability,
  VolumeFromSnapshotSpec,
  WaitOptions,
} from '../cloud/adapter.js';
import { pollUntil } from '../cloud/poll.js';
import { withRetry } from '../cloud/retry.js';
import type { CloudSnapshot, CloudVolume } from '../cloud/types.js';
import { translateKubeError } from '../kubernetes/translate-error.js';
import { ProviderError } from '../provider-error.js';

const GROUP = 'snapshot.storage.k8s.io';
const VERSION = 'v1';
const PLURAL = 'volumesnapshots';
const GIB = 1024 ** 3;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Where the snapshots and claims live, and how to reach the cluster. */
export interface CsiStorageOptions {
  readonly kubeConfig: k8s.KubeConfig;
  /** The region the site reports (the adapter's scope region). */
  readonly region: string;
  /** Namespace of bare names (default `default`). */
  readonly namespace?: string;
  /** VolumeSnapshotClass for new snapshots (default: the cluster's default class). */
  readonly volumeSnapshotClassName?: string;
  /** StorageClass of restored claims (default: the cluster's default class). */
  readonly storageClassName?: string;
  /** First poll interval, ms (default 500). */
  readonly pollIntervalMs?: number;
  /** Counts each request sent, by operation. */
  readonly count: (op: string) => void;
}

/** A VolumeSnapshot as the API returns it (the fields read here). */
interface VolumeSnapshot {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  spec?: { source?: { persistentVolumeClaimName?: string } };
  status?: {
    readyToUse?: boolean;
    restoreSize?: string;
    creationTime?: string;
    error?: { message?: string };
  };
}

/** The storage capability over CSI VolumeSnapshots. */
export class CsiStorage implements StorageCapability {
  readonly crossRegionCopy = false;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly core: k8s.CoreV1Api;
  private readonly namespace: string;

  constructor(private readonly options: CsiStorageOptions) {
    this.custom = options.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    this.core = options.kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.namespace = options.namespace ?? 'default';
  }

  async createSnapshot(spec: SnapshotSpec, opts: CallOptions = {}): Promise<CloudSnapshot> {
    const [namespace, name] = this.ref(spec.name, 'name');
    const [volumeNamespace, claim] = this.ref(spec.volumeId, 'volumeId');
    if (volumeNamespace !== namespace)
      throw invalid(`a VolumeSnapshot lives in its claim's namespace (${volumeNamespace}), not ${namespace}`);
    const body = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'VolumeSnapshot',
      metadata: { name, namespace, ...(spec.tags ? { labels: { ...spec.tags } } : {}) },
      spec: {
        ...(this.options.volumeSnapshotClassName
          ? { volumeSnapshotClassName: this.options.volumeSnapshotClassName }
          : {}),
        source: { persistentVolumeClaimName: claim },
      },
    };
    try {
      const created = await this.call('createVolumeSnapshot', opts, () =>
        this.custom.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
          body,
        }),
      );
      return this.toSnapshot(created as VolumeSnapshot);
    } catch (err) {
      if (!(err instanceof ProviderError) || err.code !== 'Conflict') throw err;
      const existing = await this.readSnapshot(namespace, name, opts);
      if (!existing) throw err;
      if (existing.spec?.source?.persistentVolumeClaimName !== claim)
        throw new ProviderError(
          'Conflict',
          `VolumeSnapshot ${namespace}/${name} exists for claim ${existing.spec?.source?.persistentVolumeClaimName}, not ${claim}`,
          { provider: 'onprem', providerCode: 'AlreadyExists' },
        );
      return this.toSnapshot(existing);
    }
  }

  async copySnapshot(spec: SnapshotCopySpec): Promise<CloudSnapshot> {
    throw new ProviderError(
      'Invalid',
      `cannot copy ${spec.sourceSnapshotId} to ${spec.targetRegion}: a CSI VolumeSnapshot stays in its cluster; replicate the volume's data instead`,
      { provider: 'onprem', providerCode: 'CrossRegionCopyUnsupported' },
    );
  }

  async describeSnapshot(idOrName: string, opts: CallOptions = {}): Promise<CloudSnapshot | undefined> {
    const [namespace, name] = this.ref(idOrName, 'snapshot');
    const vs = await this.readSnapshot(namespace, name, opts);
    return vs ? this.toSnapshot(vs) : undefined;
  }

  async waitForSnapshot(idOrName: string, opts: WaitOptions = {}): Promise<CloudSnapshot> {
    const [namespace, name] = this.ref(idOrName, 'snapshot');
    return pollUntil(
      async () => {
        const vs = await this.readSnapshot(namespace, name, opts);
        if (!vs)
          throw new ProviderError('NotFound', `VolumeSnapshot ${namespace}/${name} does not exist`, {
            provider: 'onprem',
            providerCode: 'NotFound',
          });
        const snap = this.toSnapshot(vs);
        if (snap.state === 'completed') return { done: true, value: snap };
        if (snap.state === 'failed')
          throw new ProviderError('Internal', `VolumeSnapshot ${snap.id} failed: ${snap.message}`, {
            provider: 'onprem',
            providerCode: 'SnapshotError',
          });
        return { done: false, state: snap.state, percent: snap.progressPercent };
      },
      this.pollOptions(`VolumeSnapshot ${namespace}/${name}`, opts),
    );
  }

  async deleteSnapshot(idOrName: string, opts: WaitOptions = {}): Promise<void> {
    const [namespace, name] = this.ref(idOrName, 'snapshot');
    const gone = await this.ignoreNotFound('deleteVolumeSnapshot', opts, () =>
      this.custom.deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name,
      }),
    );
    if (gone) return;
    // The bound-protection finalizer holds it until the driver has deleted its content.
    await pollUntil(
      async () => {
        const vs = await this.readSnapshot(namespace, name, opts);
        return vs ? { done: false, state: 'deleting' } : { done: true, value: undefined };
      },
      this.pollOptions(`deletion of VolumeSnapshot ${namespace}/${name}`, opts),
    );
  }

  async createVolumeFromSnapshot(spec: VolumeFromSnapshotSpec, opts: WaitOptions = {}): Promise<CloudVolume> {
    const [namespace, snapshotName] = this.ref(spec.snapshotId, 'snapshotId');
    const [claimNamespace, name] = this.ref(
      spec.name.includes('/') ? spec.name : `${namespace}/${spec.name}`,
      'name',
    );
    if (claimNamespace !== namespace)
      throw invalid(
        `a claim restores from a VolumeSnapshot of its own namespace (${namespace}), not ${claimNamespace}`,
      );
    let size = spec.sizeGiB === undefined ? undefined : `${spec.sizeGiB}Gi`;
    if (!size) {
      const snap = await this.readSnapshot(namespace, snapshotName, opts);
      if (!snap)
        throw new ProviderError('NotFound', `VolumeSnapshot ${namespace}/${snapshotName} does not exist`, {
          provider: 'onprem',
          providerCode: 'NotFound',
        });
      size = snap.status?.restoreSize;
      if (!size)
        throw invalid(`VolumeSnapshot ${namespace}/${snapshotName} is not ready: its size is not known yet`);
    }
    const body: k8s.V1PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace },
      spec: {
        accessModes: ['ReadWriteOnce'],
        ...(this.options.storageClassName ? { storageClassName: this.options.storageClassName } : {}),
        dataSource: { apiGroup: GROUP, kind: 'VolumeSnapshot', name: snapshotName },
        resources: { requests: { storage: size } },
      },
    };
    try {
      await this.call('createPersistentVolumeClaim', opts, () =>
        this.core.createNamespacedPersistentVolumeClaim({ namespace, body }),
      );
    } catch (err) {
      if (!(err instanceof ProviderError) || err.code !== 'Conflict') throw err;
      const existing = await this.readClaim(namespace, name, opts);
      if (existing?.spec?.dataSource?.name !== snapshotName)
        throw new ProviderError(
          'Conflict',
          `PersistentVolumeClaim ${namespace}/${name} exists and does not restore ${snapshotName}`,
          { provider: 'onprem', providerCode: 'AlreadyExists' },
        );
    }
    return pollUntil(
      async () => {
        const pvc = await this.readClaim(namespace, name, opts);
        if (!pvc)
          throw new ProviderError('NotFound', `PersistentVolumeClaim ${namespace}/${name} is gone`, {
            provider: 'onprem',
            providerCode: 'NotFound',
          });
        const volume = this.toVolume(pvc);
        return volume.state === 'available'
          ? { done: true, value: volume }
          : { done: false, state: pvc.status?.phase ?? 'Pending' };
      },
      this.pollOptions(`PersistentVolumeClaim ${namespace}/${name}`, opts),
    );
  }

  async deleteVolume(idOrName: string, opts: WaitOptions = {}): Promise<void> {
    const [namespace, name] = this.ref(idOrName, 'volume');
    await this.ignoreNotFound('deletePersistentVolumeClaim', opts, () =>
      this.core.deleteNamespacedPersistentVolumeClaim({ namespace, name }),
    );
  }

  private async readSnapshot(
    namespace: string,
    name: string,
    opts: CallOptions,
  ): Promise<VolumeSnapshot | undefined> {
    try {
      return (await this.call('getVolumeSnapshot', opts, () =>
        this.custom.getNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
          name,
        }),
      )) as VolumeSnapshot;
    } catch (err) {
      if (err instanceof ProviderError && err.code === 'NotFound') return undefined;
      throw err;
    }
  }

  private async readClaim(
    namespace: string,
    name: string,
    opts: CallOptions,
  ): Promise<k8s.V1PersistentVolumeClaim | undefined> {
    try {
      return await this.call('getPersistentVolumeClaim', opts, () =>
        this.core.readNamespacedPersistentVolumeClaim({ namespace, name }),
      );
    } catch (err) {
      if (err instanceof ProviderError && err.code === 'NotFound') return undefined;
      throw err;
    }
  }

  /** Runs a delete; true when there was nothing to delete. */
  private async ignoreNotFound(
    op: string,
    opts: CallOptions,
    call: () => Promise<unknown>,
  ): Promise<boolean> {
    try {
      await this.call(op, opts, call);
      return false;
    } catch (err) {
      if (err instanceof ProviderError && err.code === 'NotFound') return true;
      throw err;
    }
  }

  /** One API call: counted per attempt, translated, retried on throttling and 5xx. */
  private call<T>(op: string, opts: CallOptions, request: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        opts.signal?.throwIfAborted();
        this.options.count(op);
        try {
          return await request();
        } catch (err) {
          throw translateKubeError(err, `onprem ${op}`);
        }
      },
      opts.signal ? { signal: opts.signal } : {},
    );
  }

  /** `<namespace>/<name>` or a bare name in the adapter's namespace, validated as Kubernetes names. */
  private ref(idOrName: string, field: string): [string, string] {
    const parts = idOrName.split('/');
    const [namespace, name] = parts.length === 2 ? parts : [this.namespace, parts[0]];
    if (
      parts.length > 2 ||
      !name ||
      !namespace ||
      !DNS_SUBDOMAIN.test(name) ||
      name.length > 253 ||
      !DNS_SUBDOMAIN.test(namespace)
    )
      throw invalid(
        `${field}: "${idOrName}" is not <namespace>/<name> or <name> with a lowercase RFC 1123 name`,
      );
    return [namespace, name];
  }

  private toSnapshot(vs: VolumeSnapshot): CloudSnapshot {
    const namespace = vs.metadata.namespace ?? this.namespace;
    const ready = vs.status?.readyToUse === true;
    const error = vs.status?.error?.message;
    const state = vs.metadata.deletionTimestamp
      ? 'deleting'
      : ready
        ? 'completed'
        : error
          ? 'failed'
          : 'pending';
    const claim = vs.spec?.source?.persistentVolumeClaimName;
    const created = vs.status?.creationTime ?? vs.metadata.creationTimestamp;
    return {
      id: `${namespace}/${vs.metadata.name}`,
      name: vs.metadata.name,
      state,
      progressPercent: ready ? 100 : 0,
      sizeGiB: gibOf(vs.status?.restoreSize),
      region: this.options.region,
      ...(claim ? { sourceVolumeId: `${namespace}/${claim}` } : {}),
      ...(created ? { createdAt: created } : {}),
      tags: { ...vs.metadata.labels },
      ...(error ? { message: error } : {}),
    };
  }

  private toVolume(pvc: k8s.V1PersistentVolumeClaim): CloudVolume {
    const namespace = pvc.metadata?.namespace ?? this.namespace;
    const phase = pvc.status?.phase;
    const source = pvc.spec?.dataSource;
    return {
      id: `${namespace}/${pvc.metadata?.name}`,
      name: pvc.metadata?.name ?? '',
      state: pvc.metadata?.deletionTimestamp
        ? 'deleting'
        : phase === 'Bound'
          ? 'available'
          : phase === 'Lost'
            ? 'failed'
            : 'creating',
      sizeGiB: gibOf(pvc.status?.capacity?.storage ?? pvc.spec?.resources?.requests?.storage),
      region: this.options.region,
      ...(source?.kind === 'VolumeSnapshot' ? { sourceSnapshotId: `${namespace}/${source.name}` } : {}),
    };
  }

  private pollOptions(what: string, opts: WaitOptions) {
    const interval = this.options.pollIntervalMs ?? 500;
    return {
      what,
      intervalMs: interval,
      maxIntervalMs: Math.max(interval, 5_000),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    };
  }
}

function invalid(message: string): ProviderError {
  return new ProviderError('Invalid', `onprem: ${message}`, { provider: 'onprem', providerCode: 'Invalid' });
}

/** GiB of a Kubernetes quantity (`10Gi`, `5368709120`), rounded up; 0 when unknown. */
function gibOf(quantity: unknown): number {
  if (typeof quantity !== 'string' || !quantity) return 0;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(quantity);
  if (!m) return 0;
  const factor: Record<string, number> = {
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: GIB,
    Ti: 1024 ** 4,
    Pi: 1024 ** 5,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
  };
  return Math.ceil((Number(m[1]) * (m[2] ? (factor[m[2]] ?? 1) : 1)) / GIB);
}
