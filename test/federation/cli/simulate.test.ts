import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINDING_TYPE, MEMBER_CLUSTER_TYPE } from '../../../federation/resources/kinds.js';
import { defaultCostModel } from '../../../placement/index.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';
import { type CliHarness, cliHarness, runCli } from './harness.js';

const cluster = (name: string, provider: string, region: string, vcpuHour: number, gibHour: number) => `
apiVersion: fedgate.dev/v1alpha1
kind: MemberCluster
metadata: {name: ${name}}
spec:
  provider: ${provider}
  region: ${region}
  connection: {server: "https://127.0.0.1:6443"}
  cost: {vcpuHour: ${vcpuHour}, gibHour: ${gibHour}}
`;

const deployment = (name: string, replicas: number, annotations = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop, labels: {app: ${name}}${annotations}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          resources: {requests: {cpu: 500m, memory: 1Gi}}
`;

const policy = (name: string, body: string) => `
apiVersion: fedgate.dev/v1alpha1
kind: PlacementPolicy
metadata: {name: ${name}}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, labelSelector: {matchLabels: {app: ${name}}}}]
${body}`;

const ONLY_FRA = '  clusterAffinity: {clusterNames: [aws-fra]}\n';

const STATE = [
  cluster('aws-fra', 'aws', 'eu-central-1', 0.1, 0.01),
  cluster('gcp-bel', 'gcp', 'europe-west1', 0.02, 0.002),
  cluster('aws-use', 'aws', 'us-east-1', 0.05, 0.005),
  policy('web', ONLY_FRA),
  policy('db', ONLY_FRA),
  deployment('web', 4),
  deployment('db', 2, ', annotations: {fedgate.dev/data-bearing: "true"}'),
].join('---');

/** USD per month of `replicas` pods of 500m / 1Gi at the given prices, as the cost model computes it. */
function monthly(vcpuHour: number, gibHour: number, replicas: number): number {
  const unit = defaultCostModel.replicaMonthlyCost(
    { provider: 'aws', region: 'eu-central-1' },
    { cpuCores: 0.5, memoryGiB: 1 },
    { compute: { vcpuHour, gibHour } },
  );
  return Math.round(unit * replicas * 100) / 100;
}

describe('fedgate simulate against a real API server', () => {
  let h: CliHarness;
  let dir: string;
  const fedgate = (args: string[], input?: string) =>
    runCli(args, { env: h.env, ...(input === undefined ? {} : { input }) });
  /** Everything stored, to show a simulation writes nothing. */
  const snapshot = async () => ({
    rv: await h.store.currentResourceVersion(),
    bindings: (await h.store.list(BINDING_TYPE)).items,
    clusters: (await h.store.list(MEMBER_CLUSTER_TYPE)).items,
  });

  beforeAll(async () => {
    h = await cliHarness();
    dir = await mkdtemp(join(tmpdir(), 'fedgate-simulate-'));
    const file = join(dir, 'state.yaml');
    await writeFile(file, STATE);
    const applied = await fedgate(['apply', '-f', file]);
    expect(applied.code, applied.stderr).toBe(0);
    // Play the health reconciler and the scheduler: clusters Ready with capacity, both apps in aws-fra.
    for (const name of ['aws-fra', 'gcp-bel', 'aws-use']) {
      const capacity = { cpuMilli: 64_000, memoryBytes: 256 * 2 ** 30, pods: 110 };
      await h.store.updateStatus(
        { type: MEMBER_CLUSTER_TYPE, namespace: '', name },
        {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'Probed',
              message: 'ok',
              lastTransitionTime: new Date().toISOString(),
            },
          ],
          allocatable: capacity,
          available: capacity,
        },
      );
    }
    for (const [name, replicas] of [
      ['web', 4],
      ['db', 2],
    ] as const) {
      await h.store.create(
        { type: BINDING_TYPE, namespace: 'shop', name: `${name}-deployment` },
        {
          apiVersion: 'fedgate.dev/v1alpha1',
          kind: 'Binding',
          metadata: { name: `${name}-deployment`, namespace: 'shop' },
          spec: {
            resource: {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              namespace: 'shop',
              name,
              generation: 1,
              type: 'Deployment.v1.apps',
            },
            policy: name,
            clusters: [{ name: 'aws-fra', replicas }],
          },
        },
      );
    }
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows a policy change moving replicas to a cheaper cluster, with the cost drop, and writes nothing', async () => {
    const file = join(dir, 'cheaper.yaml');
    await writeFile(
      file,
      policy(
        'web',
        '  clusterAffinity: {regions: [eu-central-1, europe-west1]}\n  replicaScheduling: {type: Divided, division: CostOptimized}\n',
      ),
    );
    const before = await snapshot();
    const res = await fedgate(['simulate', '-f', file]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    const lines = res.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^Simulated 2 templates at resourceVersion \d+: 1 would change\. Nothing was applied\.$/,
    );
    expect(lines[2]!.split(/\s{2,}/)).toEqual([
      'TEMPLATE',
      'BEFORE',
      'AFTER',
      'MOVED',
      'COST BEFORE',
      'COST AFTER',
      'NOTE',
    ]);
    const costBefore = monthly(0.1, 0.01, 4);
    const costAfter = monthly(0.02, 0.002, 4);
    expect(res.stdout).toMatch(
      new RegExp(
        `shop/deployment/web +aws-fra\\(4\\) +gcp-bel\\(4\\) +4 +\\$${costBefore.toFixed(2)} +\\$${costAfter.toFixed(2)}`,
      ),
    );
    expect(res.stdout).toContain('(1 unchanged template not shown; --all lists them)');
    expect(res.stdout).toContain('  replicas moved:  4\n');
    const dbCost = monthly(0.1, 0.01, 2);
    const delta = costAfter - costBefore;
    expect(res.stdout).toContain(
      `  cost per month:  $${(costBefore + dbCost).toFixed(2)} → $${(costAfter + dbCost).toFixed(2)} (-$${Math.abs(delta).toFixed(2)}, ${((delta / (costBefore + dbCost)) * 100).toFixed(1)}%)`,
    );
    expect(res.stdout).toContain('Violated constraints: none');
    expect(res.stdout).toContain('Unschedulable after the change: none');
    expect(await snapshot()).toEqual(before);

    const all = await fedgate(['simulate', '-f', file, '--all']);
    expect(all.stdout).toMatch(/shop\/deployment\/db +aws-fra\(2\) +aws-fra\(2\) +0 /);

    const json = await fedgate(['simulate', '-f', file, '-o', 'json']);
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout);
    const web = r.templates.find((t: { template: { name: string } }) => t.template.name === 'web');
    expect(web.diff).toMatchObject({
      movedReplicas: 4,
      costPerMonth: { before: costBefore, after: costAfter },
    });
    expect(r.totals.movedReplicas).toBe(4);
    const yaml = await fedgate(['simulate', '-f', file, '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^resourceVersion: /);
    expect(await snapshot()).toEqual(before);
  }, 90_000); // the first simulation starts the worker thread: slow on a loaded machine

  it('reports a residency policy that leaves a template unschedulable, with the violated constraint', async () => {
    const before = await snapshot();
    const res = await fedgate(
      ['simulate', '-f', '-'],
      policy(
        'db',
        '  clusterAffinity: {clusterNames: [aws-fra, gcp-bel]}\n  residency: {jurisdictions: [US]}\n',
      ),
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(
      /shop\/deployment\/db +aws-fra\(2\) +aws-fra\(2\) \(kept\) +0 +(\$\d+\.\d\d) +\1 +becomes unschedulable; violates Residency/,
    );
    expect(res.stdout).toContain(
      'Violated constraints (clusters the proposal no longer allows):\n  shop/deployment/db: aws-fra violates Residency: jurisdiction EU not allowed',
    );
    expect(res.stdout).toMatch(
      /Unschedulable after the change:\n {2}shop\/deployment\/db: ResidencyUnsatisfiable: 0\/3 clusters fit: /,
    );
    // Unschedulable keeps the current placement: nothing is removed.
    expect(res.stdout).toContain('replicas moved:  0\n');
    expect(res.stdout).toMatch(
      /shop\/deployment\/db: ResidencyUnsatisfiable: .*\(keeps running on aws-fra\(2\)\)\n/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('simulates another fleet: a cluster removed, a cluster added with its capacity', async () => {
    const fleet = join(dir, 'fleet.yaml');
    await writeFile(
      fleet,
      [
        cluster('gcp-bel', 'gcp', 'europe-west1', 0.02, 0.002),
        cluster('aws-use', 'aws', 'us-east-1', 0.05, 0.005),
        `${cluster('az-ams', 'azure', 'westeurope', 0.01, 0.001)}status:\n  conditions: [{type: Ready, status: "True"}]\n  available: {cpuMilli: 1000, memoryBytes: 8589934592, pods: 110}\n`,
      ].join('---'),
    );
    const open = join(dir, 'open.yaml');
    await writeFile(
      open,
      policy(
        'web',
        '  clusterAffinity: {regions: [europe-west1, westeurope]}\n  replicaScheduling: {type: Divided, division: CostOptimized}\n',
      ),
    );
    const before = await snapshot();
    const res = await fedgate(['simulate', '-f', open, '--fleet', fleet, '-o', 'json']);
    expect(res.code, res.stderr).toBe(0);
    const r = JSON.parse(res.stdout);
    const web = r.templates.find((t: { template: { name: string } }) => t.template.name === 'web');
    // az-ams is cheapest but only fits 2 pods of 500m; the rest go to gcp-bel.
    expect(web.after.clusters).toEqual([
      { name: 'az-ams', replicas: 2 },
      { name: 'gcp-bel', replicas: 2 },
    ]);
    expect(web.violations).toEqual([
      { cluster: 'aws-fra', plugin: 'Fleet', reason: 'cluster is not in the simulated fleet' },
    ]);
    const db = r.templates.find((t: { template: { name: string } }) => t.template.name === 'db');
    expect(db.becomesUnschedulable).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses invalid input with the file, line and field path (exit 2), writing nothing', async () => {
    const before = await snapshot();
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      `${policy('ok', '')}---${policy('web', '  replicaScheduling: {type: Divided, division: Cheapest}\n')}`,
    );
    const res = await fedgate(['simulate', '-f', bad]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('error: nothing simulated: 1 problem in the input');
    expect(res.stderr).toMatch(
      new RegExp(
        `  ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+ \\(PlacementPolicy web\\): spec\\.replicaScheduling\\.division: `,
      ),
    );
    const wrongKind = await fedgate(['simulate', '-f', '-'], deployment('web', 1));
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toContain('<stdin>:2 (Deployment web): kind: must be a PlacementPolicy');
    const fleet = join(dir, 'bad-fleet.yaml');
    await writeFile(
      fleet,
      `${cluster('x', 'aws', 'eu-west-1', 1, 1)}status: {available: {cpuMilli: -1, memoryBytes: 1, pods: 1}}\n`,
    );
    const badFleet = await fedgate(['simulate', '--fleet', fleet]);
    expect(badFleet.code).toBe(2);
    expect(badFleet.stderr).toMatch(/bad-fleet\.yaml:2 \(MemberCluster x\): status\.available\.cpuMilli: /);
    const nothing = await fedgate(['simulate']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('give what to simulate');
    const unknown = await fedgate(['simulate', '--remove-policy', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('removePolicies[0]: no PlacementPolicy nope');
    expect(await snapshot()).toEqual(before);
  });

  it('is an API endpoint with a documented schema', async () => {
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/simulate',
      payload: { policies: [], removePolicies: ['db'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.totals).toMatchObject({ becomeUnschedulable: 1, changed: 1 });
    const bad = await h.call({
      method: 'POST',
      url: '/api/v1/simulate',
      payload: { policies: [], extra: 1 },
    });
    expect(bad.statusCode).toBe(400);
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/api/v1/simulate'].post.requestBody).toBeDefined();
    expect(doc.components.schemas.SimulateResult).toBeDefined();
  });
});

describe('simulate predicts what the worker then does', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane([
      { name: 'aws-fra', provider: 'aws', region: 'eu-central-1', cost: { vcpuHour: 0.1, gibHour: 0.01 } },
      { name: 'gcp-bel', provider: 'gcp', region: 'europe-west1', cost: { vcpuHour: 0.02, gibHour: 0.002 } },
    ]);
  });
  afterAll(() => cp.close());

  type Binding = { spec: { clusters: { name: string; replicas?: number }[] } };
  const bindingOf = async (name: string) =>
    (await cp.request('GET', `/api/v1/namespaces/shop/objects/Binding.v1alpha1.fedgate.dev/${name}`))
      .body as Binding;
  const simulateWith = async (policies: string) => {
    const docs =
      policies === '' ? [] : (await import('yaml')).parseAllDocuments(policies).map((d) => d.toJS());
    const r = await cp.request('POST', '/api/v1/simulate', { policies: docs });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as {
      templates: {
        template: { name: string };
        after: { clusters: unknown[] };
        pendingWithoutProposal: boolean;
      }[];
      totals: { changed: number; movedReplicas: number };
    };
  };

  it('matches the Bindings with no proposal, and the worker decision after the proposal is applied', async () => {
    const web = deployment('web', 4).replace(
      'resources: {requests: {cpu: 500m, memory: 1Gi}}',
      'resources: {requests: {cpu: 500m, memory: 1Gi}}\n          envFrom: [{configMapRef: {name: web-config}}]',
    );
    const cm =
      '\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: shop}\ndata: {a: b}\n';
    expect((await cp.apply([policy('web', ONLY_FRA), web, cm].join('---'))).status).toBe(200);
    await waitFor('web and its ConfigMap in aws-fra', async () => {
      const [w, c] = await Promise.all([bindingOf('web-deployment'), bindingOf('web-config-configmap')]);
      return (
        JSON.stringify(w?.spec?.clusters) === JSON.stringify([{ name: 'aws-fra', replicas: 4 }]) &&
        JSON.stringify(c?.spec?.clusters) === JSON.stringify([{ name: 'aws-fra' }])
      );
    });

    const now = await simulateWith('');
    expect(now.totals).toMatchObject({ changed: 0, movedReplicas: 0 });
    expect(now.templates.every((t) => !t.pendingWithoutProposal)).toBe(true);

    const cheaper = policy('web', '  replicaScheduling: {type: Divided, division: CostOptimized}\n');
    const predicted = await simulateWith(cheaper);
    expect(predicted.totals.movedReplicas).toBe(4);
    const after = new Map(predicted.templates.map((t) => [t.template.name, t.after.clusters]));
    expect(after.get('web')).toEqual([{ name: 'gcp-bel', replicas: 4 }]);

    expect((await cp.apply(cheaper)).status).toBe(200);
    await waitFor('the worker places web as simulated', async () => {
      const [w, c] = await Promise.all([bindingOf('web-deployment'), bindingOf('web-config-configmap')]);
      return (
        JSON.stringify(w?.spec?.clusters) === JSON.stringify(after.get('web')) &&
        JSON.stringify(c?.spec?.clusters) === JSON.stringify(after.get('web-config'))
      );
    });
  });
});
