/**
 * Replica division (StaticWeights, AvailableCapacity Spread/Aggregated, CostOptimized) and spread
 * constraints (min/maxGroups by provider, region, zone, cluster).
 */
import { describe, expect, it } from 'vitest';
import {
  type ClusterSnapshot,
  explainCluster,
  type PlacementPolicySpecInput,
  schedule,
} from '../../../placement/index.js';
import { capacity, cluster, NOW, policy, template } from '../helpers.js';
import { names, scheduled, split, unschedulable } from './support.js';

const ONE_CPU = { cpuMilli: 1000, memoryBytes: 2 ** 30 };
/** Room for n replicas of ONE_CPU. */
const room = (n: number) => capacity(n * 1000);

function run(fleet: ClusterSnapshot[], input: Partial<PlacementPolicySpecInput>, replicas: number) {
  return schedule({
    template: template({ replicas, podRequests: ONE_CPU }),
    policies: [policy('p', input)],
    fleet,
    now: NOW,
  });
}

const clouds = [
  cluster('aws-fra', { provider: 'aws', region: 'eu-central-1', zone: 'eu-central-1a' }),
  cluster('aws-fra-b', { provider: 'aws', region: 'eu-central-1', zone: 'eu-central-1b' }),
  cluster('gcp-bel', { provider: 'gcp', region: 'europe-west1', zone: 'europe-west1-b' }),
  cluster('az-ams', { provider: 'azure', region: 'westeurope' }),
];

describe('StaticWeights', () => {
  const weights = {
    type: 'Divided' as const,
    division: 'StaticWeights' as const,
    staticWeights: [
      { targetCluster: { providers: ['aws' as const] }, weight: 2 },
      { targetCluster: { providers: ['gcp' as const] }, weight: 1 },
      { targetCluster: { clusterNames: ['az-ams'] }, weight: 1 },
    ],
  };

  it('divides by weight with Webster rounding; the sum is always the desired count', () => {
    expect(split(run(clouds, { replicaScheduling: weights }, 12))).toEqual({
      'aws-fra': 4,
      'aws-fra-b': 4,
      'gcp-bel': 2,
      'az-ams': 2,
    });
    // 5 over weights 2:2:1:1 is Sainte-Laguë's 2:1:1:1 — every cluster gets one before any gets a
    // third of its weight's worth; the tie between the two AWS clusters goes to the first by name.
    const five = split(run(clouds, { replicaScheduling: weights }, 5));
    expect(five).toEqual({ 'aws-fra': 2, 'aws-fra-b': 1, 'gcp-bel': 1, 'az-ams': 1 });
  });

  it('a cluster matched by several rules takes the highest weight; no rule means weight 0', () => {
    const r = run(
      clouds,
      {
        replicaScheduling: {
          type: 'Divided',
          staticWeights: [
            { targetCluster: { providers: ['aws'] }, weight: 1 },
            { targetCluster: { clusterNames: ['aws-fra'] }, weight: 3 },
          ],
        },
      },
      8,
    );
    expect(split(r)).toEqual({ 'aws-fra': 6, 'aws-fra-b': 2 });
  });

  it('a full cluster passes its share on; weights on no feasible cluster are reported', () => {
    const small = clouds.map((c) => (c.name === 'aws-fra' ? { ...c, available: room(1) } : c));
    expect(split(run(small, { replicaScheduling: weights }, 12))).toEqual({
      'aws-fra': 1,
      'aws-fra-b': 5,
      'gcp-bel': 3,
      'az-ams': 3,
    });
    const none = unschedulable(
      run(
        clouds,
        // All-zero weights are refused by the policy schema; weights only on clusters that do not
        // exist leave every feasible cluster at weight 0.
        {
          replicaScheduling: {
            type: 'Divided',
            staticWeights: [{ targetCluster: { clusterNames: ['gone'] }, weight: 1 }],
          },
        },
        3,
      ),
    );
    expect(none.reason).toBe('NoWeightedCluster');
    expect(none.message).toBe('no feasible cluster has a static weight > 0');
  });
});

describe('AvailableCapacity: Spread vs Aggregated', () => {
  const fleet = [
    cluster('big', { available: room(6) }),
    cluster('mid', { available: room(3) }),
    cluster('tiny', { available: room(1) }),
  ];

  it('Spread divides in proportion to free room', () => {
    const r = run(fleet, { replicaScheduling: { type: 'Divided', division: 'AvailableCapacity' } }, 10);
    expect(split(r)).toEqual({ big: 6, mid: 3, tiny: 1 });
    expect(
      split(
        run(
          fleet,
          { replicaScheduling: { type: 'Divided', division: 'AvailableCapacity', preference: 'Spread' } },
          5,
        ),
      ),
    ).toEqual({
      big: 3,
      mid: 2,
    });
  });

  it('Aggregated packs into the fewest clusters, largest first', () => {
    const agg = {
      type: 'Divided' as const,
      division: 'AvailableCapacity' as const,
      preference: 'Aggregated' as const,
    };
    expect(split(run(fleet, { replicaScheduling: agg }, 5))).toEqual({ big: 5 });
    const r = scheduled(run(fleet, { replicaScheduling: agg }, 8));
    expect(split(r)).toEqual({ big: 6, mid: 2 });
    expect(r.explanation.division).toEqual({ algorithm: 'AvailableCapacityAggregated', notes: [] });
  });

  it('more replicas than room: InsufficientCapacity, with the numbers', () => {
    const r = unschedulable(
      run(fleet, { replicaScheduling: { type: 'Divided', division: 'AvailableCapacity' } }, 11),
    );
    expect(r.reason).toBe('InsufficientCapacity');
    expect(r.message).toBe('selected clusters have room for 10 of 11 replicas');
  });
});

