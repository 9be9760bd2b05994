import { describe, expect, it } from 'vitest';
import { summarizeInventory } from '../../../federation/cloud/inventory-summary.js';
import {
  type MemberClusterObject,
  toClusterSnapshot,
} from '../../../federation/reconcile/cluster-snapshot.js';
import type { CloudInstance } from '../../../providers/cloud/types.js';

const instance = (
  id: string,
  zone: string,
  instanceType: string,
  state: CloudInstance['state'] = 'running',
) => ({ id, name: id, zone, instanceType, vcpus: 4, memoryMiB: 16384, state }) satisfies CloudInstance;

const mc = (cloud: unknown): MemberClusterObject =>
  ({
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'MemberCluster',
    metadata: { name: 'aws-eu' },
    spec: { provider: 'aws', region: 'eu-west-1', connection: { server: 'https://127.0.0.1:1' } },
    status: { conditions: [], cloud },
  }) as unknown as MemberClusterObject;

describe("a MemberCluster's cloud inventory in the scheduler's view", () => {
  it('groups running instances by zone and type, and hands them to the scheduler', () => {
    const cloud = summarizeInventory(
      [
        instance('i-1', 'eu-west-1a', 'm6g.xlarge'),
        instance('i-2', 'eu-west-1a', 'm6g.xlarge'),
        instance('i-3', 'eu-west-1b', 'm6g.xlarge'),
        instance('i-4', 'eu-west-1b', 'm6g.xlarge', 'terminated'),
      ],
      undefined,
      '2026-12-03T00:00:00Z',
    );
    expect(cloud.instances).toEqual([
      { zone: 'eu-west-1a', instanceType: 'm6g.xlarge', count: 2, vcpus: 4, memoryMiB: 16384 },
      { zone: 'eu-west-1b', instanceType: 'm6g.xlarge', count: 1, vcpus: 4, memoryMiB: 16384 },
    ]);
    expect(toClusterSnapshot(mc(cloud)).instances).toEqual(cloud.instances);
  });

  it('leaves out malformed groups instead of failing the whole fleet, and status written before instances were recorded', () => {
    const good = { zone: 'eu-west-1a', instanceType: 'm6g.xlarge', count: 1, vcpus: 4, memoryMiB: 16384 };
    const snap = toClusterSnapshot(
      mc({
        instances: [
          good,
          { ...good, count: -1 },
          { ...good, vcpus: Number.NaN },
          { ...good, instanceType: '' },
        ],
      }),
    );
    expect(snap.instances).toEqual([good]);
    expect(toClusterSnapshot(mc({ zones: {}, instanceTypes: {} })).instances).toBeUndefined();
  });
});
