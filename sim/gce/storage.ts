/**
 * Persistent disks and snapshots. A snapshot is a global resource: it moves CREATING → UPLOADING →
 * READY (FAILED when its operation fails) and is stored in `storageLocations` (the disk's
 * multi-region by default, or the one region or multi-region asked for). A disk is made from a
 * READY snapshot in any zone. Deleting a disk attached to an instance, or whose snapshot is still
 * CREATING, fails with resourceInUseByAnotherResource.
 */
import type { CollectionDef, Creation } from './collections.js';
import type { RequestCtx } from './context.js';
import { baseFields, checkName, resolveRef, sameResource, targetPath } from './context.js';
import { alreadyExists, GceApiError, invalid } from './errors.js';
import type { ResourcePath } from './links.js';
import { locationLink, regionOfZone, relativePath, selfLink } from './links.js';
import type { GceResource } from './store.js';

const GLOBAL = { kind: 'global' } as const;

/** The multi-region a region's snapshots are stored in by default. */
export function defaultStorageLocation(region: string): string {
  if (region.startsWith('us-') || region.startsWith('northamerica-')) return 'us';
  if (region.startsWith('europe-')) return 'eu';
  if (region.startsWith('asia-')) return 'asia';
  return region;
}

function labelsOf(body: Record<string, unknown>): Record<string, string> {
  const l = body.labels;
  if (l === undefined) return {};
  if (!l || typeof l !== 'object' || Array.isArray(l)) throw invalid('resource.labels', 'expected a map');
  return l as Record<string, string>;
}

/** A snapshot of `disk` named `name`, stored where the body asks. */
function snapshotCreation(
  ctx: RequestCtx,
  name: string,
  disk: { value: GceResource; link: string },
): Creation {
  checkName(name);
  if (disk.value.status !== 'READY')
    throw new GceApiError(
      400,
      'resourceNotReady',
      `The resource '${relativePath(parseDisk(disk.link))}' is not ready`,
      'FAILED_PRECONDITION',
    );
  const region = regionOfZone(String(disk.value.zone).split('/').pop()!);
  const locations = ctx.body.storageLocations ?? [defaultStorageLocation(region)];
  if (!Array.isArray(locations) || locations.length !== 1 || typeof locations[0] !== 'string')
    throw invalid(
      'resource.storageLocations',
      'exactly one storage location (a region or multi-region) is allowed',
    );
  const path: ResourcePath = { project: ctx.project, scope: GLOBAL, collection: 'snapshots', name };
  const sizeGb = String(disk.value.sizeGb);
  const resource: GceResource = {
    kind: 'compute#snapshot',
    id: ctx.sim.store.newId(),
    creationTimestamp: new Date().toISOString(),
    name,
    status: 'CREATING',
    sourceDisk: disk.link,
    sourceDiskId: disk.value.id,
    diskSizeGb: sizeGb,
    storageBytes: '0',
    storageBytesStatus: 'UPDATING',
    storageLocations: locations,
    snapshotType: 'STANDARD',
    architecture: 'X86_64',
    labels: labelsOf(ctx.body),
    labelFingerprint: '42WmSpB8rSM=',
    selfLink: selfLink(path),
    ...(typeof ctx.body.description === 'string' ? { description: ctx.body.description } : {}),
  };
  return {
    resource,
    visibleAtStart: true,
    onRunning: () => {
      resource.status = 'UPLOADING';
    },
    onDone: () => {
      resource.status = 'READY';
      resource.storageBytes = String(Number(sizeGb) * 1024 ** 3 * 0.4);
      resource.creationSizeBytes = resource.storageBytes;
      resource.storageBytesStatus = 'UP_TO_DATE';
    },
    onFail: () => {
      resource.status = 'FAILED';
    },
  };
}

function parseDisk(link: string): ResourcePath {
  const m = /projects\/([^/]+)\/zones\/([^/]+)\/disks\/([^/]+)$/.exec(link)!;
  return { project: m[1]!, scope: { kind: 'zones', name: m[2]! }, collection: 'disks', name: m[3]! };
}

