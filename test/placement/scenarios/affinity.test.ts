/**
 * clusterAffinity (names, exclude, label expressions, providers, regions, zones) and the ordered
 * clusterAffinities fallback ("on-prem first, then any EU cloud"), with the explanation per cluster.
 */
import { describe, expect, it } from 'vitest';
import {
  type ClusterSnapshot,
  explainCluster,
  formatExplanation,
  NOT_READY_TAINT,
  type PlacementPolicySpecInput,
  schedule,
} from '../../../placement/index.js';
import { capacity, cluster, NOW, policy, template } from '../helpers.js';
import { names, scheduled, unschedulable } from './support.js';

const fleet: ClusterSnapshot[] = [
  cluster('aws-fra-a', {
    provider: 'aws',
    region: 'eu-central-1',
    zone: 'eu-central-1a',
    labels: { env: 'prod', tier: 'gold' },
  }),
  cluster('aws-fra-b', {
    provider: 'aws',
    region: 'eu-central-1',
    zone: 'eu-central-1b',
    labels: { env: 'prod' },
  }),
  cluster('aws-use', { provider: 'aws', region: 'us-east-1', labels: { env: 'prod', tier: 'silver' } }),
  cluster('gcp-bel', { provider: 'gcp', region: 'europe-west1', labels: { env: 'staging' } }),
  cluster('az-ams', { provider: 'azure', region: 'westeurope', labels: {} }),
  cluster('onprem-fra', { provider: 'onprem', region: 'onprem-fra', labels: { env: 'prod', site: 'fra' } }),
];

function place(input: Partial<PlacementPolicySpecInput>, over: Partial<Parameters<typeof schedule>[0]> = {}) {
  return schedule({ template: template(), policies: [policy('p', input)], fleet, now: NOW, ...over });
}

describe('clusterAffinity', () => {
  it('clusterNames restricts to the named clusters; exclude removes clusters by name', () => {
    expect(names(place({ clusterAffinity: { clusterNames: ['az-ams', 'gcp-bel', 'nope'] } }))).toEqual([
      'az-ams',
      'gcp-bel',
    ]);
    const r = place({ clusterAffinity: { exclude: ['aws-use', 'onprem-fra'] } });
    expect(names(r)).toEqual(['aws-fra-a', 'aws-fra-b', 'az-ams', 'gcp-bel']);
    expect(explainCluster(r.explanation, 'aws-use')).toEqual({
      name: 'aws-use',
      feasible: false,
      plugin: 'ClusterAffinity',
      reason: 'excluded by name',
    });
    const named = place({ clusterAffinity: { clusterNames: ['az-ams'] } });
    expect(explainCluster(named.explanation, 'gcp-bel')).toMatchObject({
      plugin: 'ClusterAffinity',
      reason: 'not in clusterNames [az-ams]',
    });
  });

  it('label selectors: matchLabels and matchExpressions In, NotIn, Exists, DoesNotExist', () => {
    const sel = (labelSelector: NonNullable<PlacementPolicySpecInput['clusterAffinity']>['labelSelector']) =>
      names(place({ clusterAffinity: { labelSelector } }));
    expect(sel({ matchLabels: { env: 'prod' } })).toEqual([
      'aws-fra-a',
      'aws-fra-b',
      'aws-use',
      'onprem-fra',
    ]);
    expect(sel({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] })).toEqual([
      'aws-fra-a',
      'aws-use',
    ]);
    // NotIn and DoesNotExist match clusters without the key, as in Kubernetes.
    expect(sel({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] })).toEqual([
      'az-ams',
      'gcp-bel',
    ]);
    expect(sel({ matchExpressions: [{ key: 'site', operator: 'Exists' }] })).toEqual(['onprem-fra']);
    expect(
      sel({
        matchLabels: { env: 'prod' },
        matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }],
      }),
    ).toEqual(['aws-fra-b', 'onprem-fra']);
    const r = place({ clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } } });
    expect(explainCluster(r.explanation, 'gcp-bel')).toMatchObject({
      plugin: 'ClusterAffinity',
      reason: 'labels do not match {env=prod}',
    });
  });

  it('providers, regions and zones; a cluster without a zone never matches a zone list', () => {
    expect(names(place({ clusterAffinity: { providers: ['gcp', 'azure'] } }))).toEqual(['az-ams', 'gcp-bel']);
    expect(names(place({ clusterAffinity: { regions: ['eu-central-1', 'westeurope'] } }))).toEqual([
      'aws-fra-a',
      'aws-fra-b',
      'az-ams',
    ]);
    const z = place({ clusterAffinity: { zones: ['eu-central-1b'] } });
    expect(names(z)).toEqual(['aws-fra-b']);
    expect(explainCluster(z.explanation, 'az-ams')).toMatchObject({ reason: 'zone not in [eu-central-1b]' });
    // Every condition of a term must hold.
    expect(
      names(
        place({
          clusterAffinity: { providers: ['aws'], labelSelector: { matchLabels: { tier: 'silver' } } },
        }),
      ),
    ).toEqual(['aws-use']);
  });
});

