/**
 * EBS: snapshots (pending with progress → completed, or error with a status message), copies
 * into the caller's region from another (CopySnapshot is called in the destination region), and
 * volumes (from a snapshot, with ClientToken idempotency). Deleting a volume in use fails.
 */
import type { ActionHandler } from './context.js';
import { Ec2Error, invalidValue, notFound } from './errors.js';
import { isoTime, phaseOf } from './lifecycle.js';
import type { Snapshot, Volume } from './model.js';
import { zoneOf } from './seed.js';
import { applyFilters, byIds, paginate } from './select.js';
import { owned } from './store.js';
import { tagSet, type XmlObject } from './xml.js';

/** The storage actions by name. */
export const storageActions: Readonly<Record<string, ActionHandler>> = {
  CreateSnapshot: (ctx) => {
    const volumeId = ctx.params.required('VolumeId');
    const vol = ctx.store.volumes.get(volumeId);
    if (!vol || vol.deleted || vol.account !== ctx.account || vol.region !== ctx.region)
      throw notFound('InvalidVolume.NotFound', 'volume', volumeId);
    const s: Snapshot = {
      ...owned(ctx.store.newId('snap'), ctx.account, ctx.region, ctx.now, ctx.params.tagsFor('snapshot')),
      volumeId,
      sizeGiB: vol.sizeGiB,
      description: ctx.params.get('Description') ?? '',
      create: ctx.store.begin(ctx.now),
      deleted: false,
    };
    ctx.store.snapshots.set(s.id, s);
    return snapshotXml(s, ctx.now);
  },

  CopySnapshot: (ctx) => {
    const sourceRegion = ctx.params.required('SourceRegion');
    const sourceId = ctx.params.required('SourceSnapshotId');
    const src = ctx.store.snapshots.get(sourceId);
    if (!src || src.account !== ctx.account || src.region !== sourceRegion)
      throw notFound('InvalidSnapshot.NotFound', 'snapshot', sourceId);
    const state = snapshotState(src, ctx.now);
    if (state.status !== 'completed')
      throw new Ec2Error('IncorrectState', `Snapshot is in invalid state - ${state.status}`);
    const s: Snapshot = {
      ...owned(ctx.store.newId('snap'), ctx.account, ctx.region, ctx.now, ctx.params.tagsFor('snapshot')),
      volumeId: 'vol-ffffffff',
      sizeGiB: src.sizeGiB,
      description: ctx.params.get('Description') ?? `[Copied ${src.id} from ${sourceRegion}]`,
      create: ctx.store.begin(ctx.now),
      sourceSnapshotId: src.id,
      sourceRegion,
      deleted: false,
    };
    ctx.store.snapshots.set(s.id, s);
    return { snapshotId: s.id, tagSet: tagSet(s.tags) };
  },

  DescribeSnapshots: (ctx) => {
    const ids = ctx.params.list('SnapshotId');
    const owners = ctx.params.list('Owner');
    if (owners.some((o) => o !== 'self' && o !== ctx.account && o !== 'amazon')) return { snapshotSet: [] };
    const all = byIds(ctx.store.scoped(ctx.store.snapshots, ctx.account, ctx.region), ids, (id) =>
      notFound('InvalidSnapshot.NotFound', 'snapshot', id),
    );
    const matched = applyFilters(
      all,
      ctx.params,
      (s, name) =>
        ({
          'snapshot-id': [s.id],
          'volume-id': [s.volumeId],
          status: [snapshotState(s, ctx.now).status],
          description: [s.description],
          'volume-size': [String(s.sizeGiB)],
        })[name],
    );
    const { page, nextToken } = paginate(matched, ctx.params, ids.length > 0);
    return { snapshotSet: page.map((s) => snapshotXml(s, ctx.now)), nextToken };
  },

  DeleteSnapshot: (ctx) => {
    const id = ctx.params.required('SnapshotId');
    const s = ctx.store.snapshots.get(id);
    if (!s || s.account !== ctx.account || s.region !== ctx.region)
      throw notFound('InvalidSnapshot.NotFound', 'snapshot', id);
    ctx.store.snapshots.delete(id);
    return { return: true };
  },

  CreateVolume: (ctx) => {
    const token = ctx.params.get('ClientToken');
    const key = `${ctx.account}:CreateVolume:${token}`;
    const earlier = token ? ctx.store.clientTokens.get(key) : undefined;
    if (earlier) {
      if (earlier.fingerprint !== ctx.params.fingerprint())
        throw new Ec2Error(
          'IdempotentParameterMismatch',
          `Client token ${token} was used with different parameters`,
        );
      const vol = ctx.store.volumes.get(earlier.resourceId);
      if (vol) return volumeXml(vol, ctx.now);
    }
    const zone = ctx.params.required('AvailabilityZone');
    if (!zoneOf(ctx.region, zone)) throw invalidValue('AvailabilityZone', zone);
    const snapshotId = ctx.params.get('SnapshotId');
    let size = ctx.params.int('Size');
    if (snapshotId) {
      const snap = ctx.store.snapshots.get(snapshotId);
      if (!snap || snap.account !== ctx.account || snap.region !== ctx.region)
        throw notFound('InvalidSnapshot.NotFound', 'snapshot', snapshotId);
      const status = snapshotState(snap, ctx.now).status;
      if (status !== 'completed')
        throw new Ec2Error('IncorrectState', `Snapshot '${snapshotId}' is not 'completed' (it is ${status})`);
      if (size !== undefined && size < snap.sizeGiB)
        throw invalidValue(
          'size',
          String(size),
          `Volume of ${size}GiB is too small; minimum is ${snap.sizeGiB}GiB.`,
        );
      size ??= snap.sizeGiB;
    }
    if (size === undefined)
      throw new Ec2Error('MissingParameter', 'The request must contain the parameter size or snapshotId');
    const vol: Volume = {
      ...owned(ctx.store.newId('vol'), ctx.account, ctx.region, ctx.now, ctx.params.tagsFor('volume')),
      zone,
      sizeGiB: size,
      volumeType: ctx.params.get('VolumeType') ?? 'gp3',
      ...(snapshotId ? { snapshotId } : {}),
      create: ctx.store.begin(ctx.now),
      deleted: false,
    };
    ctx.store.volumes.set(vol.id, vol);
    if (token) ctx.store.clientTokens.set(key, { fingerprint: ctx.params.fingerprint(), resourceId: vol.id });
    return volumeXml(vol, ctx.now);
  },

  DescribeVolumes: (ctx) => {
    const ids = ctx.params.list('VolumeId');
    const all = byIds(ctx.store.scoped(ctx.store.volumes, ctx.account, ctx.region), ids, (id) =>
      notFound('InvalidVolume.NotFound', 'volume', id),
    );
    const matched = applyFilters(
      all,
      ctx.params,
      (v, name) =>
        ({
          'volume-id': [v.id],
          status: [volumeState(v, ctx.now)],
          'availability-zone': [v.zone],
          'snapshot-id': [v.snapshotId],
          size: [String(v.sizeGiB)],
          'volume-type': [v.volumeType],
        })[name],
    );
    const { page, nextToken } = paginate(matched, ctx.params, ids.length > 0);
    return { volumeSet: page.map((v) => volumeXml(v, ctx.now)), nextToken };
  },

  DeleteVolume: (ctx) => {
    const id = ctx.params.required('VolumeId');
    const v = ctx.store.volumes.get(id);
    if (!v || v.account !== ctx.account || v.region !== ctx.region)
      throw notFound('InvalidVolume.NotFound', 'volume', id);
    if (volumeState(v, ctx.now) === 'in-use')
      throw new Ec2Error('VolumeInUse', `Volume ${id} is currently attached`);
    ctx.store.volumes.delete(id);
    return { return: true };
  },
};

