import { describe, expect, it } from 'vitest';
import { explainCluster, formatExplanation, type ScheduleResult, schedule } from '../../placement/index.js';
import { cluster, NOW, policy, template } from './helpers.js';

function scheduled(r: ScheduleResult) {
  if (r.status !== 'Scheduled')
    throw new Error(`expected Scheduled, got ${JSON.stringify(r, null, 1).slice(0, 800)}`);
  return r;
}

const fleet = [
  cluster('aws-fra', { provider: 'aws', region: 'eu-central-1', labels: { env: 'prod', tier: 'gold' } }),
  cluster('gcp-bel', { provider: 'gcp', region: 'europe-west1', labels: { env: 'prod' } }),
  cluster('az-ams', { provider: 'azure', region: 'westeurope', labels: { env: 'staging' } }),
  cluster('onprem-fra', { provider: 'onprem', region: 'onprem-fra', labels: { env: 'prod' } }),
];

describe('schedule: cluster affinity', () => {
  it('Duplicated to every cluster matching names, providers, regions and labels', () => {
    const r = scheduled(
      schedule({
        template: template(),
        policies: [
          policy('p', {
            clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } }, exclude: ['gcp-bel'] },
          }),
        ],
        fleet,
        now: NOW,
      }),
    );
    expect(r.clusters).toEqual([
      { name: 'aws-fra', replicas: 3 },
      { name: 'onprem-fra', replicas: 3 },
    ]);
    expect(explainCluster(r.explanation, 'gcp-bel')).toMatchObject({
      feasible: false,
      plugin: 'ClusterAffinity',
      reason: 'excluded by name',
    });
    expect(explainCluster(r.explanation, 'az-ams')).toMatchObject({
      feasible: false,
      plugin: 'ClusterAffinity',
    });
  });

  it('filters by provider and region, with matchExpressions', () => {
    const r = scheduled(
      schedule({
        template: template(),
        policies: [
          policy('p', {
            clusterAffinity: {
              providers: ['aws', 'gcp', 'azure'],
              labelSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['staging'] }] },
            },
          }),
        ],
        fleet,
        now: NOW,
      }),
    );
    expect(r.clusters.map((c) => c.name)).toEqual(['aws-fra', 'gcp-bel']);
    const byRegion = scheduled(
      schedule({
        template: template(),
        policies: [policy('p', { clusterAffinity: { regions: ['westeurope'] } })],
        fleet,
        now: NOW,
      }),
    );
    expect(byRegion.clusters.map((c) => c.name)).toEqual(['az-ams']);
  });

  it('reports NoClusterFits with a per-plugin count instead of an empty binding', () => {
    const r = schedule({
      template: template(),
      policies: [policy('p', { clusterAffinity: { clusterNames: ['nope'] } })],
      fleet,
      now: NOW,
    });
    expect(r.status).toBe('Unschedulable');
    if (r.status !== 'Unschedulable') return;
    expect(r.reason).toBe('NoClusterFits');
    expect(r.message).toContain('0/4 clusters fit: 4 rejected by ClusterAffinity');
    expect(r.explanation.rejected[0]?.clusters).toHaveLength(4);
  });

  it('returns NoMatchingPolicy when no selector matches', () => {
    const r = schedule({
      template: template({ kind: 'StatefulSet' }),
      policies: [policy('p')],
      fleet,
      now: NOW,
    });
    expect(r.status).toBe('NoMatchingPolicy');
  });
});

describe('schedule: taints and tolerations', () => {
  const tainted = [
    cluster('a', { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] }),
    cluster('b', { taints: [{ key: 'maintenance', effect: 'NoExecute' }] }),
    cluster('c', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }),
    cluster('d'),
  ];

  it('untolerated NoSchedule/NoExecute taints filter; PreferNoSchedule does not', () => {
    const r = scheduled(
      schedule({ template: template(), policies: [policy('p')], fleet: tainted, now: NOW }),
    );
    expect(r.clusters.map((c) => c.name)).toEqual(['c', 'd']);
    expect(explainCluster(r.explanation, 'a')).toMatchObject({
      plugin: 'TaintToleration',
      reason: 'untolerated taint gpu=true:NoSchedule',
    });
  });

  it('tolerations admit the tainted clusters', () => {
    const r = scheduled(
      schedule({
        template: template(),
        policies: [
          policy('p', {
            tolerations: [
              { key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
              { key: 'maintenance', operator: 'Exists' },
            ],
          }),
        ],
        fleet: tainted,
        now: NOW,
      }),
    );
    expect(r.clusters.map((c) => c.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a NoSchedule taint does not evict a cluster that already hosts the workload', () => {
    const r = scheduled(
      schedule({
        template: template(),
        policies: [policy('p')],
        fleet: tainted,
        previous: { policy: 'p', clusters: [{ name: 'a', replicas: 3 }] },
        now: NOW,
      }),
    );
    expect(r.clusters.map((c) => c.name)).toEqual(['a', 'c', 'd']);
    expect(r.evictions).toEqual([]);
  });
});

describe('schedule: Divided by static weights', () => {
  const three = [
    cluster('a', { labels: { w: '1' } }),
    cluster('b', { labels: { w: '2' } }),
    cluster('c', { labels: { w: '0' } }),
  ];

  it('divides with Webster rounding and drops zero-weight clusters', () => {
    const r = scheduled(
      schedule({
        template: template({ replicas: 10 }),
        policies: [
          policy('p', {
            replicaScheduling: {
              type: 'Divided',
              division: 'StaticWeights',
              staticWeights: [
                { targetCluster: { labelSelector: { matchLabels: { w: '1' } } }, weight: 1 },
                { targetCluster: { labelSelector: { matchLabels: { w: '2' } } }, weight: 2 },
              ],
            },
          }),
        ],
        fleet: three,
        now: NOW,
      }),
    );
    expect(r.clusters).toEqual([
      { name: 'a', replicas: 3 },
      { name: 'b', replicas: 7 },
    ]);
    expect(r.explanation.division?.algorithm).toBe('StaticWeights');
  });

  it('equal weights when none are given, ties broken by name', () => {
    const r = scheduled(
      schedule({
        template: template({ replicas: 5 }),
        policies: [policy('p', { replicaScheduling: { type: 'Divided' } })],
        fleet: three,
        now: NOW,
      }),
    );
    expect(r.clusters).toEqual([
      { name: 'a', replicas: 2 },
      { name: 'b', replicas: 2 },
      { name: 'c', replicas: 1 },
    ]);
  });

  it('is deterministic and independent of fleet order', () => {
    const input = {
      template: template({ replicas: 7 }),
      policies: [policy('p', { replicaScheduling: { type: 'Divided' } })],
      now: NOW,
    };
    const a = schedule({ ...input, fleet: three });
    const b = schedule({ ...input, fleet: [...three].reverse() });
    expect(JSON.stringify(a)).toEqual(JSON.stringify(b));
  });
});

describe('explanation', () => {
  it('is JSON-serialisable and renders as text', () => {
    const r = schedule({
      template: template(),
      policies: [policy('p', { clusterAffinity: { providers: ['aws'] } })],
      fleet,
      now: NOW,
    });
    const e = r.explanation;
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    const text = formatExplanation(e);
    expect(text).toContain('policy: p (only matching policy)');
    expect(text).toContain('aws-fra');
    expect(text).toContain('ClusterAffinity: provider not in [aws]');
  });
});
