/**
 * The explanation a user reads (`fedgate explain`): per cluster, which plugin filtered it and why,
 * or each score of a feasible one; and a clear reason when nothing can be placed.
 */
import { describe, expect, it } from 'vitest';
import { explainCluster, formatExplanation, NOT_READY_TAINT, schedule } from '../../../placement/index.js';
import { capacity, cluster, NOW, policy, template } from '../helpers.js';
import { scheduled, unschedulable } from './support.js';

const fleet = [
  cluster('affinity-out', { provider: 'azure', region: 'westeurope' }),
  cluster('not-resident', { provider: 'aws', region: 'us-east-1' }),
  cluster('no-zone', { provider: 'aws', region: 'eu-central-1' }),
  cluster('not-ready', {
    region: 'eu-central-1',
    zone: 'eu-central-1c',
    ready: false,
    taints: [{ key: NOT_READY_TAINT, effect: 'NoExecute', timeAdded: new Date(NOW).toISOString() }],
  }),
  cluster('tainted', {
    region: 'eu-central-1',
    zone: 'eu-central-1b',
    taints: [{ key: 'gpu', effect: 'NoSchedule' }],
  }),
  cluster('full', { region: 'eu-central-1', zone: 'eu-central-1a', available: capacity(1000) }),
  cluster('good-a', {
    region: 'eu-central-1',
    zone: 'eu-central-1a',
    available: capacity(16_000),
    allocatable: capacity(32_000),
  }),
  cluster('good-b', { provider: 'gcp', region: 'europe-west3', zone: 'europe-west3-a' }),
];
const p = policy('shop', {
  clusterAffinity: { providers: ['aws', 'gcp'] },
  residency: { jurisdictions: ['EU'] },
  spreadConstraints: [{ spreadByField: 'zone', minGroups: 1 }],
});
const t = template({ replicas: 3, dataBearing: true, podRequests: { cpuMilli: 500, memoryBytes: 2 ** 30 } });

describe('explanation', () => {
  const r = scheduled(schedule({ template: t, policies: [p], fleet, now: NOW }));

  it('names the plugin and the reason for every filtered cluster', () => {
    const why = (name: string) => explainCluster(r.explanation, name);
    expect(why('affinity-out')).toMatchObject({
      plugin: 'ClusterAffinity',
      reason: 'provider not in [aws, gcp]',
    });
    expect(why('not-resident')).toMatchObject({ plugin: 'Residency', reason: 'jurisdiction US not allowed' });
    expect(why('no-zone')).toMatchObject({
      plugin: 'SpreadField',
      reason: 'no zone, but the policy spreads by zone',
    });
    expect(why('not-ready')).toMatchObject({ plugin: 'ClusterReady', reason: 'cluster is NotReady' });
    expect(why('tainted')).toMatchObject({
      plugin: 'TaintToleration',
      reason: 'untolerated taint gpu:NoSchedule',
    });
    expect(why('full')).toMatchObject({ plugin: 'ResourceFit', reason: 'room for 2 of 3 replicas' });
    expect(why('nowhere')).toMatchObject({ feasible: false, plugin: 'NotEvaluated' });
  });

  it('shows each score of a feasible cluster and whether it was selected', () => {
    const a = explainCluster(r.explanation, 'good-a');
    expect(a).toMatchObject({ feasible: true, selected: true, replicas: 3 });
    if (!a.feasible) return;
    expect(Object.keys(a.scores)).toEqual(['Cost', 'Capacity']);
    expect(a.scores.Capacity).toBe(50); // half of the CPU is free
    expect(a.total).toBe((a.scores.Cost! + a.scores.Capacity!) / 2);
    expect(a.costPerMonth).toBeGreaterThan(0);
  });

  it('renders as text with the policy, scores, placement and every rejection', () => {
    const text = formatExplanation(r.explanation);
    expect(text).toContain('Deployment shop/web (3 replicas)');
    expect(text).toContain('policy: shop (only matching policy)');
    expect(text).toContain('scores: Cost×1, Capacity×1');
    expect(text).toContain('spread by zone: min 1');
    expect(text).toContain('rejected (6):');
    expect(text).toContain('  ResourceFit: room for 2 of 3 replicas — full');
    expect(text).toMatch(/estimated cost: \$[\d.]+\/month/);
  });

  it('an unschedulable template says how many clusters each plugin rejected', () => {
    const u = unschedulable(
      schedule({
        template: t,
        policies: [
          policy('shop', { clusterAffinity: { providers: ['aws'] }, residency: { jurisdictions: ['EU'] } }),
        ],
        fleet: fleet.filter((c) => !c.name.startsWith('good') && c.name !== 'no-zone'),
        now: NOW,
      }),
    );
    expect(u.reason).toBe('ResidencyUnsatisfiable');
    expect(u.message).toBe(
      '0/5 clusters fit: 1 rejected by ClusterAffinity, 1 rejected by Residency, 1 rejected by ClusterReady, 1 rejected by TaintToleration, 1 rejected by ResourceFit',
    );
    expect(formatExplanation(u.explanation)).toContain(`note: ${u.message}`);
  });

  it('a spread shortfall counts the groups of the candidates apart from those of the feasible clusters', () => {
    // Only the AWS clusters report capacity: AvailableCapacity leaves the GCP one out, so the
    // candidates span one provider although the feasible clusters span two.
    const u = unschedulable(
      schedule({
        template: template({ replicas: 2 }),
        policies: [
          policy('shop', {
            spreadConstraints: [{ spreadByField: 'provider', minGroups: 2 }],
            replicaScheduling: { type: 'Divided', division: 'AvailableCapacity' },
          }),
        ],
        fleet: [
          cluster('aws-a', {
            region: 'eu-central-1',
            available: capacity(8000),
            allocatable: capacity(8000),
          }),
          cluster('aws-b', { region: 'eu-west-1', available: capacity(8000), allocatable: capacity(8000) }),
          cluster('gcp-a', { provider: 'gcp', region: 'europe-west1' }),
        ],
        now: NOW,
      }),
    );
    expect(u.reason).toBe('SpreadConstraintUnsatisfiable');
    expect(u.message).toBe(
      'spreadByField provider needs minGroups 2: 1 group(s) among the 2 cluster(s) with capacity data (2 among the 3 feasible cluster(s))',
    );
    const text = formatExplanation(u.explanation);
    expect(text).toContain('division: AvailableCapacity (1 cluster(s) without capacity data left out)');
    expect(text).toContain('spread by provider: min 2, 2 feasible, selected []');
    expect(text).toContain(`note: ${u.message}`);
  });
});
