import { describe, expect, it } from 'vitest';
import {
  buildFleetSnapshot,
  type ClusterSnapshot,
  defaultCostModel,
  formatExplanation,
  type InstanceGroup,
  type ScheduleResult,
  schedule,
} from '../../../placement/index.js';
import { capacity, cluster, NOW, policy, template } from '../helpers.js';

const GIB = 2 ** 30;
const group = (
  zone: string,
  instanceType: string,
  count: number,
  vcpus = 4,
  memoryMiB = 16384,
): InstanceGroup => ({
  zone,
  instanceType,
  count,
  vcpus,
  memoryMiB,
});

function scheduled(r: ScheduleResult): Extract<ScheduleResult, { status: 'Scheduled' }> {
  if (r.status !== 'Scheduled') throw new Error(`not scheduled: ${JSON.stringify(r)}`);
  return r;
}

const requests = { cpuMilli: 1000, memoryBytes: GIB };

describe('capacity from cloud inventory', () => {
  it('never schedules past the vCPUs the instances have, even when the probe reports more', () => {
    // The probe says 64 cores and all free; the inventory finds 2 × 4 vCPU instances.
    const big = cluster('big', {
      allocatable: capacity(64_000, 256 * GIB, 500),
      available: capacity(64_000, 256 * GIB, 500),
      instances: [group('eu-central-1a', 'm6i.xlarge', 2)],
    });
    const fleet = buildFleetSnapshot([big], { model: defaultCostModel });
    expect(fleet.byName.get('big')!.available).toMatchObject({ cpuMilli: 8000, memoryBytes: 32 * GIB });
    const r = schedule({
      template: template({ replicas: 9, podRequests: requests }),
      policies: [policy('p', { replicaScheduling: { type: 'Divided', division: 'AvailableCapacity' } })],
      fleet,
      now: NOW,
    });
    expect(r.status).toBe('Unschedulable');
    const fits = schedule({
      template: template({ replicas: 8, podRequests: requests }),
      policies: [policy('p', { replicaScheduling: { type: 'Divided', division: 'AvailableCapacity' } })],
      fleet,
      now: NOW,
    });
    expect(scheduled(fits).clusters).toEqual([{ name: 'big', replicas: 8 }]);
  });

  it('keeps the probe authoritative for what is used: instance totals less what runs', () => {
    const c = cluster('c', {
      allocatable: capacity(10_000, 40 * GIB),
      available: capacity(4_000, 30 * GIB),
      instances: [group('eu-central-1a', 'm6i.xlarge', 2)], // 8 vCPU, 32 GiB
    });
    const e = buildFleetSnapshot([c], { model: defaultCostModel }).byName.get('c')!;
    // 6 cores in use by the probe's count: 8 − 6 = 2 left, not the probe's 4.
    expect(e.available).toMatchObject({ cpuMilli: 2_000, memoryBytes: 22 * GIB });
    expect(e.allocatable).toMatchObject({ cpuMilli: 8_000, memoryBytes: 32 * GIB });
  });

  it('changes nothing when the probe reports less than the instances have (kubelet reserves)', () => {
    const c = cluster('c', {
      allocatable: capacity(7_600, 28 * GIB),
      available: capacity(5_000, 20 * GIB),
      instances: [group('eu-central-1a', 'm6i.xlarge', 2)],
    });
    const e = buildFleetSnapshot([c], { model: defaultCostModel }).byName.get('c')!;
    expect(e.available).toEqual(c.available);
    expect(e.allocatable).toEqual(c.allocatable);
  });

  it('gives capacity to a cluster the probe says nothing about', () => {
    const fleet = buildFleetSnapshot(
      [
        cluster('c', {
          instances: [group('eu-central-1a', 'm6i.xlarge', 1), group('eu-central-1b', 'm6i.xlarge', 1)],
        }),
      ],
      { model: defaultCostModel },
    );
    const r = schedule({
      template: template({ replicas: 9, podRequests: requests }),
      policies: [policy('p')],
      fleet,
      now: NOW,
    });
    expect(r.status).toBe('Unschedulable');
    expect(r.explanation.rejected[0]).toMatchObject({
      plugin: 'ResourceFit',
      reason: 'room for 8 of 9 replicas',
    });
  });
});

