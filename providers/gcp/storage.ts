/**
 * Disks and snapshots. A GCE snapshot is global and lives in `storageLocations`; a copy "to another
 * region" is a new snapshot stored in that region, made from a temporary disk restored from the
 * source snapshot in a zone of the target region (GCE has no snapshot-to-snapshot copy). The
 * temporary disk is deleted once the copy is READY (waitForSnapshot or deleteSnapshot does it).
 */
import type { protos } from '@google-cloud/compute';
import type {
  CallOptions,
  SnapshotCopySpec,
  SnapshotSpec,
  StorageCapability,
  VolumeFromSnapshotSpec,
  WaitOptions,
} from '../cloud/adapter.js';
import { pollUntil } from '../cloud/poll.js';
import type { CloudSnapshot, CloudVolume } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import { deleteResource, ensureResource, opOf } from './ensure.js';
import type { GcpApi, Operation } from './gcp-api.js';
import { globalLink, nameOf, requestIdFor, scopedLink, segmentOf, toLabels } from './ids.js';
import { operationError } from './translate-error.js';

type Snapshot = protos.google.cloud.compute.v1.ISnapshot;
type Disk = protos.google.cloud.compute.v1.IDisk;

const COPY_OF = 'fedgate-copy-of';
const TEMP_DISK = 'fedgate-copy-disk';
const TEMP_ZONE = 'fedgate-copy-zone';
const SNAPSHOT_STATES: Record<string, { state: CloudSnapshot['state']; percent: number }> = {
  CREATING: { state: 'pending', percent: 0 },
  UPLOADING: { state: 'pending', percent: 50 },
  READY: { state: 'completed', percent: 100 },
  FAILED: { state: 'failed', percent: 0 },
  DELETING: { state: 'deleting', percent: 100 },
};
const DISK_STATES: Record<string, CloudVolume['state']> = {
  CREATING: 'creating',
  RESTORING: 'creating',
  READY: 'available',
  FAILED: 'failed',
  DELETING: 'deleting',
};

/** A snapshot as the seam sees it. */
export function toSnapshot(s: Snapshot, project: string): CloudSnapshot {
  const st = SNAPSHOT_STATES[s.status ?? ''] ?? { state: 'pending' as const, percent: 0 };
  const labels = { ...(s.labels ?? {}) } as Record<string, string>;
  const copyOf = labels[COPY_OF];
  return {
    id: s.selfLink ?? '',
    name: s.name ?? '',
    state: st.state,
    progressPercent: st.percent,
    sizeGiB: Number(s.diskSizeGb ?? 0),
    region: s.storageLocations?.[0] ?? '',
    ...(s.sourceDisk && !copyOf ? { sourceVolumeId: s.sourceDisk } : {}),
    ...(copyOf ? { sourceSnapshotId: globalLink(project, 'snapshots', copyOf) } : {}),
    ...(s.creationTimestamp ? { createdAt: s.creationTimestamp } : {}),
    tags: labels,
  };
}

/** A disk as the seam sees it. */
export function toVolume(d: Disk): CloudVolume {
  const zone = nameOf(d.zone ?? '');
  const state = DISK_STATES[d.status ?? ''] ?? 'creating';
  return {
    id: d.selfLink ?? '',
    name: d.name ?? '',
    state: state === 'available' && (d.users ?? []).length > 0 ? 'in-use' : state,
    sizeGiB: Number(d.sizeGb ?? 0),
    zone,
    region: zone.replace(/-[a-z]$/, ''),
    ...(d.sourceSnapshot ? { sourceSnapshotId: d.sourceSnapshot } : {}),
  };
}

/** The storage capability of the GCP adapter. */
export class GcpStorage implements StorageCapability {
  /** Operations of snapshots this adapter started, to report why one FAILED. */
  readonly #snapshotOps = new Map<string, Operation>();

  constructor(
    private readonly api: GcpApi,
    private readonly region: string,
  ) {}

  async createSnapshot(spec: SnapshotSpec, opts: CallOptions = {}): Promise<CloudSnapshot> {
    const { zone, disk } = this.#disk(spec.volumeId, spec.zone);
    return this.#snapshotDisk(spec.name, zone, disk, { labels: toLabels(spec.tags) }, opts);
  }

