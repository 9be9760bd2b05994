/**
 * Managed disks and snapshots (the disk RP answers PUT with 202 and an Azure-AsyncOperation).
 * Snapshots are taken from a disk (`Copy`, full or incremental) or copied from an incremental
 * snapshot to another region (`CopyStart`): that copy is provisioned at once and then reports
 * `completionPercent` until the data has crossed. Disks are made empty or from a snapshot.
 */
import { ArmError, invalidField } from './errors.js';
import {
  plainView,
  propertiesOf,
  type ResourceKind,
  referenced,
  requireLocation,
  type SimContext,
  tagsOf,
} from './kinds.js';
import { type ArmResource, idOf, nameOf } from './model.js';

const DISK = 'Microsoft.Compute/disks';
const SNAPSHOT = 'Microsoft.Compute/snapshots';
const GiB = 1024 ** 3;

function creationDataOf(props: Record<string, unknown>): Record<string, unknown> {
  const cd = props.creationData;
  if (typeof cd !== 'object' || cd === null) throw invalidField('properties.creationData', 'required');
  return cd as Record<string, unknown>;
}

function sizeOf(props: Record<string, unknown>, fallback?: unknown): number {
  const size = props.diskSizeGB ?? fallback;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 65536)
    throw invalidField('properties.diskSizeGB', 'a size in GiB (1–65536) is required');
  return size;
}

function zonesOf(body: Record<string, unknown>): string[] | undefined {
  if (body.zones === undefined) return undefined;
  if (!Array.isArray(body.zones) || body.zones.some((z) => typeof z !== 'string' || !/^[1-3]$/.test(z)))
    throw invalidField('zones', "expected zones such as ['1']");
  return body.zones as string[];
}

