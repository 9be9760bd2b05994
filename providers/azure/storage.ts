/**
 * Azure disk snapshots through arm-compute (modular generation: flattened models, pollers that
 * are awaitable). Snapshots are incremental; a copy to another region is an incremental snapshot
 * made with createOption CopyStart, which Azure provisions at once and then fills in the
 * background, reporting `completionPercent`. Volumes are managed disks made from a snapshot.
 */
import type { ComputeManagementClient, Disk, Snapshot } from '@azure/arm-compute';
import type {
  CallOptions,
  SnapshotCopySpec,
  SnapshotSpec,
  StorageCapability,
  VolumeFromSnapshotSpec,
  WaitOptions,
} from '../cloud/adapter.js';
import { pollUntil } from '../cloud/poll.js';
import type { CloudScope, CloudSnapshot, CloudVolume } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import type { AzureCalls, SdkPoller } from './calls.js';
import { azureZone, kubeZone, resolveName } from './ids.js';

/** The modular SDK's poller: awaitable itself, `submitted()` sends the first request. */
interface ModularPoller<T> extends SdkPoller<T> {
  submitted(): Promise<void>;
}

/**
 * Sends the first request and hands back the poller. Wrapped in a plain object: the modular
 * poller is a thenable, and resolving a promise with it would wait out the whole operation.
 */
async function started<T>(poller: ModularPoller<T>): Promise<SdkPoller<T>> {
  await poller.submitted();
  return {
    pollUntilDone: (o) => poller.pollUntilDone(o),
    onProgress: (cb) => poller.onProgress?.(cb),
  };
}

function isSnapshotId(id: string | undefined): boolean {
  return id?.toLowerCase().includes('/microsoft.compute/snapshots/') ?? false;
}

/** Maps an SDK snapshot; a CopyStart copy is pending until completionPercent reaches 100. */
export function toCloudSnapshot(s: Snapshot): CloudSnapshot {
  const source = s.creationData?.sourceResourceId;
  const copying = s.creationData?.createOption === 'CopyStart';
  const percent = s.completionPercent ?? (s.provisioningState === 'Succeeded' ? 100 : 0);
  const failed = s.provisioningState === 'Failed' || s.copyCompletionError !== undefined;
  const state: CloudSnapshot['state'] = failed
    ? 'failed'
    : s.provisioningState === 'Deleting'
      ? 'deleting'
      : s.provisioningState === 'Succeeded' && (!copying || percent >= 100)
        ? 'completed'
        : 'pending';
  const message = s.copyCompletionError
    ? `${s.copyCompletionError.errorCode}: ${s.copyCompletionError.errorMessage}`
    : s.provisioningState === 'Failed'
      ? 'provisioning failed'
      : undefined;
  return {
    id: s.id ?? '',
    name: s.name ?? '',
    state,
    progressPercent: state === 'completed' ? 100 : Math.min(100, Math.max(0, percent)),
    sizeGiB: s.diskSizeGB ?? 0,
    region: s.location?.replace(/\s+/g, '').toLowerCase() ?? '',
    ...(source && !isSnapshotId(source) ? { sourceVolumeId: source } : {}),
    ...(source && isSnapshotId(source) ? { sourceSnapshotId: source } : {}),
    ...(s.timeCreated ? { createdAt: new Date(s.timeCreated).toISOString() } : {}),
    tags: { ...s.tags },
    ...(message ? { message } : {}),
  };
}

function toCloudVolume(d: Disk): CloudVolume {
  const region = d.location?.replace(/\s+/g, '').toLowerCase() ?? '';
  const state: CloudVolume['state'] =
    d.provisioningState === 'Failed'
      ? 'failed'
      : d.provisioningState === 'Deleting'
        ? 'deleting'
        : d.provisioningState !== 'Succeeded'
          ? 'creating'
          : d.diskState === 'Attached' || d.managedBy
            ? 'in-use'
            : 'available';
  const source = d.creationData?.sourceResourceId;
  return {
    id: d.id ?? '',
    name: d.name ?? '',
    state,
    sizeGiB: d.diskSizeGB ?? 0,
    ...(d.zones?.[0] ? { zone: kubeZone(region, d.zones) } : {}),
    region,
    ...(source && isSnapshotId(source) ? { sourceSnapshotId: source } : {}),
  };
}

