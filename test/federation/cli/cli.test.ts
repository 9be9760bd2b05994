import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCliConfig } from '../../../federation/cli/config.js';
import { BINDING_TYPE } from '../../../federation/resources/kinds.js';
import { TOKEN } from '../api/harness.js';
import { type CliHarness, cliHarness, runCli } from './harness.js';

const APP_YAML = `# a fedgate cluster, a policy, and plain Kubernetes manifests
apiVersion: fedgate.dev/v1alpha1
kind: MemberCluster
metadata:
  name: aws-eu-1
  labels: {env: prod}
spec:
  provider: aws
  region: eu-west-1
  connection: {server: "https://127.0.0.1:6443"}
---
apiVersion: fedgate.dev/v1alpha1
kind: PlacementPolicy
metadata: {name: web}
spec:
  priority: 5
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: "nginx:1.27"}]
---
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data: {greeting: hello}
`;

describe('fedgate CLI against a real API server', () => {
  let h: CliHarness;
  let dir: string;
  beforeAll(async () => {
    h = await cliHarness();
    dir = await mkdtemp(join(tmpdir(), 'fedgate-cli-'));
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });
  const fedgate = (
    args: string[],
    opts: { input?: string; env?: Record<string, string>; cwd?: string } = {},
  ) => runCli(args, { ...opts, env: { ...h.env, ...(opts.env ?? {}) } });

  it('applies a multi-document file: created, unchanged on re-apply, configured after a change; dry run writes nothing', async () => {
    const file = join(dir, 'app.yaml');
    await writeFile(file, APP_YAML.replace('REPLICAS', '2'));
    const first = await fedgate(['apply', '-f', file]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      [
        'membercluster.fedgate.dev/aws-eu-1 created',
        'placementpolicy.fedgate.dev/web created',
        'deployment.apps/web created',
        'configmap/web-config created',
        '',
      ].join('\n'),
    );
    const again = await fedgate(['apply', '-f', file]);
    expect(
      again.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[1]),
    ).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);

    await writeFile(file, APP_YAML.replace('REPLICAS', '3'));
    const rv = await h.store.currentResourceVersion();
    const dry = await fedgate(['apply', '-f', file, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('deployment.apps/web configured (dry run)');
    expect(dry.stdout).toContain('configmap/web-config unchanged (dry run)');
    expect(await h.store.currentResourceVersion()).toBe(rv);

    const changed = await fedgate(['apply', '-f', file]);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('deployment.apps/web configured');
    expect(changed.stdout).toContain('membercluster.fedgate.dev/aws-eu-1 unchanged');
    const dep = await h.store.mustGet({ type: 'Deployment.v1.apps', namespace: 'shop', name: 'web' });
    expect(dep.spec).toMatchObject({ replicas: 3 });
  });

  it('applies from stdin and from a directory, filling -n for objects without a namespace', async () => {
    const stdin = await fedgate(['apply', '-f', '-', '-n', 'team-a'], {
      input: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n',
    });
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(stdin.stdout).toBe('widget.example.com/w1 created\n');
    expect(
      await h.store.get({ type: 'Widget.v1.example.com', namespace: 'team-a', name: 'w1' }),
    ).toBeDefined();

    const d = join(dir, 'manifests');
    await mkdir(join(d, 'nested'), { recursive: true });
    await writeFile(join(d, 'b.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n');
    await writeFile(
      join(d, 'a.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }),
    );
    await writeFile(join(d, 'notes.txt'), 'not a manifest');
    await writeFile(join(d, 'nested', 'c.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    const flat = await fedgate(['apply', '-f', d]);
    expect(flat.stdout).toBe('configmap/a created\nconfigmap/b created\n');
    const deep = await fedgate(['apply', '-f', d, '-R']);
    expect(deep.stdout).toBe('configmap/a unchanged\nconfigmap/b unchanged\nconfigmap/c created\n');
  });

  it('refuses bad YAML (exit 2, file and line named) and invalid objects (exit 2, field paths), storing nothing', async () => {
    const rv = await h.store.currentResourceVersion();
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n    broken: [\n');
    const yamlErr = await fedgate(['apply', '-f', bad]);
    expect(yamlErr.code).toBe(2);
    expect(yamlErr.stderr).toMatch(
      new RegExp(`^error: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `),
    );
    expect(yamlErr.stdout).toBe('');

    const invalid = join(dir, 'invalid.yaml');
    await writeFile(
      invalid,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n---\napiVersion: fedgate.dev/v1alpha1\nkind: MemberCluster\nmetadata: {name: c2}\nspec:\n  provider: aws\n  region: EU WEST\n  connection: {server: "https://x:6443"}\n',
    );
    const inv = await fedgate(['apply', '-f', invalid]);
    expect(inv.code).toBe(2);
    expect(inv.stderr).toContain('error: nothing applied: 1 problem in 1 document');
    expect(inv.stderr).toContain(`  ${invalid}:5 (MemberCluster c2): spec.region: must be a region name`);
    expect(await h.store.currentResourceVersion()).toBe(rv);
    expect(await h.store.get({ type: 'ConfigMap.v1', namespace: 'default', name: 'fine' })).toBeUndefined();

    const binding = await fedgate(['apply', '-f', '-'], {
      input: 'apiVersion: fedgate.dev/v1alpha1\nkind: Binding\nmetadata: {name: b, namespace: x}\n',
    });
    expect(binding.code).toBe(2);
    expect(binding.stderr).toContain('control plane only');
    expect(await h.store.currentResourceVersion()).toBe(rv);
  });

  it('gets lists and objects as table, wide, json (a List) and yaml', async () => {
    const table = await fedgate(['get', 'mc']);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'PROVIDER', 'REGION', 'READY', 'AGE']);
    expect(row!.split(/\s+/).slice(0, 4)).toEqual(['aws-eu-1', 'aws', 'eu-west-1', 'Unknown']);
    const wide = await fedgate(['get', 'memberclusters', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]!.split(/\s+/)).toEqual([
      'NAME',
      'PROVIDER',
      'REGION',
      'READY',
      'AGE',
      'ZONE',
      'NODES',
      'CPU',
      'MEMORY',
      'INSTANCES',
      'INSTANCE-TYPES',
      'NETWORK',
      'CLOUD-INVENTORY',
    ]);

    const deploys = await fedgate(['get', 'deploy', '-n', 'shop']);
    expect(deploys.stdout.split('\n')[0]!.split(/\s+/)).toEqual(['NAME', 'NAMESPACE', 'REPLICAS', 'AGE']);
    expect(deploys.stdout).toMatch(/web\s+shop\s+3\s+/);

    const json = await fedgate(['get', 'configmaps.v1', '-A', '-o', 'json']);
    const list = JSON.parse(json.stdout);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual([
      'a',
      'b',
      'c',
      'web-config',
    ]);

    const one = await fedgate(['get', 'Deployment.v1.apps', 'web', '-n', 'shop', '-o', 'yaml']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\n/);
    const oneJson = JSON.parse(
      (await fedgate(['get', 'deployments.apps/web', '-n', 'shop', '-o', 'json'])).stdout,
    );
    expect(oneJson.metadata.name).toBe('web');

    const selected = await fedgate(['get', 'policy', '-l', 'nothing=here']);
    expect(selected.code).toBe(0);
    expect(selected.stderr).toContain('No placementpolicies found');

    const missing = await fedgate(['get', 'deploy', 'nope', '-n', 'shop']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*nope not found/);
  });

  it('describes a template with its placement, and explains the Binding', async () => {
    const before = await fedgate(['describe', 'deployment', 'web', '-n', 'shop']);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^Name: +web\nNamespace: +shop\nKind: +Deployment \(apps\/v1\)/);
    expect(before.stdout).toContain('Placement:        not scheduled yet');
    const noBinding = await fedgate(['explain', 'deploy/web', '-n', 'shop']);
    expect(noBinding.code).toBe(1);
    expect(noBinding.stderr).toContain('has no Binding web-deployment yet');

    const key = { type: BINDING_TYPE, namespace: 'shop', name: 'web-deployment' };
    await h.store.create(key, {
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'Binding',
      metadata: { name: 'web-deployment', namespace: 'shop' },
      spec: {
        resource: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'shop',
          name: 'web',
          generation: 2,
          type: 'Deployment.v1.apps',
        },
        policy: 'web',
        clusters: [{ name: 'aws-eu-1', replicas: 3 }],
      },
    });
    await h.store.updateStatus(key, {
      conditions: [
        {
          type: 'Scheduled',
          status: 'True',
          reason: 'Placed',
          message: '1 cluster',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
      explanation: {
        template: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', replicas: 3 },
        policy: {
          winner: 'web',
          reason: 'highest priority',
          candidates: [{ name: 'web', priority: 5, specificity: 'kind', rank: 1 }],
        },
        fleetVersion: '1',
        affinityTerms: [],
        filterPlugins: ['Residency'],
        scorePlugins: [
          { name: 'cost', weight: 1 },
          { name: 'latency', weight: 1 },
        ],
        feasible: { clusters: ['aws-eu-1'], total: [70], byPlugin: { cost: [80], latency: [60] } },
        placement: [{ name: 'aws-eu-1', replicas: 3, total: 70 }],
        spread: [],
        rejected: [
          { plugin: 'Residency', reason: 'region us-east1 is outside the EU', clusters: ['gcp-us-1'] },
        ],
        messages: ['placed 3 replicas'],
        futureField: { x: 1 },
      },
    });
    await h.store.setClusterStatus(key, 'aws-eu-1', {
      cluster: 'aws-eu-1',
      phase: 'Applied',
      appliedGeneration: 2,
      replicas: 3,
      readyReplicas: 2,
      lastUpdateTime: new Date().toISOString(),
    });

    const described = await fedgate(['describe', 'deploy', 'web', '-n', 'shop']);
    expect(described.stdout).toContain('  Binding:   web-deployment');
    expect(described.stdout).toMatch(/aws-eu-1 +3 +Applied 2\/3 ready/);

    const explained = await fedgate(['explain', 'deploy', 'web', '-n', 'shop']);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toContain('Policy:     web (highest priority)');
    expect(explained.stdout).toMatch(/aws-eu-1 +chosen +3 +70 +Applied 2\/3 ready +cost=80 latency=60/);
    expect(explained.stdout).toMatch(
      /gcp-us-1 +filtered +- +- +- +Residency: region us-east1 is outside the EU/,
    );
    expect(explained.stdout).toContain('  - placed 3 replicas');
    expect(explained.stdout).toContain('futureField');
    const raw = JSON.parse((await fedgate(['explain', 'deploy/web', '-n', 'shop', '-o', 'json'])).stdout);
    expect(raw.policy.winner).toBe('web');

    const bindings = await fedgate(['get', 'bindings', '-n', 'shop']);
    expect(bindings.stdout).toMatch(/shop +web-deployment +Deployment\/web +web +aws-eu-1\(3\) +1\/1 /);
  });

  it('waits for placement with --wait, printing progress', async () => {
    const file = join(dir, 'api.yaml');
    await writeFile(
      file,
      // A Deployment Kubernetes accepts: selector and pod template are required.
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec: {replicas: 2, selector: {matchLabels: {app: api}}, template: {metadata: {labels: {app: api}}, spec: {containers: [{name: api, image: api:1}]}}}\n',
    );
    const key = { type: BINDING_TYPE, namespace: 'shop', name: 'api-deployment' };
    // Play the scheduler and the propagation workers while the CLI waits.
    const worker = (async () => {
      while (!(await h.store.get({ type: 'Deployment.v1.apps', namespace: 'shop', name: 'api' }))) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 700));
      await h.store.create(key, {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'Binding',
        metadata: { name: 'api-deployment', namespace: 'shop' },
        spec: {
          resource: { kind: 'Deployment', name: 'api', generation: 1 },
          clusters: [
            { name: 'c1', replicas: 1 },
            { name: 'c2', replicas: 1 },
          ],
        },
      });
      await new Promise((r) => setTimeout(r, 700));
      await h.store.setClusterStatus(key, 'c1', { cluster: 'c1', phase: 'Applied', appliedGeneration: 1 });
      await new Promise((r) => setTimeout(r, 700));
      await h.store.setClusterStatus(key, 'c2', { cluster: 'c2', phase: 'Applied', appliedGeneration: 1 });
    })();
    const res = await fedgate(['apply', '-f', file, '--wait', '--timeout', '20s']);
    await worker;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('deployment.apps/api created (applied in 2/2 clusters)\n');
    const progress = res.stderr.trim().split('\n');
    expect(progress[0]).toBe('deployment.apps/api: waiting for the scheduler');
    expect(progress).toContain('deployment.apps/api: applied in 2/2 clusters');
    expect(progress.some((l) => /0\/2|1\/2/.test(l))).toBe(true);

    const timeout = await fedgate(['apply', '-f', join(dir, 'app.yaml'), '--wait', '--timeout', '1s']);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toContain('timed out after 1s');
  });

  it('deletes by name and from a file, reporting missing objects', async () => {
    const del = await fedgate(['delete', 'cm', 'a', 'b', '-n', 'default']);
    expect(del.code).toBe(0);
    expect(del.stdout).toBe('configmap "a" deleted\nconfigmap "b" deleted\n');
    const again = await fedgate(['delete', 'cm', 'a', 'c']);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('configmap "c" deleted\n');
    expect(again.stderr).toBe('error: configmap "a" not found in namespace default\n');
    expect((await fedgate(['delete', 'cm', 'a', '--ignore-not-found'])).code).toBe(0);

    const file = join(dir, 'app.yaml');
    const dry = await fedgate(['delete', '-f', file, '--dry-run']);
    expect(dry.stdout).toContain('deployment.apps "web" deleted (dry run)');
    expect(await h.store.get({ type: 'Deployment.v1.apps', namespace: 'shop', name: 'web' })).toBeDefined();
    const fromFile = await fedgate(['delete', '-f', file]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout.trim().split('\n')).toEqual([
      'membercluster.fedgate.dev "aws-eu-1" deleted',
      'placementpolicy.fedgate.dev "web" deleted',
      'deployment.apps "web" deleted',
      'configmap "web-config" deleted',
    ]);
    expect(await h.store.get({ type: 'Deployment.v1.apps', namespace: 'shop', name: 'web' })).toBeUndefined();
  });

  it('gives clear usage errors (exit 2) for unknown kinds and bad flags', async () => {
    const unknown = await fedgate(['get', 'gizmos']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: unknown kind "gizmos"');
    expect(unknown.stderr).toContain('deployments (deploy)');
    const badOutput = await fedgate(['get', 'mc', '-o', 'xml']);
    expect(badOutput.code).toBe(2);
    expect(badOutput.stderr).toContain('xml');
    const noFile = await fedgate(['apply']);
    expect(noFile.code).toBe(2);
    const missingFile = await fedgate(['apply', '-f', join(dir, 'nope.yaml')]);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toContain('no such file');
    const help = await fedgate(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
  });

  it('reads its config from the state directory and exits 3 when the API is unreachable or refuses the token', async () => {
    const state = join(dir, 'project', '.fedgate');
    const file = await writeCliConfig(state, { apiUrl: h.url, token: TOKEN });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ apiUrl: h.url, token: TOKEN });
    const sub = join(dir, 'project', 'src', 'deep');
    await mkdir(sub, { recursive: true });
    // No env: found by walking up from the working directory, like git.
    const walked = await runCli(['get', 'ns'], { cwd: sub });
    expect(walked.code, walked.stderr).toBe(0);
    const explicit = await runCli(['get', 'ns', '--state-dir', state]);
    expect(explicit.code, explicit.stderr).toBe(0);

    const unreachable = await runCli(['get', 'mc', '--server', 'http://127.0.0.1:1', '--token', 'x']);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/^error: cannot reach the fedgate API at http:\/\/127\.0\.0\.1:1/);
    const notConfigured = await runCli(['get', 'mc'], {
      cwd: tmpdir(),
      env: { FEDGATE_STATE_DIR: join(dir, 'empty') },
    });
    expect(notConfigured.code).toBe(3);
    expect(notConfigured.stderr).toContain('not configured');
    const wrongToken = await runCli(['get', 'mc', '--state-dir', state, '--token', 'not-the-token']);
    expect(wrongToken.code).toBe(3);
    expect(wrongToken.stderr).toBe('error: invalid bearer token\n');
  });
});
