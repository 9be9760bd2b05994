import { describe, expect, it } from 'vitest';
import {
  type ClusterSnapshot,
  type CurrentPlacement,
  defaultCostModel,
  type KubeObject,
  simulate,
  type WhatIfState,
} from '../../placement/index.js';
import { capacity, cluster, NOW, policy } from './helpers.js';

/** A Deployment manifest with requests of 500m / 1Gi per pod. */
function deployment(
  name: string,
  replicas: number,
  extra: { dataBearing?: boolean; configMap?: string } = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: 'shop',
      labels: { app: name },
      ...(extra.dataBearing ? { annotations: { 'fedgate.dev/data-bearing': 'true' } } : {}),
    },
    spec: {
      replicas,
      template: {
        spec: {
          containers: [
            {
              name: 'app',
              image: 'nginx:1.27',
              resources: { requests: { cpu: '500m', memory: '1Gi' } },
              ...(extra.configMap ? { envFrom: [{ configMapRef: { name: extra.configMap } }] } : {}),
            },
          ],
        },
      },
    },
  } satisfies KubeObject;
}

const configMap = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'shop' },
});

const price = (vcpuHour: number, gibHour: number) => ({ costOverrides: { compute: { vcpuHour, gibHour } } });
const fleet: ClusterSnapshot[] = [
  cluster('aws-fra', {
    provider: 'aws',
    region: 'eu-central-1',
    available: capacity(64_000),
    ...price(0.1, 0.01),
  }),
  cluster('gcp-bel', {
    provider: 'gcp',
    region: 'europe-west1',
    available: capacity(64_000),
    ...price(0.02, 0.002),
  }),
  cluster('aws-use', {
    provider: 'aws',
    region: 'us-east-1',
    available: capacity(64_000),
    ...price(0.05, 0.005),
  }),
];

function monthly(c: ClusterSnapshot, replicas: number): number {
  const unit = defaultCostModel.replicaMonthlyCost(
    { provider: c.provider, region: c.region },
    { cpuCores: 0.5, memoryGiB: 1 },
    c.costOverrides,
  );
  return Math.round(unit * replicas * 100) / 100;
}

const at = (name: string, replicas?: number) => (replicas === undefined ? { name } : { name, replicas });
const placed = (
  name: string,
  policyName: string,
  clusters: CurrentPlacement['clusters'],
  kind = 'Deployment',
) => ({
  apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
  kind,
  namespace: 'shop',
  name,
  policy: policyName,
  clusters,
});

const onlyFra = { clusterAffinity: { clusterNames: ['aws-fra'] } };
const selects = (app: string) => ({
  resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { app } } }],
});

/** web (4 replicas) and db (2, data-bearing) both run in aws-fra; web reads the ConfigMap web-config. */
function state(): WhatIfState {
  return {
    fleet,
    policies: [
      policy('web', { ...selects('web'), ...onlyFra }),
      policy('db', { ...selects('db'), ...onlyFra }),
    ],
    templates: [
      deployment('web', 4, { configMap: 'web-config' }),
      deployment('db', 2, { dataBearing: true }),
      configMap('web-config'),
    ],
    placements: [
      placed('web', 'web', [at('aws-fra', 4)]),
      placed('db', 'db', [at('aws-fra', 2)]),
      placed('web-config', '', [at('aws-fra')], 'ConfigMap'),
    ],
    version: '42',
  };
}

const cheapest = policy('web', {
  ...selects('web'),
  clusterAffinity: { regions: ['eu-central-1', 'europe-west1'] },
  replicaScheduling: { type: 'Divided', division: 'CostOptimized' },
});

