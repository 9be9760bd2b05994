/**
 * Residency (never violated, fail closed), objectives (cost, latency to userLocations) and
 * stability (a running workload moves only for a gain of at least minScoreGain).
 */
import { describe, expect, it } from 'vitest';
import {
  type ClusterSnapshot,
  explainCluster,
  formatExplanation,
  JURISDICTION_LABEL,
  type PlacementPolicySpecInput,
  type PreviousPlacement,
  schedule,
  templateInfoFromManifest,
} from '../../../placement/index.js';
import { cluster, NOW, policy, template } from '../helpers.js';
import { names, scheduled, unschedulable } from './support.js';

const fleet: ClusterSnapshot[] = [
  cluster('aws-fra', { provider: 'aws', region: 'eu-central-1' }),
  cluster('aws-lon', { provider: 'aws', region: 'eu-west-2' }),
  cluster('aws-use', { provider: 'aws', region: 'us-east-1' }),
  cluster('gcp-bel', { provider: 'gcp', region: 'europe-west1' }),
  cluster('az-ams', { provider: 'azure', region: 'westeurope' }),
  cluster('onprem-fra', { provider: 'onprem', region: 'onprem-fra' }),
  cluster('onprem-zrh', { provider: 'onprem', region: 'onprem-zrh' }),
];
const data = template({ dataBearing: true });

function run(
  input: Partial<PlacementPolicySpecInput>,
  opts: {
    fleet?: ClusterSnapshot[];
    template?: ReturnType<typeof template>;
    previous?: PreviousPlacement;
  } = {},
) {
  return schedule({
    template: opts.template ?? data,
    policies: [policy('p', input)],
    fleet: opts.fleet ?? fleet,
    now: NOW,
    ...(opts.previous !== undefined ? { previous: opts.previous } : {}),
  });
}