/** The storage capability of one adapter. */
export function azureStorage(
  scope: CloudScope,
  compute: ComputeManagementClient,
  calls: AzureCalls,
  pollIntervalMs: number,
): StorageCapability {
  const snapshotName = (idOrName: string) => resolveName(idOrName, scope, 'snapshot id or name');
  const getSnapshot = (idOrName: string, opts?: CallOptions) => {
    const s = snapshotName(idOrName);
    return calls.find('snapshots.get', (o) => compute.snapshots.get(s.resourceGroup, s.name, o), opts);
  };

  async function putSnapshot(name: string, body: Snapshot, opts?: CallOptions): Promise<Snapshot> {
    const rg = snapshotName(name).resourceGroup;
    return calls.wait(
      `snapshots.createOrUpdate ${name}`,
      (o) => started(compute.snapshots.createOrUpdate(rg, name, body, o)),
      opts ?? {},
    );
  }

  return {
    async createSnapshot(spec: SnapshotSpec, opts?: CallOptions): Promise<CloudSnapshot> {
      const existing = await getSnapshot(spec.name, opts);
      if (existing && existing.provisioningState !== 'Failed') return toCloudSnapshot(existing);
      const disk = resolveName(spec.volumeId, scope, 'volumeId');
      const source = await calls.call(
        'disks.get',
        (o) => compute.disks.get(disk.resourceGroup, disk.name, o),
        opts,
      );
      const snap = await putSnapshot(
        spec.name,
        {
          location: source.location ?? scope.region,
          incremental: true,
          creationData: { createOption: 'Copy', sourceResourceId: source.id },
          tags: { ...spec.tags },
        },
        opts,
      );
      return toCloudSnapshot(snap);
    },

    async copySnapshot(spec: SnapshotCopySpec, opts?: CallOptions): Promise<CloudSnapshot> {
      const existing = await getSnapshot(spec.name, opts);
      if (existing && existing.provisioningState !== 'Failed') return toCloudSnapshot(existing);
      if (!spec.sourceSnapshotId.includes('/'))
        throw new ProviderError(
          'Invalid',
          "azure: sourceSnapshotId must be the source snapshot's ARM id (it lives in another region)",
          {
            provider: 'azure',
          },
        );
      const snap = await putSnapshot(
        spec.name,
        {
          location: spec.targetRegion,
          incremental: true,
          creationData: { createOption: 'CopyStart', sourceResourceId: spec.sourceSnapshotId },
          tags: { ...spec.tags },
        },
        opts,
      );
      return toCloudSnapshot(snap);
    },

    async describeSnapshot(idOrName: string, opts?: CallOptions): Promise<CloudSnapshot | undefined> {
      const s = await getSnapshot(idOrName, opts);
      return s ? toCloudSnapshot(s) : undefined;
    },

    async waitForSnapshot(idOrName: string, opts?: WaitOptions): Promise<CloudSnapshot> {
      return pollUntil(
        async () => {
          const s = await getSnapshot(idOrName, opts);
          if (!s)
            throw new ProviderError('NotFound', `azure: snapshot ${idOrName} does not exist`, {
              provider: 'azure',
            });
          const view = toCloudSnapshot(s);
          if (view.state === 'failed')
            throw new ProviderError(
              'Internal',
              `azure: snapshot ${view.name} failed: ${view.message ?? 'unknown reason'}`,
              {
                provider: 'azure',
                ...(s.copyCompletionError?.errorCode
                  ? { providerCode: s.copyCompletionError.errorCode }
                  : {}),
              },
            );
          return view.state === 'completed'
            ? { done: true, value: view }
            : { done: false, state: s.provisioningState ?? 'Unknown', percent: view.progressPercent };
        },
        {
          what: `snapshot ${idOrName}`,
          intervalMs: pollIntervalMs,
          ...(opts?.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
          ...(opts?.signal ? { signal: opts.signal } : {}),
          ...(opts?.onProgress ? { onProgress: opts.onProgress } : {}),
        },
      );
    },

    async deleteSnapshot(idOrName: string, opts?: WaitOptions): Promise<void> {
      const s = snapshotName(idOrName);
      await calls.remove(
        `snapshots.delete ${s.name}`,
        (o) => started(compute.snapshots.delete(s.resourceGroup, s.name, o)),
        opts,
      );
    },

    async createVolumeFromSnapshot(spec: VolumeFromSnapshotSpec, opts?: WaitOptions): Promise<CloudVolume> {
      const d = resolveName(spec.name, scope, 'volume name');
      const existing = await calls.find(
        'disks.get',
        (o) => compute.disks.get(d.resourceGroup, d.name, o),
        opts,
      );
      if (existing && existing.provisioningState !== 'Failed') return toCloudVolume(existing);
      const snap = await getSnapshot(spec.snapshotId, opts);
      if (!snap)
        throw new ProviderError('NotFound', `azure: snapshot ${spec.snapshotId} does not exist`, {
          provider: 'azure',
        });
      const disk = await calls.wait(
        `disks.createOrUpdate ${d.name}`,
        (o) =>
          started(
            compute.disks.createOrUpdate(
              d.resourceGroup,
              d.name,
              {
                location: snap.location ?? scope.region,
                ...(spec.zone ? { zones: [azureZone(spec.zone)] } : {}),
                sku: { name: 'Premium_LRS' },
                creationData: { createOption: 'Copy', sourceResourceId: snap.id },
                ...(spec.sizeGiB === undefined ? {} : { diskSizeGB: spec.sizeGiB }),
              },
              o,
            ),
          ),
        opts,
      );
      return toCloudVolume(disk);
    },

    async deleteVolume(idOrName: string, opts?: WaitOptions): Promise<void> {
      const d = resolveName(idOrName, scope, 'volume id or name');
      await calls.remove(
        `disks.delete ${d.name}`,
        (o) => started(compute.disks.delete(d.resourceGroup, d.name, o)),
        opts,
      );
    },
  };
}