/** The snapshot's status, progress and failure message now. */
export function snapshotState(
  s: Snapshot,
  now: number,
): { status: string; percent: number; message?: string } {
  const phase = phaseOf(s.create, now);
  if (phase.phase === 'failed') return { status: 'error', percent: 0, message: phase.failReason ?? '' };
  return { status: phase.phase === 'done' ? 'completed' : 'pending', percent: phase.percent };
}

/** The volume's state now. */
export function volumeState(v: Volume, now: number): string {
  const phase = phaseOf(v.create, now).phase;
  return phase === 'failed' ? 'error' : phase === 'done' ? 'available' : 'creating';
}

function snapshotXml(s: Snapshot, now: number): XmlObject {
  const state = snapshotState(s, now);
  return {
    snapshotId: s.id,
    volumeId: s.volumeId,
    status: state.status,
    statusMessage: state.message,
    startTime: isoTime(s.create.startedAt),
    progress: `${state.percent}%`,
    ownerId: s.account,
    volumeSize: s.sizeGiB,
    description: s.description,
    encrypted: false,
    tagSet: tagSet(s.tags),
    storageTier: 'standard',
    completionTime:
      state.status === 'completed' ? isoTime(s.create.startedAt + s.create.durationMs) : undefined,
  };
}

function volumeXml(v: Volume, now: number): XmlObject {
  return {
    volumeId: v.id,
    size: v.sizeGiB,
    snapshotId: v.snapshotId ?? '',
    availabilityZone: v.zone,
    status: volumeState(v, now),
    createTime: isoTime(v.createdAt),
    attachmentSet: [],
    volumeType: v.volumeType,
    iops: 3000,
    throughput: 125,
    encrypted: false,
    tagSet: v.tags.size > 0 ? tagSet(v.tags) : undefined,
    multiAttachEnabled: false,
  };
}
