/**
 * EBS snapshots and volumes: a snapshot by Name tag (CreateSnapshot has no ClientToken), a copy
 * into this adapter's region (CopySnapshot is called in the destination region), progress from
 * DescribeSnapshots, and a volume from a snapshot (ClientToken derived from the name).
 */
import { createHash } from 'node:crypto';
import {
  CopySnapshotCommand,
  type CopySnapshotResult,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DescribeSnapshotsCommand,
  type DescribeSnapshotsResult,
  DescribeVolumesCommand,
  type DescribeVolumesResult,
  type Snapshot,
  type Volume,
} from '@aws-sdk/client-ec2';
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
import { type AwsContext, ignoreNotFound, pollOptions } from './context.js';
import { nameFilter, nameOf, tagRecord, tagSpec } from './tags.js';

/** The storage capability on EBS. */
export class AwsStorage implements StorageCapability {
  constructor(private readonly ctx: AwsContext) {}

  async createSnapshot(spec: SnapshotSpec, opts: CallOptions = {}): Promise<CloudSnapshot> {
    const existing = await this.find(spec.name, opts);
    if (existing) return this.toSnapshot(existing);
    const s = await this.ctx.ec2.send<Snapshot>(
      new CreateSnapshotCommand({
        VolumeId: spec.volumeId,
        Description: `fedgate ${spec.name}`,
        TagSpecifications: tagSpec('snapshot', spec.name, spec.tags),
      }),
      opts.signal,
    );
    return this.toSnapshot(s);
  }

  async copySnapshot(spec: SnapshotCopySpec, opts: CallOptions = {}): Promise<CloudSnapshot> {
    if (spec.targetRegion !== this.ctx.scope.region)
      throw new ProviderError(
        'Invalid',
        `targetRegion: an AWS snapshot copy is made by the adapter of the target region (this one is ${this.ctx.scope.region}, not ${spec.targetRegion})`,
        { provider: 'aws' },
      );
    const existing = await this.find(spec.name, opts);
    if (existing) return this.toSnapshot(existing);
    const out = await this.ctx.ec2.send<CopySnapshotResult>(
      new CopySnapshotCommand({
        SourceRegion: spec.sourceRegion,
        SourceSnapshotId: spec.sourceSnapshotId,
        Description: `[Copied ${spec.sourceSnapshotId} from ${spec.sourceRegion}] fedgate ${spec.name}`,
        TagSpecifications: tagSpec('snapshot', spec.name, spec.tags),
      }),
      opts.signal,
    );
    return {
      id: out.SnapshotId ?? '',
      name: spec.name,
      state: 'pending',
      progressPercent: 0,
      sizeGiB: 0,
      region: this.ctx.scope.region,
      sourceSnapshotId: spec.sourceSnapshotId,
      tags: { Name: spec.name, ...spec.tags },
    };
  }

  async describeSnapshot(idOrName: string, opts: CallOptions = {}): Promise<CloudSnapshot | undefined> {
    const s = await this.find(idOrName, opts);
    return s ? this.toSnapshot(s) : undefined;
  }

  async waitForSnapshot(idOrName: string, opts: WaitOptions = {}): Promise<CloudSnapshot> {
    let id = idOrName;
    if (!idOrName.startsWith('snap-')) {
      const s = await this.find(idOrName, opts);
      if (!s) throw new ProviderError('NotFound', `no snapshot named ${idOrName}`, { provider: 'aws' });
      id = s.SnapshotId ?? '';
    }
    return pollUntil(
      async () => {
        const s = await this.find(id, opts);
        if (!s) throw new ProviderError('NotFound', `snapshot ${id} is gone`, { provider: 'aws' });
        const snap = this.toSnapshot(s);
        if (snap.state === 'completed') return { done: true, value: snap };
        if (snap.state === 'failed')
          throw new ProviderError(
            'Internal',
            `snapshot ${snap.name} (${id}) failed: ${snap.message ?? 'error'}`,
            { provider: 'aws', providerCode: s.State ?? 'error' },
          );
        return { done: false, state: s.State ?? 'pending', percent: snap.progressPercent };
      },
      pollOptions(this.ctx, `snapshot ${idOrName}`, opts),
    );
  }

  async deleteSnapshot(idOrName: string, opts: WaitOptions = {}): Promise<void> {
    const id = idOrName.startsWith('snap-') ? idOrName : (await this.find(idOrName, opts))?.SnapshotId;
    if (id)
      await ignoreNotFound(() =>
        this.ctx.ec2.send(new DeleteSnapshotCommand({ SnapshotId: id }), opts.signal),
      );
  }

