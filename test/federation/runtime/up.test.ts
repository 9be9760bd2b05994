import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { waitFor } from '../../support/wait-for.js';
import { exited, withOutput } from '../../support/worker-process.js';
import { buildDashboard, collectErrors, launchChromium, signInPage } from '../dashboard/browser.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const MAIN = join(ROOT, 'federation', 'cli', 'main.ts');
const TSX = import.meta.resolve('tsx');
const HAVE_KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].some((p) => existsSync(p));

/** `fedgate up` as a user runs it: no REDIS_URL, so it starts its own redis-server under the state dir. */
function startUp(cwd: string, args: readonly string[] = []): ChildProcess & { output: () => string } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('FEDGATE_') && k !== 'REDIS_URL') env[k] = v;
  }
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'up', '--port', '0', ...args], {
    cwd,
    env: { ...env, NO_COLOR: '1', FEDGATE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return withOutput(child);
}

async function fedgate(cwd: string, args: readonly string[]): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FEDGATE_')));
  const { stdout } = await run(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env });
  return stdout;
}

/** Deployments in one context of the kubeconfig `fedgate up` wrote, read with kubectl as a user would. */
async function kubectlDeployments(kubeconfig: string, context: string): Promise<string[]> {
  const { stdout } = await run('kubectl', [
    '--kubeconfig',
    kubeconfig,
    '--context',
    context,
    'get',
    'deploy',
    '-A',
    '-o',
    'json',
  ]);
  const list = JSON.parse(stdout) as { items: { metadata: { namespace: string; name: string } }[] };
  return list.items.map((d) => `${d.metadata.namespace}/${d.metadata.name}`).sort();
}

