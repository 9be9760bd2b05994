/**
 * The reason of an Unschedulable result names what prevented placement. Residency in particular:
 * ResidencyUnsatisfiable only when residency is what left no cluster (a cluster it rejected passes
 * every other filter), not whenever it rejected some cluster.
 */
import { describe, expect, it } from 'vitest';
import {
  type ClusterSnapshot,
  NOT_READY_TAINT,
  type PlacementPolicySpecInput,
  schedule,
} from '../../../placement/index.js';
import { capacity, cluster, NOW, policy, template } from '../helpers.js';
import { unschedulable } from './support.js';

const notReady = {
  ready: false,
  taints: [{ key: NOT_READY_TAINT, effect: 'NoExecute' as const, timeAdded: new Date(NOW).toISOString() }],
};
const fleet: ClusterSnapshot[] = [
  cluster('aws-use', { provider: 'aws', region: 'us-east-1' }),
  cluster('aws-fra', { provider: 'aws', region: 'eu-central-1' }),
  cluster('gcp-bel', { provider: 'gcp', region: 'europe-west1' }),
];
const euOnly = { residency: { jurisdictions: ['EU'] } } satisfies Partial<PlacementPolicySpecInput>;
const data = template({
  dataBearing: true,
  replicas: 2,
  podRequests: { cpuMilli: 1000, memoryBytes: 2 ** 30 },
});

function run(input: Partial<PlacementPolicySpecInput>, clusters: ClusterSnapshot[]) {
  return unschedulable(
    schedule({ template: data, policies: [policy('p', { ...euOnly, ...input })], fleet: clusters, now: NOW }),
  );
}

const withUse = (over: Partial<ClusterSnapshot>) =>
  fleet.map((c) => (c.name === 'aws-use' ? { ...c, ...over } : c));

describe('the reason of an Unschedulable result', () => {
  it('residency removed one cluster and affinity the rest, but that cluster is NotReady: NoClusterFits', () => {
    const r = run({ clusterAffinity: { clusterNames: ['aws-use'] } }, withUse(notReady));
    expect(r.reason).toBe('NoClusterFits');
    expect(r.message).toBe('0/3 clusters fit: 2 rejected by ClusterAffinity, 1 rejected by Residency');
  });

  it('the same when that cluster is full or carries an untolerated taint', () => {
    const full = run(
      { clusterAffinity: { clusterNames: ['aws-use'] } },
      withUse({ available: capacity(1000) }),
    );
    expect(full.reason).toBe('NoClusterFits');
    const tainted = run(
      { clusterAffinity: { clusterNames: ['aws-use'] } },
      withUse({ taints: [{ key: 'gpu', effect: 'NoSchedule' }] }),
    );
    expect(tainted.reason).toBe('NoClusterFits');
  });

  it('residency rejected the one cluster that would otherwise fit: ResidencyUnsatisfiable', () => {
    const r = run({ clusterAffinity: { clusterNames: ['aws-use'] } }, fleet);
    expect(r.reason).toBe('ResidencyUnsatisfiable');
    expect(r.message).toBe('0/3 clusters fit: 2 rejected by ClusterAffinity, 1 rejected by Residency');
  });

  it('residency decides even when other filters reject other clusters', () => {
    // aws-fra is NotReady; without residency aws-use would run the workload.
    const clusters = fleet.map((c) => (c.name === 'aws-fra' ? { ...c, ...notReady } : c));
    const r = run({ clusterAffinity: { providers: ['aws'] } }, clusters);
    expect(r.reason).toBe('ResidencyUnsatisfiable');
    expect(r.message).toBe(
      '0/3 clusters fit: 1 rejected by ClusterAffinity, 1 rejected by Residency, 1 rejected by ClusterReady',
    );
  });

  it('residency rejected every cluster, but none would fit anyway: NoClusterFits', () => {
    const full = fleet.map((c) => ({ ...c, available: capacity(1000) }));
    const r = run({ residency: { jurisdictions: ['JP'] } }, full);
    expect(r.reason).toBe('NoClusterFits');
    expect(r.message).toBe('0/3 clusters fit: 3 rejected by Residency');
  });

  it('with several affinity terms the reason is the last term tried; each term keeps its own', () => {
    const r = run(
      {
        clusterAffinities: [
          { affinityName: 'us', clusterNames: ['aws-use'] },
          { affinityName: 'gcp', providers: ['gcp'] },
        ],
      },
      fleet.map((c) => (c.name === 'gcp-bel' ? { ...c, ...notReady } : c)),
    );
    expect(r.reason).toBe('NoClusterFits');
    expect(r.explanation.affinityTerms.map((t) => t.reason?.split(':')[0])).toEqual([
      'ResidencyUnsatisfiable',
      'NoClusterFits',
    ]);
  });
});