  async createVolumeFromSnapshot(spec: VolumeFromSnapshotSpec, opts: WaitOptions = {}): Promise<CloudVolume> {
    let v = await this.findVolume(spec.name, opts);
    if (!v)
      v = await this.ctx.ec2.send<Volume>(
        new CreateVolumeCommand({
          AvailabilityZone: spec.zone,
          SnapshotId: spec.snapshotId,
          ...(spec.sizeGiB === undefined ? {} : { Size: spec.sizeGiB }),
          VolumeType: 'gp3',
          ClientToken: this.clientToken('volume', spec.name),
          TagSpecifications: tagSpec('volume', spec.name),
        }),
        opts.signal,
      );
    const id = v.VolumeId ?? '';
    if (v.State !== 'available' && v.State !== 'in-use')
      v = await pollUntil(
        async () => {
          const now = await this.findVolume(id, opts);
          if (!now) throw new ProviderError('NotFound', `volume ${id} is gone`, { provider: 'aws' });
          if (now.State === 'available' || now.State === 'in-use') return { done: true, value: now };
          if (now.State === 'error')
            throw new ProviderError('Internal', `volume ${spec.name} (${id}) failed to create`, {
              provider: 'aws',
              providerCode: 'error',
            });
          return { done: false, state: now.State ?? 'creating' };
        },
        pollOptions(this.ctx, `volume ${spec.name}`, opts),
      );
    return this.toVolume(v, spec.name);
  }

  async deleteVolume(idOrName: string, opts: WaitOptions = {}): Promise<void> {
    const id = idOrName.startsWith('vol-') ? idOrName : (await this.findVolume(idOrName, opts))?.VolumeId;
    if (id)
      await ignoreNotFound(() => this.ctx.ec2.send(new DeleteVolumeCommand({ VolumeId: id }), opts.signal));
  }

  /** A snapshot of this account by id (`snap-…`) or Name tag; undefined when absent. */
  private async find(idOrName: string, opts: CallOptions): Promise<Snapshot | undefined> {
    try {
      const out = await this.ctx.ec2.send<DescribeSnapshotsResult>(
        new DescribeSnapshotsCommand(
          idOrName.startsWith('snap-')
            ? { SnapshotIds: [idOrName] }
            : { OwnerIds: ['self'], Filters: [nameFilter(idOrName)] },
        ),
        opts.signal,
      );
      return out.Snapshots?.[0];
    } catch (err) {
      if ((err as ProviderError).code === 'NotFound') return undefined;
      throw err;
    }
  }

  private async findVolume(idOrName: string, opts: CallOptions): Promise<Volume | undefined> {
    try {
      const out = await this.ctx.ec2.send<DescribeVolumesResult>(
        new DescribeVolumesCommand(
          idOrName.startsWith('vol-')
            ? { VolumeIds: [idOrName] }
            : {
                Filters: [
                  nameFilter(idOrName),
                  { Name: 'status', Values: ['creating', 'available', 'in-use'] },
                ],
              },
        ),
        opts.signal,
      );
      return out.Volumes?.[0];
    } catch (err) {
      if ((err as ProviderError).code === 'NotFound') return undefined;
      throw err;
    }
  }

  /** The same name in the same scope always gives the same token (EC2 keeps tokens for a while). */
  private clientToken(kind: string, name: string): string {
    const { account, region } = this.ctx.scope;
    return createHash('sha256')
      .update(`fedgate/${account}/${region}/${kind}/${name}`)
      .digest('hex')
      .slice(0, 64);
  }

  private toSnapshot(s: Snapshot): CloudSnapshot {
    const progress = Number.parseInt(s.Progress ?? '', 10);
    const state = s.State === 'completed' ? 'completed' : s.State === 'error' ? 'failed' : 'pending';
    const copied = /^\[Copied (snap-[0-9a-f]+) from /.exec(s.Description ?? '');
    return {
      id: s.SnapshotId ?? '',
      name: nameOf(s.Tags) ?? s.SnapshotId ?? '',
      state,
      progressPercent: state === 'completed' ? 100 : Number.isFinite(progress) ? progress : 0,
      sizeGiB: s.VolumeSize ?? 0,
      region: this.ctx.scope.region,
      ...(s.VolumeId && s.VolumeId !== 'vol-ffffffff' ? { sourceVolumeId: s.VolumeId } : {}),
      ...(copied ? { sourceSnapshotId: copied[1]! } : {}),
      ...(s.StartTime ? { createdAt: s.StartTime.toISOString() } : {}),
      tags: tagRecord(s.Tags),
      ...(s.StateMessage ? { message: s.StateMessage } : {}),
    };
  }

  private toVolume(v: Volume, name: string): CloudVolume {
    const state =
      v.State === 'available' || v.State === 'in-use' || v.State === 'creating'
        ? v.State
        : v.State === 'deleting'
          ? 'deleting'
          : 'failed';
    return {
      id: v.VolumeId ?? '',
      name: nameOf(v.Tags) ?? name,
      state,
      sizeGiB: v.Size ?? 0,
      ...(v.AvailabilityZone ? { zone: v.AvailabilityZone } : {}),
      region: this.ctx.scope.region,
      ...(v.SnapshotId ? { sourceSnapshotId: v.SnapshotId } : {}),
    };
  }
}