describe('CostOptimized', () => {
  it('fills the cheapest clusters first', () => {
    const fleet = [
      cluster('onprem', { provider: 'onprem', region: 'onprem-fra', available: room(2) }),
      cluster('gcp', { provider: 'gcp', region: 'europe-west1', available: room(10) }),
      cluster('aws', { provider: 'aws', region: 'eu-central-1', available: room(10) }),
    ];
    const r = scheduled(run(fleet, { replicaScheduling: { type: 'Divided', division: 'CostOptimized' } }, 5));
    expect(split(r)).toEqual({ onprem: 2, gcp: 3 });
    expect(r.explanation.costPerMonth).toBeCloseTo(2 * 8.42 + 3 * 28.79, 1);
  });

  it('with spread constraints, takes the cheapest split that meets them', () => {
    // Spread over two providers. The cheapest AWS cluster is small; a second AWS cluster is still
    // cheaper than GCP in Sydney, so GCP should get the one replica the constraint demands.
    const fleet = [
      cluster('aws-small', { provider: 'aws', region: 'us-east-1', available: room(2) }),
      cluster('aws-mid', { provider: 'aws', region: 'eu-central-1', available: room(20) }),
      cluster('gcp-dear', { provider: 'gcp', region: 'australia-southeast1', available: room(20) }),
    ];
    const r = scheduled(
      run(
        fleet,
        {
          spreadConstraints: [{ spreadByField: 'provider', minGroups: 2 }],
          replicaScheduling: { type: 'Divided', division: 'CostOptimized' },
        },
        6,
      ),
    );
    expect(split(r)).toEqual({ 'aws-small': 2, 'aws-mid': 3, 'gcp-dear': 1 });
  });
});

describe('spread constraints', () => {
  it('minGroups by region: Duplicated covers at least that many regions', () => {
    const r = scheduled(run(clouds, { spreadConstraints: [{ spreadByField: 'region', minGroups: 2 }] }, 2));
    expect(
      new Set(r.clusters.map((c) => clouds.find((x) => x.name === c.name)!.region)).size,
    ).toBeGreaterThanOrEqual(2);
    expect(r.explanation.spread[0]).toMatchObject({
      spreadByField: 'region',
      minGroups: 2,
      feasibleGroups: 3,
    });
  });

  it('maxGroups by provider keeps Duplicated copies inside one provider', () => {
    const r = scheduled(
      run(clouds, { spreadConstraints: [{ spreadByField: 'provider', minGroups: 1, maxGroups: 1 }] }, 2),
    );
    expect(new Set(r.clusters.map((c) => c.name.split('-')[0])).size).toBe(1);
    expect(r.explanation.spread[0]?.selectedGroups).toHaveLength(1);
  });

  it('Divided by cluster with minGroups 3: every selected cluster gets at least one replica', () => {
    const r = run(
      clouds,
      {
        spreadConstraints: [{ spreadByField: 'cluster', minGroups: 3 }],
        replicaScheduling: { type: 'Divided', division: 'CostOptimized' },
      },
      4,
    );
    const s = split(r);
    expect(Object.keys(s)).toHaveLength(3);
    expect(Object.values(s).every((n) => n! >= 1)).toBe(true);
  });

  it('spreading by zone leaves out clusters without a zone, and says so', () => {
    const r = scheduled(run(clouds, { spreadConstraints: [{ spreadByField: 'zone', minGroups: 2 }] }, 1));
    expect(names(r)).not.toContain('az-ams');
    expect(explainCluster(r.explanation, 'az-ams')).toMatchObject({
      plugin: 'SpreadField',
      reason: 'no zone, but the policy spreads by zone',
    });
  });

  it('unsatisfiable constraints are reported with the constraint and the groups available', () => {
    const few = unschedulable(
      run(clouds, { spreadConstraints: [{ spreadByField: 'region', minGroups: 4 }] }, 4),
    );
    expect(few.reason).toBe('SpreadConstraintUnsatisfiable');
    expect(few.message).toBe(
      'spreadByField region needs minGroups 4: 3 group(s) among the 4 feasible cluster(s)',
    );
    const small = unschedulable(
      run(
        clouds,
        {
          spreadConstraints: [{ spreadByField: 'provider', minGroups: 3 }],
          replicaScheduling: { type: 'Divided' },
        },
        2,
      ),
    );
    expect(small.message).toBe("2 replicas cannot cover every spread constraint's minGroups");
  });

  it('a Divided workload scaled to zero replicas stays scheduled under a spread policy', () => {
    const r = scheduled(
      run(
        clouds,
        {
          spreadConstraints: [{ spreadByField: 'region', minGroups: 2 }],
          replicaScheduling: { type: 'Divided' },
        },
        0,
      ),
    );
    expect(r.clusters.every((c) => c.replicas === 0)).toBe(true);
    expect(r.clusters.length).toBeGreaterThan(0);
  });
});