describe('simulate: what-if of a policy change', () => {
  it('shows replicas moving to a cheaper cluster, the cost drop, and the ConfigMap following its workload', () => {
    const r = simulate(state(), { policies: [cheapest] }, { now: NOW });
    const web = r.templates.find((t) => t.template.name === 'web')!;
    expect(web.before).toMatchObject({
      source: 'binding',
      status: 'Scheduled',
      clusters: [at('aws-fra', 4)],
    });
    expect(web.after).toMatchObject({ status: 'Scheduled', policy: 'web', clusters: [at('gcp-bel', 4)] });
    expect(web.changed).toBe(true);
    expect(web.diff.movedReplicas).toBe(4);
    expect(web.diff.clusters).toEqual([
      { name: 'aws-fra', before: 4, after: 0, change: 'removed' },
      { name: 'gcp-bel', before: 0, after: 4, change: 'added' },
    ]);
    const before = monthly(fleet[0]!, 4);
    const after = monthly(fleet[1]!, 4);
    expect(web.before.costPerMonth).toBe(before);
    expect(web.after.costPerMonth).toBe(after);
    expect(after).toBeLessThan(before);
    // Moving for cost is not a violation: aws-fra is still allowed, just dearer.
    expect(web.violations).toEqual([]);

    const cm = r.templates.find((t) => t.template.name === 'web-config')!;
    expect(cm.before.clusters).toEqual([at('aws-fra')]);
    expect(cm.after).toMatchObject({ status: 'FollowsWorkload', clusters: [at('gcp-bel')] });

    const db = r.templates.find((t) => t.template.name === 'db')!;
    expect(db.changed).toBe(false);
    expect(db.notes).toEqual([]);

    expect(r.totals).toMatchObject({
      templates: 3,
      changed: 2,
      movedReplicas: 4,
      addedReplicas: 0,
      removedReplicas: 0,
      becomeUnschedulable: 0,
      violations: 0,
      unpricedTemplates: 1, // the ConfigMap has no requests
    });
    const dbCost = monthly(fleet[0]!, 2);
    expect(r.totals.costPerMonth.before).toBeCloseTo(before + dbCost, 2);
    expect(r.totals.costPerMonth.after).toBeCloseTo(after + dbCost, 2);
    expect(r.totals.costPerMonth.delta).toBeCloseTo(after - before, 2);
  });

  it('reports a residency policy that leaves a data-bearing template unschedulable (its placement kept), with the violated constraint', () => {
    const usOnly = policy('db', {
      ...selects('db'),
      clusterAffinity: { clusterNames: ['aws-fra', 'gcp-bel'] },
      residency: { jurisdictions: ['US'] },
    });
    const r = simulate(state(), { policies: [usOnly] }, { now: NOW });
    const db = r.templates.find((t) => t.template.name === 'db')!;
    expect(db.after.status).toBe('Unschedulable');
    expect(db.after.reason).toBe('ResidencyUnsatisfiable');
    expect(db.becomesUnschedulable).toBe(true);
    expect(db.violations).toEqual([
      { cluster: 'aws-fra', plugin: 'Residency', reason: 'jurisdiction EU not allowed' },
    ]);
    // Unschedulable keeps the current placement (as the placement controller does): nothing removed.
    expect(db.after.clusters).toEqual([at('aws-fra', 2)]);
    expect(db.after.kept).toBe(true);
    expect(db.diff).toMatchObject({ movedReplicas: 0, removedReplicas: 0 });
    expect(db.after.costPerMonth).toBe(db.before.costPerMonth);
    expect(db.notes.join('\n')).toContain('unschedulable: ');
    expect(db.notes.join('\n')).toContain('keeps its current placement until it can be scheduled');
    expect(r.totals).toMatchObject({ becomeUnschedulable: 1, violations: 1, changed: 0, removedReplicas: 0 });
    // The same residency with a US cluster allowed moves the replicas there instead.
    const usAllowed = policy('db', { ...selects('db'), residency: { jurisdictions: ['US'] } });
    const moved = simulate(state(), { policies: [usAllowed] }, { now: NOW }).templates.find(
      (t) => t.template.name === 'db',
    )!;
    expect(moved.after.clusters).toEqual([at('aws-use', 2)]);
    expect(moved.violations).toEqual([
      { cluster: 'aws-fra', plugin: 'Residency', reason: 'jurisdiction EU not allowed' },
    ]);
    expect(moved.becomesUnschedulable).toBe(false);
  });

  it('simulates another fleet: a removed cluster is a violation, and templates bound to it become unschedulable', () => {
    const r = simulate(state(), { fleet: fleet.filter((c) => c.name !== 'aws-fra') }, { now: NOW });
    const web = r.templates.find((t) => t.template.name === 'web')!;
    expect(web.after.status).toBe('Unschedulable'); // web's policy only allows aws-fra
    // Its only cluster left the fleet: nothing is left to keep.
    expect(web.after.kept).toBeUndefined();
    expect(web.diff.removedReplicas).toBe(4);
    expect(web.violations).toEqual([
      { cluster: 'aws-fra', plugin: 'Fleet', reason: 'cluster is not in the simulated fleet' },
    ]);
    expect(web.before.costPerMonth).toBe(monthly(fleet[0]!, 4)); // priced on the current fleet
    const cm = r.templates.find((t) => t.template.name === 'web-config')!;
    expect(cm.before.status).toBe('FollowsWorkload');
    expect(cm.after.status).toBe('NoMatchingPolicy');
    expect(cm.notes).toContain('no workload that references it is placed any more');
    expect(r.totals.becomeUnschedulable).toBe(3); // web, db and the ConfigMap that followed web
  });

  it('adds new policies and templates, and computes "before" for templates without a Binding', () => {
    const s = state();
    s.placements = s.placements.filter((p) => p.name !== 'db');
    const api = deployment('api', 3);
    const apiPolicy = policy('api', { ...selects('api'), clusterAffinity: { clusterNames: ['aws-use'] } });
    const r = simulate(s, { policies: [apiPolicy], templates: [api] }, { now: NOW });
    const db = r.templates.find((t) => t.template.name === 'db')!;
    expect(db.before).toMatchObject({
      source: 'computed',
      status: 'Scheduled',
      clusters: [at('aws-fra', 2)],
    });
    expect(db.changed).toBe(false);
    const created = r.templates.find((t) => t.template.name === 'api')!;
    expect(created.before).toMatchObject({ source: 'none', status: 'NotPlaced', clusters: [] });
    expect(created.after.clusters).toEqual([at('aws-use', 3)]);
    expect(created.diff).toMatchObject({ movedReplicas: 0, addedReplicas: 3 });
    expect(created.notes).toContain('new template');
    expect(r.totals.addedReplicas).toBe(3);
    // Removing the only policy of web: it is no longer placed.
    const removed = simulate(state(), { removePolicies: ['web'] }, { now: NOW });
    const web = removed.templates.find((t) => t.template.name === 'web')!;
    expect(web.after.status).toBe('NoMatchingPolicy');
    expect(web.becomesUnschedulable).toBe(true);
  });

  it('flags a Binding the current policies would already change, and is deterministic', () => {
    const s = state();
    s.placements = [placed('web', 'web', [at('gcp-bel', 4)]), ...s.placements.slice(1)];
    const r = simulate(s, {}, { now: NOW });
    const web = r.templates.find((t) => t.template.name === 'web')!;
    expect(web.pendingWithoutProposal).toBe(true);
    expect(web.notes).toContain('the current policies alone would already change this placement');
    // With no proposal and up-to-date bindings, nothing changes.
    const none = simulate(state(), {}, { now: NOW });
    expect(none.totals).toMatchObject({
      changed: 0,
      movedReplicas: 0,
      becomeUnschedulable: 0,
      violations: 0,
    });
    // Same answer whatever the input order.
    const a = simulate(state(), { policies: [cheapest] }, { now: NOW });
    const shuffled = state();
    shuffled.templates = [...shuffled.templates].reverse();
    shuffled.policies = [...shuffled.policies].reverse();
    shuffled.fleet = [...fleet].reverse();
    shuffled.placements = [...shuffled.placements].reverse();
    const b = simulate(shuffled, { policies: [cheapest] }, { now: NOW });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('reports a template it cannot read without failing the others', () => {
    const s = state();
    const bad = deployment('bad', 1);
    bad.spec.template.spec.containers[0]!.resources.requests.cpu = 'lots';
    s.templates = [...s.templates, bad];
    const r = simulate(s, {}, { now: NOW });
    const t = r.templates.find((x) => x.template.name === 'bad')!;
    expect(t.after).toMatchObject({ status: 'Unschedulable', reason: 'InvalidTemplate' });
    expect(r.templates).toHaveLength(4);
  });
});