/** Managed disks. */
export const disks: ResourceKind = {
  type: DISK,
  async: true,
  createdStatus: 202,
  build(ctx, ref, body, existing) {
    const props = propertiesOf(body);
    const cd = creationDataOf(props);
    const option = cd.createOption;
    let size: number;
    let source: ArmResource | undefined;
    if (option === 'Empty') size = sizeOf(props, existing?.properties.diskSizeGB);
    else if (option === 'Copy' || option === 'Restore') {
      source = referenced(
        ctx,
        cd.sourceResourceId as string | undefined,
        'properties.creationData.sourceResourceId',
      );
      if (source.type !== SNAPSHOT && source.type !== DISK)
        throw invalidField('properties.creationData.sourceResourceId', 'must name a disk or a snapshot');
      size = sizeOf(props, source.properties.diskSizeGB);
      if (size < Number(source.properties.diskSizeGB))
        throw invalidField('properties.diskSizeGB', 'cannot be smaller than the source');
    } else
      throw invalidField('properties.creationData.createOption', "supported: 'Empty', 'Copy', 'Restore'");
    const location = requireLocation(body, existing);
    if (source && source.location !== location)
      throw new ArmError(
        400,
        'BadRequest',
        `Source ${source.id} is in ${source.location}; a disk can only be created from a source in the same region (${location}).`,
      );
    const disk: ArmResource = {
      id: idOf(ref),
      name: nameOf(ref),
      type: DISK,
      location,
      sku: (body.sku as Record<string, unknown> | undefined) ?? { name: 'Premium_LRS', tier: 'Premium' },
      properties: {
        creationData: {
          createOption: option,
          ...(source ? { sourceResourceId: source.id, sourceUniqueId: source.properties.uniqueId } : {}),
        },
        diskSizeGB: size,
        diskSizeBytes: size * GiB,
        uniqueId: existing?.properties.uniqueId ?? crypto.randomUUID(),
        timeCreated: existing?.properties.timeCreated ?? new Date().toISOString(),
        provisioningState: 'Updating',
        diskState: existing?.properties.diskState ?? 'Unattached',
        encryption: { type: 'EncryptionAtRestWithPlatformKey' },
        networkAccessPolicy: 'AllowAll',
        publicNetworkAccess: 'Enabled',
      },
    };
    const zones = zonesOf(body);
    if (zones) disk.zones = zones;
    const tags = tagsOf(body);
    if (tags) disk.tags = tags;
    return disk;
  },
  checkDelete(_ctx, disk) {
    const managedBy = disk.extra?.managedBy;
    if (managedBy)
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Disk ${disk.name} is attached to VM ${String(managedBy)}.`,
      );
  },
};

function copyPercent(ctx: SimContext, snap: ArmResource): number | undefined {
  const started = snap.properties._copyStartedAt as number | undefined;
  if ((snap.properties.creationData as Record<string, unknown>).createOption !== 'CopyStart')
    return undefined;
  if (started === undefined) return 0;
  const duration = Math.max(1, ctx.copyDurationMs());
  return Math.min(100, Math.floor(((ctx.now() - started) / duration) * 100));
}

/** Snapshots: full or incremental from a disk, or copied across regions with CopyStart. */
export const snapshots: ResourceKind = {
  type: SNAPSHOT,
  async: true,
  createdStatus: 202,
  build(ctx, ref, body, existing) {
    const props = propertiesOf(body);
    const cd = creationDataOf(props);
    const option = cd.createOption;
    const location = requireLocation(body, existing);
    const source = referenced(
      ctx,
      cd.sourceResourceId as string | undefined,
      'properties.creationData.sourceResourceId',
    );
    let incremental = props.incremental === true;
    let familyId: unknown;
    if (option === 'Copy') {
      if (source.type !== DISK && source.type !== SNAPSHOT)
        throw invalidField('properties.creationData.sourceResourceId', 'must name a disk or a snapshot');
      if (source.location !== location)
        throw new ArmError(
          400,
          'BadRequest',
          `A snapshot copy to another region needs createOption CopyStart (source in ${source.location}, target ${location}).`,
        );
      familyId = incremental
        ? source.type === DISK
          ? source.properties.uniqueId
          : source.properties.incrementalSnapshotFamilyId
        : undefined;
    } else if (option === 'CopyStart') {
      if (source.type !== SNAPSHOT || source.properties.incremental !== true)
        throw new ArmError(
          400,
          'BadRequest',
          'CopyStart is supported only for incremental snapshots as the source.',
        );
      if (source.location === location)
        throw new ArmError(
          400,
          'BadRequest',
          'CopyStart copies a snapshot to a different region; use Copy in the same region.',
        );
      incremental = true;
      familyId = crypto.randomUUID();
    } else throw invalidField('properties.creationData.createOption', "supported: 'Copy', 'CopyStart'");
    const size = Number(source.properties.diskSizeGB);
    const snap: ArmResource = {
      id: idOf(ref),
      name: nameOf(ref),
      type: SNAPSHOT,
      location,
      sku: { name: 'Standard_LRS', tier: 'Standard' },
      properties: {
        creationData: {
          createOption: option,
          sourceResourceId: source.id,
          sourceUniqueId: source.properties.uniqueId,
        },
        diskSizeGB: size,
        diskSizeBytes: size * GiB,
        uniqueId: existing?.properties.uniqueId ?? crypto.randomUUID(),
        timeCreated: existing?.properties.timeCreated ?? new Date().toISOString(),
        provisioningState: 'Updating',
        diskState: 'Unattached',
        incremental,
        ...(familyId ? { incrementalSnapshotFamilyId: familyId } : {}),
        encryption: { type: 'EncryptionAtRestWithPlatformKey' },
        networkAccessPolicy: 'AllowAll',
        publicNetworkAccess: 'Enabled',
      },
    };
    const tags = tagsOf(body);
    if (tags) snap.tags = tags;
    return snap;
  },
  provisioned(ctx, snap) {
    if ((snap.properties.creationData as Record<string, unknown>).createOption === 'CopyStart')
      snap.properties._copyStartedAt = ctx.now();
  },
  view(ctx, snap) {
    const v = plainView(snap);
    const percent = copyPercent(ctx, snap);
    if (percent !== undefined) (v.properties as Record<string, unknown>).completionPercent = percent;
    return v;
  },
};