  async copySnapshot(spec: SnapshotCopySpec, opts: CallOptions = {}): Promise<CloudSnapshot> {
    const existing = await this.describeSnapshot(spec.name, opts);
    if (existing) return existing;
    const api = this.api;
    const source = nameOf(spec.sourceSnapshotId);
    const region = await api.call(
      'regions.get',
      (o) => api.regions.get({ project: api.project, region: spec.targetRegion }, o),
      opts.signal,
    );
    const zone = nameOf(region.zones?.[0] ?? '');
    if (!zone)
      throw new ProviderError('Invalid', `targetRegion ${spec.targetRegion} has no zones`, {
        provider: 'gcp',
      });
    const tempDisk = `${spec.name.slice(0, 52).replace(/-+$/, '')}-copy-src`;
    await this.#diskFromSnapshot(
      tempDisk,
      zone,
      spec.sourceSnapshotId,
      undefined,
      `temporary disk for the copy ${spec.name}`,
      opts,
    );
    const labels = { ...toLabels(spec.tags), [COPY_OF]: source, [TEMP_DISK]: tempDisk, [TEMP_ZONE]: zone };
    return this.#snapshotDisk(
      spec.name,
      zone,
      tempDisk,
      { labels, storageLocations: [spec.targetRegion] },
      opts,
    );
  }

  async describeSnapshot(idOrName: string, opts: CallOptions = {}): Promise<CloudSnapshot | undefined> {
    const s = await this.#getSnapshot(idOrName, opts);
    return s ? toSnapshot(s, this.api.project) : undefined;
  }

  async waitForSnapshot(idOrName: string, opts: WaitOptions = {}): Promise<CloudSnapshot> {
    const name = nameOf(idOrName);
    const snap = await pollUntil<Snapshot>(
      async () => {
        const s = await this.#getSnapshot(name, opts);
        if (!s)
          throw new ProviderError('NotFound', `snapshot ${name} does not exist`, {
            provider: 'gcp',
            providerCode: 'notFound',
          });
        if (s.status === 'READY' || s.status === 'FAILED') return { done: true, value: s };
        return { done: false, state: s.status ?? '', percent: SNAPSHOT_STATES[s.status ?? '']?.percent ?? 0 };
      },
      { what: `snapshot ${name}`, intervalMs: this.api.settings.pollIntervalMs, ...pollOpts(opts) },
    );
    if (snap.status === 'FAILED') throw await this.#failure(name, opts);
    await this.#dropTempDisk(snap, opts);
    return toSnapshot(snap, this.api.project);
  }

  async deleteSnapshot(idOrName: string, opts: WaitOptions = {}): Promise<void> {
    const api = this.api;
    const name = nameOf(idOrName);
    const snap = await this.#getSnapshot(name, opts);
    if (!snap) return;
    await deleteResource(
      api,
      `snapshot ${name}`,
      async () =>
        opOf(
          await api.call(
            'snapshots.delete',
            (o) => api.snapshots.delete({ project: api.project, snapshot: name }, o),
            opts.signal,
          ),
        ),
      opts,
    );
    await this.#dropTempDisk(snap, opts);
  }

  async createVolumeFromSnapshot(spec: VolumeFromSnapshotSpec, opts: WaitOptions = {}): Promise<CloudVolume> {
    return toVolume(
      await this.#diskFromSnapshot(spec.name, spec.zone, spec.snapshotId, spec.sizeGiB, 'disk', opts),
    );
  }

  /** Creates disk `name` in `zone` from a snapshot unless it exists, and waits for it. */
  #diskFromSnapshot(
    name: string,
    zone: string,
    snapshotId: string,
    sizeGiB: number | undefined,
    what: string,
    opts: WaitOptions,
  ): Promise<Disk> {
    const api = this.api;
    return ensureResource(
      api,
      {
        what: `${what} ${name} from snapshot ${nameOf(snapshotId)}`,
        key: `disks/${api.project}/${zone}/${name}`,
        get: () =>
          api.find(
            'disks.get',
            (o) => api.disks.get({ project: api.project, zone, disk: name }, o),
            opts.signal,
          ),
        insert: async (requestId) =>
          opOf(
            await api.call(
              'disks.insert',
              (o) =>
                api.disks.insert(
                  {
                    project: api.project,
                    zone,
                    requestId,
                    diskResource: {
                      name,
                      sourceSnapshot: globalLink(api.project, 'snapshots', snapshotId),
                      ...(sizeGiB ? { sizeGb: String(sizeGiB) } : {}),
                    },
                  },
                  o,
                ),
              opts.signal,
            ),
          ),
      },
      opts,
    );
  }

  async deleteVolume(idOrName: string, opts: WaitOptions = {}): Promise<void> {
    const api = this.api;
    let zone = segmentOf(idOrName, 'zones');
    const name = nameOf(idOrName);
    if (!zone) {
      const found = await api.aggregated<Disk>(
        'disks.aggregatedList',
        api.disks as never,
        { project: api.project, filter: `name = "${name}"` },
        'disks',
        opts.signal,
      );
      if (found.length === 0) return;
      zone = nameOf(found[0]!.zone ?? '');
    }
    const z = zone;
    await deleteResource(
      api,
      `disk ${name}`,
      async () =>
        opOf(
          await api.call(
            'disks.delete',
            (o) => api.disks.delete({ project: api.project, zone: z, disk: name }, o),
            opts.signal,
          ),
        ),
      opts,
    );
  }

  /** Starts disks.createSnapshot (not waiting: waitForSnapshot follows progress) unless it exists. */
  async #snapshotDisk(
    name: string,
    zone: string,
    disk: string,
    extra: Snapshot,
    opts: CallOptions,
  ): Promise<CloudSnapshot> {
    const api = this.api;
    const existing = await this.#getSnapshot(name, opts);
    if (existing) return toSnapshot(existing, api.project);
    const op = opOf(
      await api.call(
        'disks.createSnapshot',
        (o) =>
          api.disks.createSnapshot(
            {
              project: api.project,
              zone,
              disk,
              requestId: requestIdFor(`snapshots/${api.project}/${name}`),
              snapshotResource: { name, ...extra },
            },
            o,
          ),
        opts.signal,
      ),
    );
    this.#snapshotOps.set(name, op);
    const made = await this.#getSnapshot(name, opts);
    if (made) return toSnapshot(made, api.project);
    const failure = op.status === 'DONE' ? operationError(op) : undefined;
    if (failure) throw failure;
    return {
      id: globalLink(api.project, 'snapshots', name),
      name,
      state: 'pending',
      progressPercent: 0,
      sizeGiB: 0,
      region: this.region,
      sourceVolumeId: scopedLink(api.project, 'zones', zone, 'disks', disk),
      tags: (extra.labels ?? {}) as Record<string, string>,
    };
  }

  /** Why a snapshot FAILED: its operation's error when this adapter started it. */
  async #failure(name: string, opts: CallOptions): Promise<ProviderError> {
    const op = this.#snapshotOps.get(name);
    if (op?.name && op.zone) {
      const api = this.api;
      const zone = nameOf(op.zone);
      const done = await api.call(
        'zoneOperations.get',
        (o) => api.zoneOperations.get({ project: api.project, zone, operation: op.name ?? '' }, o),
        opts.signal,
      );
      const err = operationError(done);
      if (err) return err;
    }
    return new ProviderError('Internal', `snapshot ${name} FAILED`, {
      provider: 'gcp',
      providerCode: 'FAILED',
    });
  }

  async #dropTempDisk(s: Snapshot, opts: WaitOptions): Promise<void> {
    const disk = s.labels?.[TEMP_DISK];
    const zone = s.labels?.[TEMP_ZONE];
    if (disk && zone && (s.status === 'READY' || s.status === 'FAILED'))
      await this.deleteVolume(scopedLink(this.api.project, 'zones', zone, 'disks', disk), opts);
  }

  #getSnapshot(idOrName: string, opts: CallOptions): Promise<Snapshot | undefined> {
    const api = this.api;
    return api.find(
      'snapshots.get',
      (o) => api.snapshots.get({ project: api.project, snapshot: nameOf(idOrName) }, o),
      opts.signal,
    );
  }

  #disk(volumeId: string, zone?: string): { zone: string; disk: string } {
    const z = segmentOf(volumeId, 'zones') ?? zone;
    if (!z)
      throw new ProviderError(
        'Invalid',
        `zone: a GCE disk is zonal; give volumeId as a disk link or set zone (volume ${volumeId})`,
        { provider: 'gcp' },
      );
    return { zone: z, disk: nameOf(volumeId) };
  }
}

function pollOpts(opts: WaitOptions) {
  return {
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
}