describe('zones from cloud inventory', () => {
  const oneZone = (name: string, zone: string) =>
    cluster(name, { region: 'eu-central-1', instances: [group(zone, 'm6i.xlarge', 2)] });

  it('puts a cluster whose instances are in one zone in that zone, for spread by zone', () => {
    const fleet = [oneZone('a', 'eu-central-1a'), oneZone('b', 'eu-central-1b')];
    const input = {
      template: template({ replicas: 2, podRequests: requests }),
      policies: [policy('p', { spreadConstraints: [{ spreadByField: 'zone' as const, minGroups: 2 }] })],
      now: NOW,
    };
    const r = scheduled(schedule({ ...input, fleet }));
    expect(r.explanation.spread[0]?.selectedGroups).toEqual([
      'aws:eu-central-1:eu-central-1a',
      'aws:eu-central-1:eu-central-1b',
    ]);
    // Without inventory the same clusters have no zone and cannot be spread by it.
    const bare = schedule({ ...input, fleet: fleet.map((c) => ({ ...c, instances: undefined })) });
    expect(bare.status).toBe('Unschedulable');
  });

  it('says why a cluster spanning zones cannot take part in a spread by zone', () => {
    const wide = cluster('wide', {
      instances: [group('eu-central-1a', 'm6i.xlarge', 1), group('eu-central-1b', 'm6i.xlarge', 1)],
    });
    const r = schedule({
      template: template({ replicas: 1 }),
      policies: [policy('p', { spreadConstraints: [{ spreadByField: 'zone', minGroups: 1 }] })],
      fleet: [wide],
      now: NOW,
    });
    expect(r.explanation.rejected[0]?.reason).toBe(
      'spans zones eu-central-1a, eu-central-1b: spreading by zone needs a cluster in one zone (or spec.zone)',
    );
  });

  it('admits a multi-zone cluster to a zones term only when every zone it runs in is listed', () => {
    const wide = cluster('wide', {
      instances: [group('eu-central-1a', 'm6i.xlarge', 1), group('eu-central-1b', 'm6i.xlarge', 1)],
    });
    const run = (zones: string[]) =>
      schedule({
        template: template({ replicas: 1 }),
        policies: [policy('p', { clusterAffinity: { zones } })],
        fleet: [wide],
        now: NOW,
      }).status;
    expect(run(['eu-central-1a', 'eu-central-1b'])).toBe('Scheduled');
    expect(run(['eu-central-1a'])).toBe('Unschedulable');
  });
});

describe('cost from cloud inventory', () => {
  const virginia: ClusterSnapshot = cluster('virginia', {
    region: 'us-east-1',
    instances: [group('us-east-1a', 'm6i.2xlarge', 2, 8, 32768)],
  });
  const ireland: ClusterSnapshot = cluster('ireland', {
    region: 'eu-west-1',
    instances: [group('eu-west-1a', 'm6g.xlarge', 4)],
  });
  const costPolicy = policy('cheapest', {
    spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 1 }],
    objectives: { cost: 10 },
  });

  it('prefers the cluster whose instance mix is cheaper though its region lists dearer', () => {
    const byRegion = scheduled(
      schedule({
        template: template({ replicas: 2, podRequests: requests }),
        policies: [costPolicy],
        fleet: [
          { ...virginia, instances: undefined },
          { ...ireland, instances: undefined },
        ],
        now: NOW,
      }),
    );
    expect(byRegion.clusters.map((c) => c.name)).toEqual(['virginia']);
    expect(byRegion.explanation.prices).toBeUndefined();

    const byMix = scheduled(
      schedule({
        template: template({ replicas: 2, podRequests: requests }),
        policies: [costPolicy],
        fleet: [virginia, ireland],
        now: NOW,
      }),
    );
    expect(byMix.clusters.map((c) => c.name)).toEqual(['ireland']);
    expect(byMix.explanation.prices?.ireland).toMatchObject({ basis: 'inventory', mix: { 'm6g.xlarge': 4 } });
    expect(byMix.explanation.prices?.virginia).toMatchObject({
      basis: 'inventory',
      mix: { 'm6i.2xlarge': 2 },
    });
    expect(formatExplanation(byMix.explanation)).toMatch(
      /ireland: instance mix 4× m6g\.xlarge at 0\.\d+× the region list price/,
    );
  });

  it('lets spec.cost override the instance mix', () => {
    const r = scheduled(
      schedule({
        template: template({ replicas: 2, podRequests: requests }),
        policies: [costPolicy],
        fleet: [{ ...virginia, costOverrides: { compute: { vcpuHour: 0.001, gibHour: 0.0001 } } }, ireland],
        now: NOW,
      }),
    );
    expect(r.clusters.map((c) => c.name)).toEqual(['virginia']);
    expect(r.explanation.prices?.virginia).toMatchObject({ basis: 'override', vcpuHour: 0.001 });
  });

  it('records the price sources of the placed cluster and the ten best-scoring others, not of every cluster', () => {
    const fleet = Array.from({ length: 15 }, (_, i) =>
      cluster(`c${String(i).padStart(2, '0')}`, {
        region: 'eu-west-1',
        instances: [group('eu-west-1a', i === 7 ? 'm6g.xlarge' : 'm6i.xlarge', 2 + i)],
      }),
    );
    const r = scheduled(
      schedule({
        template: template({ replicas: 1, podRequests: requests }),
        policies: [costPolicy],
        fleet,
        now: NOW,
      }),
    );
    expect(r.clusters.map((c) => c.name)).toEqual(['c07']);
    const listed = Object.keys(r.explanation.prices ?? {});
    expect(listed).toHaveLength(11);
    expect(listed).toContain('c07');
  });
});
