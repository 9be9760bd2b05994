/**
 * Spread selection is complete: when the greedy coverage pass gets stuck (one constraint's
 * maxGroups blocks another's minGroups), a search finds a valid selection if there is one, and a
 * failure says whether the constraints were proven to conflict or the search ran out of budget.
 */
import { describe, expect, it } from 'vitest';
import {
  buildFleetSnapshot,
  type ClusterSnapshot,
  defaultCostModel,
  type PlacementPolicySpecInput,
  type SpreadConstraint,
  schedule,
} from '../../../placement/index.js';
import { selectClusters } from '../../../placement/spread/select.js';
import { cluster, NOW, policy, template } from '../helpers.js';
import { names, scheduled, split, unschedulable } from './support.js';

// Users in Frankfurt: aws-fra is the best cluster, and its provider has no second region here.
const fleet: ClusterSnapshot[] = [
  cluster('aws-fra', { provider: 'aws', region: 'eu-central-1' }),
  cluster('gcp-bel', { provider: 'gcp', region: 'europe-west1' }),
  cluster('gcp-nld', { provider: 'gcp', region: 'europe-west4' }),
];
const nearFrankfurt = {
  objectives: { cost: 0, latency: 10, userLocations: [{ location: 'frankfurt' }] },
} satisfies Partial<PlacementPolicySpecInput>;
const oneProviderTwoRegions: SpreadConstraint[] = [
  { spreadByField: 'provider', minGroups: 1, maxGroups: 1 },
  { spreadByField: 'region', minGroups: 2 },
];

function run(input: Partial<PlacementPolicySpecInput>, replicas = 2, clusters = fleet) {
  return schedule({
    template: template({ replicas }),
    policies: [policy('p', { ...nearFrankfurt, ...input })],
    fleet: clusters,
    now: NOW,
  });
}

describe('spread selection beyond the greedy pass', () => {
  it('the preferred cluster is aws-fra (the greedy pass starts there)', () => {
    const r = scheduled(run({}));
    const total = (name: string) =>
      r.explanation.feasible.total[r.explanation.feasible.clusters.indexOf(name)]!;
    expect(total('aws-fra')).toBeGreaterThan(total('gcp-bel'));
    expect(total('aws-fra')).toBeGreaterThan(total('gcp-nld'));
  });

  it('provider maxGroups 1 with region minGroups 2: the provider with two regions is chosen', () => {
    // Greedy takes aws-fra first, which uses up the one provider and has no second region.
    const r = scheduled(run({ spreadConstraints: oneProviderTwoRegions }));
    expect(names(r)).toEqual(['gcp-bel', 'gcp-nld']);
    expect(r.explanation.spread.map((s) => s.selectedGroups)).toEqual([
      ['gcp'],
      ['gcp:europe-west1', 'gcp:europe-west4'],
    ]);
  });

  it('the same for a Divided template: each seed gets a replica', () => {
    const r = scheduled(
      run({ spreadConstraints: oneProviderTwoRegions, replicaScheduling: { type: 'Divided' } }, 3),
    );
    expect(split(r)).toEqual({ 'gcp-bel': 2, 'gcp-nld': 1 });
  });

  it('zone minGroups 2 under region maxGroups 1: the region with two zones is chosen', () => {
    const zoned: ClusterSnapshot[] = [
      cluster('aws-fra-a', { provider: 'aws', region: 'eu-central-1', zone: 'eu-central-1a' }),
      cluster('gcp-bel-b', { provider: 'gcp', region: 'europe-west1', zone: 'europe-west1-b' }),
      cluster('gcp-bel-c', { provider: 'gcp', region: 'europe-west1', zone: 'europe-west1-c' }),
    ];
    const r = scheduled(
      run(
        {
          spreadConstraints: [
            { spreadByField: 'region', minGroups: 1, maxGroups: 1 },
            { spreadByField: 'zone', minGroups: 2 },
          ],
        },
        2,
        zoned,
      ),
    );
    expect(names(r)).toEqual(['gcp-bel-b', 'gcp-bel-c']);
  });

  it('constraints that cannot hold together are reported as a proven conflict, naming every bound', () => {
    const r = unschedulable(
      run(
        { spreadConstraints: oneProviderTwoRegions },
        2,
        fleet.filter((c) => c.name !== 'gcp-nld'),
      ),
    );
    expect(r.reason).toBe('SpreadConstraintUnsatisfiable');
    expect(r.message).toBe(
      'spread constraints conflict: no choice of the 2 feasible cluster(s) spans exactly 1 provider group(s) and at least 2 region group(s)',
    );
  });

  it('a Divided template with fewer replicas than the seeds needed says so', () => {
    const r = unschedulable(
      run({ spreadConstraints: oneProviderTwoRegions, replicaScheduling: { type: 'Divided' } }, 1),
    );
    expect(r.message).toBe("1 replicas cannot cover every spread constraint's minGroups");
  });
});

describe('selectClusters search budget', () => {
  const snapshot = buildFleetSnapshot(fleet, { model: defaultCostModel });
  const byName = (n: string) => snapshot.byName.get(n)!;
  const candidates = ['aws-fra', 'gcp-bel', 'gcp-nld'].map(byName);

  it('finds the selection within the default budget', () => {
    const sel = selectClusters({ constraints: oneProviderTwoRegions, candidates });
    expect(sel).toMatchObject({ ok: true });
    if (sel.ok) expect(sel.selected.map((c) => c.name)).toEqual(['gcp-bel', 'gcp-nld']);
  });

  it('cut off by its budget, it says the search was exhausted instead of claiming a conflict', () => {
    const sel = selectClusters({ constraints: oneProviderTwoRegions, candidates, searchBudget: 2 });
    expect(sel).toEqual({
      ok: false,
      message:
        'spread selection search exhausted its budget (2 class visits) without finding a choice of the 3 candidate cluster(s) spans exactly 1 provider group(s) and at least 2 region group(s); one may exist',
    });
  });

  // 900 clusters: 300 on-prem regions with three zones each, and maybe one region with a fourth.
  const datacenters = (fourth: boolean) => {
    const clusters: ClusterSnapshot[] = [];
    for (let r = 0; r < 300; r++)
      for (const z of ['a', 'b', 'c'])
        clusters.push(cluster(`dc${r}-${z}`, { provider: 'onprem', region: `dc${r}`, zone: `dc${r}-${z}` }));
    if (fourth) clusters.push(cluster('dc299-d', { provider: 'onprem', region: 'dc299', zone: 'dc299-d' }));
    return buildFleetSnapshot(clusters, { model: defaultCostModel }).clusters;
  };
  const oneRegionFourZones: SpreadConstraint[] = [
    { spreadByField: 'region', minGroups: 1, maxGroups: 1 },
    { spreadByField: 'zone', minGroups: 4 },
  ];

  it('on a large fleet, proves a nested conflict (no region has four zones) rather than running out', () => {
    const sel = selectClusters({ constraints: oneRegionFourZones, candidates: datacenters(false) });
    expect(sel).toEqual({
      ok: false,
      message:
        'spread constraints conflict: no choice of the 900 candidate cluster(s) spans exactly 1 region group(s) and at least 4 zone group(s)',
    });
  });

  it('on a large fleet, goes to the one region that can hold the selection', () => {
    const sel = selectClusters({ constraints: oneRegionFourZones, candidates: datacenters(true) });
    expect(sel.ok).toBe(true);
    if (sel.ok) expect(sel.selected.map((c) => c.name)).toEqual(['dc299-a', 'dc299-b', 'dc299-c', 'dc299-d']);
  });
});