/** Starts the operation of a snapshot insert, global (snapshots.insert) or zonal (disks.createSnapshot). */
function startSnapshot(
  ctx: RequestCtx,
  diskRef: unknown,
  opScope: RequestCtx['scope'],
  opType: string,
  opTarget?: ResourcePath,
): GceResource {
  const name = typeof ctx.body.name === 'string' ? ctx.body.name : '';
  const path: ResourcePath = { project: ctx.project, scope: GLOBAL, collection: 'snapshots', name };
  let made: Creation | undefined;
  return ctx.sim.ops.start({
    project: ctx.project,
    scope: opScope,
    operationType: opType,
    target: opTarget ?? path,
    requestId: ctx.query.get('requestId'),
    prepare: () => {
      const zone = typeof diskRef === 'string' ? /zones\/([^/]+)\//.exec(diskRef)?.[1] : undefined;
      if (!zone && opScope.kind !== 'zones')
        throw invalid('resource.sourceDisk', 'expected a zonal disk reference');
      const disk = resolveRef(
        ctx,
        'resource.sourceDisk',
        diskRef,
        'disks',
        zone ? { kind: 'zones', name: zone } : opScope,
      );
      if (ctx.sim.store.get(path)) throw alreadyExists(relativePath(path));
      made = snapshotCreation(ctx, name, disk);
      ctx.sim.store.put(path, made.resource);
    },
    onRunning: () => made?.onRunning?.(),
    apply: () => made?.onDone?.(),
    onFail: (reason) => made?.onFail?.(reason),
  });
}

/** Zonal persistent disks. */
export const disks: CollectionDef = {
  name: 'disks',
  scope: 'zones',
  kind: 'compute#disk',
  aggregated: true,
  create(ctx, name) {
    checkName(name);
    let sizeGb = ctx.body.sizeGb === undefined ? undefined : Number(ctx.body.sizeGb);
    if (sizeGb !== undefined && (!Number.isInteger(sizeGb) || sizeGb < 1))
      throw invalid('resource.sizeGb', 'expected a positive integer (GB)');
    let source: GceResource = {};
    if (ctx.body.sourceSnapshot !== undefined) {
      const snap = resolveRef(ctx, 'resource.sourceSnapshot', ctx.body.sourceSnapshot, 'snapshots', GLOBAL);
      if (snap.value.status !== 'READY')
        throw new GceApiError(
          400,
          'resourceNotReady',
          `The resource '${relativePath(snap.path)}' is not ready`,
          'FAILED_PRECONDITION',
        );
      const snapSize = Number(snap.value.diskSizeGb);
      if (sizeGb !== undefined && sizeGb < snapSize)
        throw invalid(
          'resource.sizeGb',
          `Requested disk size cannot be smaller than the snapshot size (${snapSize} GB).`,
        );
      sizeGb ??= snapSize;
      source = { sourceSnapshot: snap.link, sourceSnapshotId: snap.value.id };
    }
    const resource: GceResource = {
      ...baseFields(ctx, 'compute#disk', name),
      sizeGb: String(sizeGb ?? 10),
      zone: locationLink(ctx.project, ctx.scope),
      status: 'CREATING',
      type: `${locationLink(ctx.project, ctx.scope)}/diskTypes/${typeof ctx.body.type === 'string' ? ctx.body.type.split('/').pop() : 'pd-balanced'}`,
      labels: labelsOf(ctx.body),
      labelFingerprint: '42WmSpB8rSM=',
      physicalBlockSizeBytes: '4096',
      architecture: 'X86_64',
      ...source,
      ...(typeof ctx.body.description === 'string' ? { description: ctx.body.description } : {}),
    };
    return {
      resource,
      visibleAtStart: true,
      onDone: () => {
        resource.status = 'READY';
      },
    };
  },
  usedBy(ctx, path, value) {
    const users = (value.users as string[] | undefined) ?? [];
    if (users[0]) return users[0].slice(users[0].indexOf('projects/'));
    const link = selfLink(path);
    const snap = ctx.sim.store
      .list(ctx.project, 'snapshots')
      .find((s) => s.value.status === 'CREATING' && sameResource(s.value.sourceDisk, link));
    return snap ? relativePath(snap.path) : undefined;
  },
  methods: {
    createSnapshot: (ctx) =>
      startSnapshot(ctx, selfLink(targetPath(ctx)), ctx.scope, 'createSnapshot', targetPath(ctx)),
  },
};

/** Global snapshots. */
export const snapshots: CollectionDef = {
  name: 'snapshots',
  scope: 'global',
  kind: 'compute#snapshot',
  create(ctx, name) {
    const ref = ctx.body.sourceDisk;
    const zone = typeof ref === 'string' ? /zones\/([^/]+)\//.exec(ref)?.[1] : undefined;
    if (!zone) throw invalid('resource.sourceDisk', 'expected a zonal disk reference (zones/Z/disks/D)');
    const disk = resolveRef(ctx, 'resource.sourceDisk', ref, 'disks', { kind: 'zones', name: zone });
    return snapshotCreation(ctx, name, disk);
  },
};
