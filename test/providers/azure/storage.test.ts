/**
 * The Azure adapter's storage operations through arm-compute against the ARM simulator: an
 * incremental snapshot of a disk, a CopyStart copy to another region with its progress, a disk
 * from the copy, deletes; with faults injected.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError } from '../../../providers/provider-error.js';
import { type AzureEnv, PEER_REGION, REGION, startAzureEnv } from './fixture.js';

describe('azure adapter: storage', () => {
  let env: AzureEnv;
  beforeAll(async () => {
    env = await startAzureEnv({ copyDurationMs: 1_500 });
  });
  afterAll(async () => {
    await env?.teardown();
  });
  beforeEach(() => env.faults.reset());

  it('snapshots a disk incrementally, copies it to another region with progress, and makes a disk there', async () => {
    const storage = env.adapter.storage!;
    env.faults.failNext(1);
    const snap = await storage.createSnapshot({
      name: 'data-0-snap',
      volumeId: env.volume!.id,
      tags: { app: 'orders' },
    });
    expect(snap).toMatchObject({
      state: 'completed',
      progressPercent: 100,
      sizeGiB: 64,
      region: REGION,
      sourceVolumeId: env.volume!.id,
      tags: { app: 'orders' },
    });
    expect(env.sim.resource(snap.id)?.properties.incremental).toBe(true);

    env.faults.throttleNext(1);
    const copy = await storage.copySnapshot({
      name: 'data-0-snap-neu',
      sourceSnapshotId: snap.id,
      sourceRegion: REGION,
      targetRegion: PEER_REGION,
    });
    expect(copy).toMatchObject({ state: 'pending', region: PEER_REGION, sourceSnapshotId: snap.id });
    expect(copy.progressPercent).toBeLessThan(100);

    const seen: number[] = [];
    const done = await storage.waitForSnapshot(copy.id, {
      onProgress: (p) => p.percent !== undefined && seen.push(p.percent),
    });
    expect(done).toMatchObject({ state: 'completed', progressPercent: 100 });
    expect(seen.length).toBeGreaterThan(0);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);

    const again = await storage.copySnapshot({
      name: 'data-0-snap-neu',
      sourceSnapshotId: snap.id,
      sourceRegion: REGION,
      targetRegion: PEER_REGION,
    });
    expect(again.id).toBe(copy.id);

    const disk = await storage.createVolumeFromSnapshot({
      name: 'data-0-neu',
      snapshotId: copy.id,
      zone: `${PEER_REGION}-2`,
      sizeGiB: 128,
    });
    expect(disk).toMatchObject({
      state: 'available',
      sizeGiB: 128,
      zone: `${PEER_REGION}-2`,
      region: PEER_REGION,
      sourceSnapshotId: copy.id,
    });
    const same = await storage.createVolumeFromSnapshot({
      name: 'data-0-neu',
      snapshotId: copy.id,
      zone: `${PEER_REGION}-2`,
    });
    expect(same.id).toBe(disk.id);

    await storage.deleteVolume(disk.id);
    await storage.deleteSnapshot(copy.id);
    await storage.deleteSnapshot('data-0-snap');
    expect(await storage.describeSnapshot(copy.id)).toBeUndefined();
    expect(await storage.describeSnapshot('data-0-snap')).toBeUndefined();
  });

  it('a copy Azure refuses (full snapshot as CopyStart source) is Invalid with the ARM reason', async () => {
    env.sim.seed.resource(
      `/subscriptions/${env.adapter.scope.account}/resourceGroups/${env.adapter.scope.resourceGroup}/providers/Microsoft.Compute/snapshots/full-snap`,
      {
        location: REGION,
        properties: {
          creationData: { createOption: 'Copy', sourceResourceId: env.volume!.id },
          incremental: false,
        },
      },
    );
    const full = await env.adapter.storage!.describeSnapshot('full-snap');
    const err = (await env.adapter
      .storage!.copySnapshot({
        name: 'full-copy',
        sourceSnapshotId: full!.id,
        sourceRegion: REGION,
        targetRegion: PEER_REGION,
      })
      .catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(err, 'Invalid')).toBe(true);
    expect(err.message).toContain('CopyStart is supported only for incremental snapshots');
  });

  it('a snapshot whose operation fails surfaces the reason; a disk in use cannot be deleted', async () => {
    env.faults.failNextOperation('SnapshotCreationFailed: the source disk was being resized');
    const err = (await env.adapter
      .storage!.createSnapshot({ name: 'snap-fails', volumeId: env.volume!.id })
      .catch((e: unknown) => e)) as ProviderError;
    expect(err.providerCode).toBe('SnapshotCreationFailed');
    expect(err.message).toContain('being resized');

    const disk = env.sim.resource(env.volume!.id)!;
    disk.extra = {
      ...disk.extra,
      managedBy: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/vm1',
    };
    const inUse = (await env.adapter
      .storage!.deleteVolume(env.volume!.id)
      .catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(inUse, 'Conflict')).toBe(true);
    expect(inUse.providerCode).toBe('OperationNotAllowed');
  });
});