describe('residency', () => {
  it('EU: a data-bearing workload lands only in EU jurisdictions (not the UK, not Switzerland)', () => {
    const r = scheduled(run({ residency: { jurisdictions: ['EU'] } }));
    expect(names(r)).toEqual(['aws-fra', 'az-ams', 'gcp-bel', 'onprem-fra']);
    expect(explainCluster(r.explanation, 'aws-lon')).toMatchObject({
      plugin: 'Residency',
      reason: 'jurisdiction UK not allowed',
    });
    expect(explainCluster(r.explanation, 'onprem-zrh')).toMatchObject({
      reason: 'jurisdiction CH not allowed',
    });
  });

  it('a country code or a region list narrows further', () => {
    expect(names(run({ residency: { jurisdictions: ['DE'] } }))).toEqual(['aws-fra', 'onprem-fra']);
    expect(names(run({ residency: { regions: ['europe-west1', 'onprem-zrh'] } }))).toEqual([
      'gcp-bel',
      'onprem-zrh',
    ]);
  });

  it('applies to everything the policy selects (a Deployment without a volume claim too), unless narrowed explicitly', () => {
    const stateless = template({ dataBearing: false });
    const all = scheduled(run({ residency: { jurisdictions: ['EU'] } }, { template: stateless }));
    expect(names(all)).toEqual(['aws-fra', 'az-ams', 'gcp-bel', 'onprem-fra']);
    expect(all.explanation.residency).toEqual({
      status: 'Applied',
      jurisdictions: ['EU'],
      reason: 'policy p: applies to every template it selects',
    });
    expect(formatExplanation(all.explanation)).toContain(
      'residency: EU only — policy p: applies to every template it selects',
    );
    expect(
      names(run({ residency: { jurisdictions: ['EU'], appliesTo: 'All' } }, { template: stateless })),
    ).toHaveLength(4);
    // Narrowed explicitly: a stateless Deployment is not bound, and explain says why.
    const narrowed = scheduled(
      run({ residency: { jurisdictions: ['EU'], appliesTo: 'DataBearing' } }, { template: stateless }),
    );
    expect(names(narrowed)).toHaveLength(7);
    expect(narrowed.explanation.residency?.status).toBe('NotApplicable');
    expect(formatExplanation(narrowed.explanation)).toMatch(
      /residency: EU not applied — policy p narrows residency to data-bearing templates \(appliesTo: DataBearing\), and this Deployment holds no data/,
    );
    const withData = scheduled(run({ residency: { jurisdictions: ['EU'], appliesTo: 'DataBearing' } }));
    expect(names(withData)).toHaveLength(4);
    expect(withData.explanation.residency?.reason).toBe('policy p: this Deployment holds data');
  });

  it('explain says when no residency rule applies', () => {
    const none = scheduled(run({}));
    expect(formatExplanation(none.explanation)).toContain('residency: none — policy p declares no residency');
    const unmatched = schedule({ template: data, policies: [], fleet, now: NOW });
    expect(unmatched.explanation.residency).toEqual({
      status: 'None',
      reason: 'no PlacementPolicy selects this template',
    });
  });

  it('fails closed: unknown regions need a jurisdiction label; a label contradicting the model is refused', () => {
    const odd = [
      cluster('onprem-lis', { provider: 'onprem', region: 'lisbon-dc1' }),
      cluster('onprem-mad', {
        provider: 'onprem',
        region: 'madrid-dc1',
        labels: { [JURISDICTION_LABEL]: 'EU' },
      }),
      cluster('aws-fra-lies', {
        provider: 'aws',
        region: 'eu-central-1',
        labels: { [JURISDICTION_LABEL]: 'US' },
      }),
    ];
    const r = scheduled(run({ residency: { jurisdictions: ['EU', 'US'] } }, { fleet: odd }));
    expect(names(r)).toEqual(['onprem-mad']);
    expect(explainCluster(r.explanation, 'onprem-lis')).toMatchObject({
      reason: 'jurisdiction unknown (fail closed)',
    });
    expect(explainCluster(r.explanation, 'aws-fra-lies')).toMatchObject({
      reason: 'jurisdiction label contradicts the region (fail closed)',
    });
  });

  it('no resident cluster: ResidencyUnsatisfiable, never a placement outside', () => {
    const r = unschedulable(run({ residency: { jurisdictions: ['JP'] } }));
    expect(r.reason).toBe('ResidencyUnsatisfiable');
    expect(r.message).toBe('0/7 clusters fit: 7 rejected by Residency');
    // Not even a fallback term or a toleration gets around it.
    const f = unschedulable(
      run({
        residency: { jurisdictions: ['CH'] },
        clusterAffinities: [{ providers: ['aws'] }, { providers: ['gcp', 'azure'] }],
        tolerations: [{ operator: 'Exists' }],
      }),
    );
    expect(f.reason).toBe('ResidencyUnsatisfiable');
  });

  it('what counts as data-bearing: PVC templates, PVC volumes, or the annotation', () => {
    const sts = templateInfoFromManifest({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'finance' },
      spec: {
        replicas: 3,
        template: { spec: { containers: [{ name: 'db', image: 'pg' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' } }],
      },
    });
    expect(sts).toMatchObject({ dataBearing: true, replicas: 3, namespace: 'finance' });
    const deploy = (annotations?: Record<string, string>, volumes?: unknown[]) =>
      templateInfoFromManifest({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'w', ...(annotations ? { annotations } : {}) },
        spec: {
          template: { spec: { containers: [{ name: 'c', image: 'x' }], ...(volumes ? { volumes } : {}) } },
        },
      }).dataBearing;
    expect(deploy()).toBe(false);
    expect(deploy(undefined, [{ name: 'd', persistentVolumeClaim: { claimName: 'd' } }])).toBe(true);
    expect(deploy({ 'fedgate.dev/data-bearing': 'true' })).toBe(true);
    expect(
      deploy({ 'fedgate.dev/data-bearing': 'false' }, [
        { name: 'd', persistentVolumeClaim: { claimName: 'd' } },
      ]),
    ).toBe(false);
  });
});

describe('objectives', () => {
  const us = [
    cluster('aws-sao', { provider: 'aws', region: 'sa-east-1' }),
    cluster('aws-use', { provider: 'aws', region: 'us-east-1' }),
    cluster('gcp-usc', { provider: 'gcp', region: 'us-central1' }),
  ];
  // One cluster only, so the best score is visible as the placement.
  const best = (objectives: PlacementPolicySpecInput['objectives']) =>
    run(
      { objectives, spreadConstraints: [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 1 }] },
      {
        fleet: us,
        template: template({ podRequests: { cpuMilli: 1000, memoryBytes: 2 ** 30 } }),
      },
    );

  it('cost: the cheapest region scores 100, the others in proportion', () => {
    const r = scheduled(best({ cost: 1 }));
    expect(names(r)).toEqual(['gcp-usc']);
    const usc = explainCluster(r.explanation, 'gcp-usc');
    const sao = explainCluster(r.explanation, 'aws-sao');
    expect(usc).toMatchObject({ feasible: true, selected: true, scores: { Cost: 100 } });
    // $26.17 vs $48.56 per replica-month.
    expect(sao).toMatchObject({ feasible: true, selected: false, scores: { Cost: 54 } });
    expect(r.explanation.scorePlugins).toEqual([
      { name: 'Cost', weight: 1 },
      { name: 'Capacity', weight: 1 },
    ]);
  });

  it('latency with userLocations: users in São Paulo pull the workload to sa-east-1 despite its price', () => {
    const r = scheduled(best({ cost: 1, latency: 5, userLocations: [{ location: 'sao-paulo' }] }));
    expect(names(r)).toEqual(['aws-sao']);
    const sao = explainCluster(r.explanation, 'aws-sao');
    const usc = explainCluster(r.explanation, 'gcp-usc');
    if (!sao.feasible || !usc.feasible) throw new Error('both feasible');
    expect(sao.scores.Latency).toBeGreaterThan(usc.scores.Latency!);
    // Latency weight 0 switches it off again.
    expect(names(best({ cost: 1, latency: 0, userLocations: [{ location: 'sao-paulo' }] }))).toEqual([
      'gcp-usc',
    ]);
    // Users weighted towards New York win over a smaller São Paulo population.
    const mixed = best({
      cost: 0,
      latency: 1,
      userLocations: [
        { location: 'new-york', weight: 3 },
        { location: 'sao-paulo', weight: 1 },
      ],
    });
    expect(names(mixed)).toEqual(['aws-use']);
  });

  it('an unknown user location is an invalid policy, not a crash', () => {
    const r = unschedulable(best({ latency: 1, userLocations: [{ location: 'atlantis' }] }));
    expect(r.reason).toBe('InvalidPolicy');
    expect(r.message).toContain('policy p cannot be evaluated');
  });
});

describe('stability', () => {
  const one = [cluster('aws-use', { provider: 'aws', region: 'us-east-1' })];
  const input = (minScoreGain?: number): Partial<PlacementPolicySpecInput> => ({
    spreadConstraints: [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 1 }],
    ...(minScoreGain !== undefined ? { stability: { minScoreGain } } : {}),
  });
  const previous: PreviousPlacement = { policy: 'p', clusters: [{ name: 'aws-use', replicas: 3 }] };
  const stateless = template();

  it('a slightly cheaper cluster joining does not move a running workload (gain < minScoreGain)', () => {
    const joined = [...one, cluster('gcp-usc', { provider: 'gcp', region: 'us-central1' })];
    const r = scheduled(run(input(), { fleet: joined, template: stateless, previous }));
    expect(r.clusters).toEqual(previous.clusters);
    expect(r.evictions).toEqual([]);
    expect(r.explanation.stability).toMatchObject({ decision: 'Kept', minScoreGain: 10 });
    expect(r.explanation.stability?.reason).toMatch(/^gain [\d.]+ < minScoreGain 10: not moving$/);
    // A lower threshold lets the same gain move it, and the eviction says why.
    const eager = scheduled(run(input(5), { fleet: joined, template: stateless, previous }));
    expect(eager.clusters).toEqual([{ name: 'gcp-usc', replicas: 3 }]);
    expect(eager.explanation.stability?.decision).toBe('Moved');
    expect(eager.evictions[0]?.reason).toMatch(/^moved: gain [\d.]+ >= minScoreGain 5$/);
  });

  it('a much cheaper cluster (on-prem) passes the default threshold', () => {
    const joined = [...one, cluster('onprem-nyc', { provider: 'onprem', region: 'onprem-nyc' })];
    const r = scheduled(run(input(), { fleet: joined, template: stateless, previous }));
    expect(r.clusters).toEqual([{ name: 'onprem-nyc', replicas: 3 }]);
    const s = r.explanation.stability!;
    expect(s.candidateScore! - s.previousScore!).toBeGreaterThanOrEqual(10);
  });

  it('a previous placement under another policy is ignored: scheduled afresh', () => {
    const r = scheduled(
      run(input(), { fleet: one, template: stateless, previous: { ...previous, policy: 'old' } }),
    );
    expect(r.explanation.stability).toMatchObject({ decision: 'Fresh' });
  });
});
