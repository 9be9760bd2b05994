/**
 * Rescheduling with a previous placement.
 *
 * Zero-replica Divided placements are stable: rescheduling an unchanged fleet with the previous
 * placement changes nothing, even when the previous placement makes an earlier affinity term
 * feasible (AvailableCapacity keeps a cluster without capacity data that already hosts the
 * workload). Found by the "unchanged fleet" property, seed 102888201.
 *
 * Scaling down keeps replicas where they run, also when the aggregating strategies' selection would
 * stop at a cluster whose capacity exceeds what it ran (found by the "scaling down" property, seed
 * 1587691134).
 */
import { describe, expect, it } from 'vitest';
import { type ClusterSnapshot, type ScheduleInput, schedule } from '../../../placement/index.js';
import { cluster, NOW, policy, template } from '../helpers.js';
import { scheduled } from './support.js';

// c00 and c02 report no capacity; c01 reports room for one pod only; c03 is tainted.
const fleet: ClusterSnapshot[] = [
  cluster('c00', { provider: 'aws', region: 'us-east-1', zone: 'us-east-1-a' }),
  cluster('c01', {
    provider: 'aws',
    region: 'us-east-1',
    allocatable: { cpuMilli: 32_000, memoryBytes: 64 * 2 ** 30, pods: 60 },
    available: { cpuMilli: 0, memoryBytes: 0, pods: 1 },
  }),
  cluster('c02', { provider: 'gcp', region: 'asia-northeast1', zone: 'asia-northeast1-a' }),
  cluster('c03', { provider: 'aws', region: 'us-east-1', taints: [{ key: 'gpu', effect: 'NoSchedule' }] }),
];

const spreadPolicy = policy('p', {
  clusterAffinities: [
    { affinityName: 't0' },
    { affinityName: 't1', zones: ['us-east-1-a', 'asia-northeast1-a'] },
    { affinityName: 't2' },
  ],
  spreadConstraints: [{ spreadByField: 'provider', minGroups: 2 }],
  replicaScheduling: { type: 'Divided', division: 'AvailableCapacity' },
});

function input(replicas: number, previous?: ScheduleInput['previous']): ScheduleInput {
  return {
    template: template({ replicas }),
    policies: [spreadPolicy],
    fleet,
    now: NOW,
    ...(previous !== undefined ? { previous } : {}),
  };
}

describe('zero-replica Divided placements', () => {
  it('first schedule: t0 has one provider among clusters with capacity data, so t1 is used', () => {
    const first = scheduled(schedule(input(0)));
    expect(first.clusters).toEqual([
      { name: 'c00', replicas: 0 },
      { name: 'c02', replicas: 0 },
    ]);
    expect(first.explanation.affinityTerms.map((t) => t.outcome)).toEqual(['Failed', 'Used', 'NotTried']);
    expect(first.explanation.affinityTerms[0]!.reason).toBe(
      'SpreadConstraintUnsatisfiable: spreadByField provider needs minGroups 2: 1 group(s) among the 1 cluster(s) with capacity data (2 among the 3 feasible cluster(s))',
    );
  });

  it('rescheduling the unchanged fleet keeps the placement exactly (no cluster added with 0)', () => {
    const first = scheduled(schedule(input(0)));
    const again = scheduled(schedule(input(0, { policy: 'p', clusters: first.clusters })));
    expect(again.clusters).toEqual(first.clusters);
    expect(again.evictions).toEqual([]);
    expect(again.explanation.stability?.decision).toBe('Kept');
    // And it stays put on every further pass.
    const third = scheduled(schedule(input(0, { policy: 'p', clusters: again.clusters })));
    expect(third.clusters).toEqual(first.clusters);
  });

  it('a zero-replica placement still adds a seed when a spread group is missing', () => {
    // Only c00 (aws) survives from the previous placement: the gcp group must be covered again.
    const again = scheduled(schedule(input(0, { policy: 'p', clusters: [{ name: 'c00', replicas: 0 }] })));
    expect(again.clusters).toEqual([
      { name: 'c00', replicas: 0 },
      { name: 'c02', replicas: 0 },
    ]);
  });

  it('scaling down to zero keeps every surviving cluster, with 0 replicas', () => {
    const first = scheduled(schedule(input(3)));
    const down = scheduled(schedule(input(0, { policy: 'p', clusters: first.clusters })));
    expect(down.clusters).toEqual(first.clusters.map((c) => ({ name: c.name, replicas: 0 })));
    expect(down.evictions).toEqual([]);
  });
});

describe('scaling down an aggregating division', () => {
  // c00 has no capacity data (room without bound) and is the cheapest; c01 has room for 2.
  const pricedFleet: ClusterSnapshot[] = [
    cluster('c00', { provider: 'azure', region: 'eastus' }),
    cluster('c01', {
      provider: 'azure',
      region: 'eastus2',
      allocatable: { cpuMilli: 32_000, memoryBytes: 64 * 2 ** 30, pods: 60 },
      available: { cpuMilli: 16_160, memoryBytes: 33 * 2 ** 30, pods: 2 },
    }),
    cluster('c02', { provider: 'aws', region: 'us-east-1' }),
  ];
  const cheapest = policy('p', { replicaScheduling: { type: 'Divided', division: 'CostOptimized' } });
  const t = (replicas: number) => template({ replicas, podRequests: { cpuMilli: 100, memoryBytes: 0 } });

  it('keeps replicas only where they ran, no more than each ran', () => {
    const first = scheduled(schedule({ template: t(3), policies: [cheapest], fleet: pricedFleet, now: NOW }));
    expect(first.clusters).toEqual([
      { name: 'c00', replicas: 1 },
      { name: 'c01', replicas: 2 },
    ]);
    // The fleet after the placement: c01's two pods now take its pod slots.
    const after = pricedFleet.map((c) =>
      c.name === 'c01' ? { ...c, available: { cpuMilli: 15_960, memoryBytes: 33 * 2 ** 30, pods: 0 } } : c,
    );
    const down = scheduled(
      schedule({
        template: t(2),
        policies: [cheapest],
        fleet: after,
        now: NOW,
        previous: { policy: 'p', clusters: first.clusters },
      }),
    );
    // c00 ran 1: it cannot take both (that would be a move, which needs minScoreGain).
    expect(down.clusters).toEqual([
      { name: 'c00', replicas: 1 },
      { name: 'c01', replicas: 1 },
    ]);
    expect(down.explanation.stability?.decision).not.toBe('Fresh');
    expect(down.evictions).toEqual([]);
  });
});