describe('clusterAffinities: ordered fallback, "on-prem first, then any EU cloud"', () => {
  const EU_CLOUD = ['eu-central-1', 'europe-west1', 'westeurope'];
  const ledger: Partial<PlacementPolicySpecInput> = {
    clusterAffinities: [
      { affinityName: 'onprem-first', providers: ['onprem'] },
      { affinityName: 'eu-cloud', providers: ['aws', 'gcp', 'azure'], regions: EU_CLOUD },
    ],
    replicaScheduling: { type: 'Divided', division: 'CostOptimized' },
  };
  const down = (c: ClusterSnapshot): ClusterSnapshot => ({
    ...c,
    ready: false,
    taints: [
      { key: NOT_READY_TAINT, effect: 'NoExecute', timeAdded: new Date(NOW - 3_600_000).toISOString() },
    ],
  });
  const onpremDown = fleet.map((c) => (c.name === 'onprem-fra' ? down(c) : c));

  it('uses the first term that schedules; later terms are not tried', () => {
    const r = scheduled(place(ledger));
    expect(r.clusters).toEqual([{ name: 'onprem-fra', replicas: 3 }]);
    expect(r.explanation.affinityTerms).toEqual([
      { index: 0, name: 'onprem-first', outcome: 'Used' },
      { index: 1, name: 'eu-cloud', outcome: 'NotTried' },
    ]);
  });

  it('falls back to an EU cloud when on-prem cannot take it, never to the US', () => {
    const r = scheduled(place(ledger, { fleet: onpremDown }));
    expect(names(r).every((n) => ['aws-fra-a', 'aws-fra-b', 'gcp-bel', 'az-ams'].includes(n))).toBe(true);
    expect(r.explanation.affinityTerms[0]).toMatchObject({ name: 'onprem-first', outcome: 'Failed' });
    expect(r.explanation.affinityTerms[0]?.reason).toContain('NoClusterFits: 0/6 clusters fit');
    expect(r.explanation.affinityTerms[1]).toMatchObject({ name: 'eu-cloud', outcome: 'Used' });
    expect(formatExplanation(r.explanation)).toContain('affinity term 0 onprem-first: Failed');
    // On-prem full (no room for one replica) falls back the same way.
    const full = fleet.map((c) => (c.name === 'onprem-fra' ? { ...c, available: capacity(100) } : c));
    const f = scheduled(
      place(ledger, {
        fleet: full,
        template: template({ podRequests: { cpuMilli: 500, memoryBytes: 2 ** 30 } }),
      }),
    );
    expect(names(f)).not.toContain('onprem-fra');
  });

  it('a workload that fell back stays on its term when on-prem recovers, until it is rescheduled afresh', () => {
    const fallback = scheduled(place(ledger, { fleet: onpremDown }));
    const again = scheduled(place(ledger, { previous: { policy: 'p', clusters: fallback.clusters } }));
    expect(again.clusters).toEqual(fallback.clusters);
    expect(again.evictions).toEqual([]);
    expect(again.explanation.affinityTerms).toEqual([
      { index: 0, name: 'onprem-first', outcome: 'NotTried' },
      { index: 1, name: 'eu-cloud', outcome: 'Used' },
    ]);
    expect(again.explanation.messages).toEqual([
      'the previous placement runs under affinity term eu-cloud: tried first',
    ]);
    // Without a previous placement (a new workload, or a changed policy) on-prem comes first again.
    expect(names(place(ledger))).toEqual(['onprem-fra']);
  });

  it('when no term schedules, the result is Unschedulable and names every term', () => {
    const nothing = fleet.map((c) => ({ ...down(c) }));
    const r = unschedulable(place(ledger, { fleet: nothing }));
    expect(r.reason).toBe('NoClusterFits');
    expect(r.message).toMatch(
      /^no affinity term schedules \(onprem-first: 0\/6 clusters fit: .*; eu-cloud: 0\/6 clusters fit: .*\)$/,
    );
    expect(r.explanation.affinityTerms.map((t) => t.outcome)).toEqual(['Failed', 'Failed']);
  });
});