describe('fedgate up', () => {
  let dir: string;
  let child: (ChildProcess & { output: () => string }) | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedgate-up-'));
    buildDashboard();
  });
  // A test that failed half-way leaves its `fedgate up` running: stop it as Ctrl-C would (so it
  // stops its redis-server too), and kill it only if that does not work.
  afterEach(async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
    await exited(c);
    clearTimeout(timer);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts the whole system with the examples, serves kubectl and the CLI, and stops cleanly on Ctrl-C', async () => {
    child = startUp(dir);
    await waitFor(
      'fedgate up to report it is up',
      () => child!.output().includes('Ctrl-C stops everything'),
      120_000,
      100,
    );
    const out = child.output();
    expect(out).toMatch(
      /✓ redis-server on redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(password in .*, data in .*\.fedgate\/redis, AOF on\)/,
    );
    expect(out).toContain('member clusters Ready: 7/7');
    expect(out).toMatch(/templates placed and applied everywhere: (\d+)\/\1/);
    expect(out).toMatch(
      /✓ simulated clouds: EC2 http:\/\/127\.0\.0\.1:\d+, GCE http:\/\/127\.0\.0\.1:\d+, ARM https:\/\/127\.0\.0\.1:\d+/,
    );
    expect(out).toContain('cloud inventory discovered through the SDKs: 7/7');

    const state = join(dir, '.fedgate');
    const config = JSON.parse(await readFile(join(state, 'config.json'), 'utf8')) as {
      apiUrl: string;
      token: string;
    };
    expect(config.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await stat(join(state, 'config.json'))).mode & 0o777).toBe(0o600);
    // The endpoints and the credentials the simulators accept, private to the user.
    expect((await stat(join(state, 'clouds.yaml'))).mode & 0o777).toBe(0o600);
    const cloudsFile = parse(await readFile(join(state, 'clouds.yaml'), 'utf8')) as Record<
      string,
      { endpoint: string }
    >;
    expect(Object.keys(cloudsFile).sort()).toEqual(['aws', 'azure', 'gcp']);
    const kubeconfig = join(state, 'kubeconfig');
    const contexts = (
      parse(await readFile(kubeconfig, 'utf8')) as { contexts: { name: string }[] }
    ).contexts.map((c) => c.name);
    expect(contexts).toEqual(
      expect.arrayContaining([
        'onprem-dc1',
        'aws-us-east-1',
        'aws-eu-west-1',
        'gcp-europe-west1',
        'azure-westeurope',
      ]),
    );
    expect(contexts.length).toBeGreaterThanOrEqual(6);

    // The CLI finds the running system from the working directory, without flags.
    const clusters = await fedgate(dir, ['get', 'clusters', '-o', 'json']);
    expect((JSON.parse(clusters) as { items: unknown[] }).items).toHaveLength(contexts.length);
    const wide = await fedgate(dir, ['get', 'clusters', '-o', 'wide']);
    expect(wide).toMatch(/aws-us-east-1 .*\s3\s+m6i\.xlarge×3\s+vpc-fedgate-use1 10\.20\.0\.0\/16\s+True/);
    // Credentials are listed, never shown.
    const creds = await fedgate(dir, ['get', 'cloudcredentials', '-o', 'json']);
    expect(creds).toContain('"secretAccessKey": "(set)"');
    expect(creds).not.toContain((cloudsFile.aws as unknown as { secretAccessKey: string }).secretAccessKey);
    const bindings = JSON.parse(await fedgate(dir, ['get', 'bindings', '-A', '-o', 'json'])) as {
      items: { metadata: { name: string }; spec: { clusters: { name: string }[] } }[];
    };
    const storefront = bindings.items.find((b) => b.metadata.name === 'storefront-deployment');
    expect(storefront?.spec.clusters.length).toBeGreaterThan(0);

    // East-west: a ServiceImport per sample service, and measured cross-cluster traffic.
    const imports = JSON.parse(await fedgate(dir, ['get', 'serviceimports', '-A', '-o', 'json'])) as {
      items: { status: { clusters: { cluster: string }[] } }[];
    };
    // svc-<cluster> for each cluster, and the gRPC greeter.
    expect(imports.items).toHaveLength(contexts.length + 1);
    const traffic = await waitFor(
      'measured cross-cluster traffic',
      async () => {
        const t = await fedgate(dir, ['top', 'traffic']);
        return t.split('\n').filter((l) => /\d+\.\d+ms/.test(l)).length >= contexts.length ? t : undefined;
      },
      30_000,
      500,
    );
    expect(traffic).toContain('onprem-dc1');
    // gRPC between clusters: the greeter's clusters (aws-us-east-1, gcp-us-central1) get calls
    // from clusters that send them no HTTP/1.1 call (onprem-dc1 calls aws-us-east-1 over both).
    await waitFor(
      'gRPC traffic to the greeter',
      async () => /^azure-eastus\s+aws-us-east-1\s/m.test(await fedgate(dir, ['top', 'traffic'])),
      30_000,
      1_000,
    );

    // A gateway process that dies is restarted, and says so.
    const [gwPid] = (
      await run('pgrep', ['-f', '--', `--cluster aws-eu-west-1 .*${join(dir, '.fedgate', 'gateways')}`])
    ).stdout
      .trim()
      .split('\n')
      .map(Number);
    process.kill(gwPid!, 'SIGKILL');
    await waitFor(
      'the gateway back',
      () => child!.output().includes('✓ gateway aws-eu-west-1 is back'),
      60_000,
      100,
    );

    // The dashboard URL it printed: signed in with the token, the Traffic view shows the links the
    // gateways measured, and the Peerings view the sample peerings, with no error on the page.
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors = collectErrors(page);
      await signInPage(page, config.apiUrl, config.token);
      await page.goto(`${config.apiUrl}/ui/#/traffic`);
      await expect
        .poll(() => page.locator('[data-link]').count(), { timeout: 30_000 })
        .toBeGreaterThanOrEqual(contexts.length);
      expect(await page.locator('[data-link="onprem-dc1|aws-us-east-1"]').textContent()).toMatch(/\$/);
      await page.goto(`${config.apiUrl}/ui/#/peerings`);
      await expect
        .poll(() => page.locator('main').textContent(), { timeout: 30_000 })
        .toContain('aws-azure-vpn');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }

    if (HAVE_KUBECTL) {
      const target = storefront!.spec.clusters[0]!.name;
      expect(await kubectlDeployments(kubeconfig, target)).toContain('shop/storefront');
      expect(await kubectlDeployments(kubeconfig, 'onprem-dc1')).not.toContain('shop/storefront');
    }

    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
    expect(child.output()).toContain('stopped.');
    expect(existsSync(join(state, 'up.pid'))).toBe(false);
  }, 180_000);

  it('starts again from the same state directory and restores what ran onto the new fleet', async () => {
    // No examples this time: what was applied before comes back from Redis' append-only file.
    child = startUp(dir, ['--no-examples']);
    await waitFor(
      'fedgate up to report it is up',
      () => child!.output().includes('Ctrl-C stops everything'),
      120_000,
      100,
    );
    const bindings = JSON.parse(await fedgate(dir, ['get', 'bindings', '-A', '-o', 'json'])) as {
      items: { metadata: { name: string }; spec: { clusters: { name: string }[] } }[];
    };
    const storefront = bindings.items.find((b) => b.metadata.name === 'storefront-deployment');
    expect(storefront).toBeDefined();
    if (HAVE_KUBECTL) {
      // The simulated clusters are new and empty; fedgate notices (new cluster identity) and re-applies.
      const kubeconfig = join(dir, '.fedgate', 'kubeconfig');
      const target = storefront!.spec.clusters[0]!.name;
      await waitFor(
        'storefront re-applied to the new fleet',
        async () => (await kubectlDeployments(kubeconfig, target)).includes('shop/storefront'),
        60_000,
        250,
      );
    }
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  }, 180_000);

  it('refuses bad input before starting anything', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Not_Valid}\n');
    const c = startUp(dir, ['-f', bad]);
    expect(await exited(c)).not.toBe(0);
    expect(c.output()).toMatch(/metadata\.name/);
    expect(c.output()).not.toContain('redis-server on');
  }, 60_000);
});
