import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesConnector } from '../../providers/kubernetes/connector.js';
import { MemberClusterRegistry } from '../../providers/member-cluster-registry.js';
import { isProviderError, ProviderError } from '../../providers/provider-error.js';
import { type KubeSim, startKubeSim } from '../../sim/kubernetes/index.js';

/** An HTTP front of the simulated API server that lets through only requests bearing an accepted token. */
interface TokenGate {
  readonly url: string;
  accepted: Set<string>;
  /** Tokens presented, in order ('' for none), and how many requests were refused. */
  readonly seen: string[];
  refused: number;
  close(): Promise<void>;
}

async function startTokenGate(upstream: string): Promise<TokenGate> {
  const target = new URL(upstream);
  const gate: TokenGate = {
    url: '',
    accepted: new Set(),
    seen: [],
    refused: 0,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    gate.seen.push(token);
    if (!gate.accepted.has(token)) {
      gate.refused++;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Unauthorized',
          code: 401,
        }),
      );
      return;
    }
    const up = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  (gate as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return gate;
}

function kubeconfig(server: string, user: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c1', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u1', user }],
    contexts: [{ name: 'c1', context: { cluster: 'c1', user: 'u1' } }],
    'current-context': 'c1',
  });
}

describe('member-cluster connections', () => {
  let sim: KubeSim;
  let gate: TokenGate;
  let dir: string;
  const target = { name: 'c1', provider: 'aws', kubeconfigContext: 'c1' };

  beforeAll(async () => {
    sim = await startKubeSim({ name: 'c1', nodes: [{ name: 'n1', cpu: '4', memory: '8Gi', pods: 50 }] });
    gate = await startTokenGate(sim.url);
    dir = mkdtempSync(join(tmpdir(), 'fedgate-conn-'));
  });
  afterAll(async () => {
    await gate.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a token rewritten in the kubeconfig when the cluster refuses the old one', async () => {
    const path = join(dir, 'rotated.json');
    writeFileSync(path, kubeconfig(gate.url, { token: 'first' }));
    gate.accepted = new Set(['first']);
    const client = kubernetesConnector({ kubeconfigPath: path })(target);
    expect((await client.probe()).nodes).toHaveLength(1);
    // The token rotates: the cluster takes only the new one, written into the kubeconfig by someone else.
    gate.accepted = new Set(['second']);
    writeFileSync(path, kubeconfig(gate.url, { token: 'second' }));
    const refused = gate.refused;
    expect((await client.probe()).nodes).toHaveLength(1);
    expect(gate.refused).toBeGreaterThan(refused);
    expect(gate.seen.at(-1)).toBe('second');
  });

  it('opens the connection again once it is older than its credentials may live', async () => {
    const path = join(dir, 'aged.json');
    writeFileSync(path, kubeconfig(gate.url, { token: 'old' }));
    gate.accepted = new Set(['old', 'new']);
    let now = 0;
    const client = kubernetesConnector({ kubeconfigPath: path, maxAgeMs: 60_000, now: () => now })(target);
    await client.readStatus({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' });
    writeFileSync(path, kubeconfig(gate.url, { token: 'new' }));
    now = 30_000;
    await client.readStatus({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' });
    expect(gate.seen.at(-1)).toBe('old');
    now = 60_000;
    const refused = gate.refused;
    await client.readStatus({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' });
    expect(gate.seen.at(-1)).toBe('new');
    expect(gate.refused).toBe(refused);
  });

  it('runs a kubeconfig exec plugin again when the token it gave expires', async () => {
    const tokenFile = join(dir, 'exec-token');
    const plugin = join(dir, 'plugin.mjs');
    writeFileSync(
      plugin,
      `import { readFileSync } from 'node:fs';
const token = readFileSync(process.argv[2], 'utf8').trim();
const expirationTimestamp = new Date(Date.now() + 1000).toISOString();
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token, expirationTimestamp } }));
`,
    );
    const path = join(dir, 'exec.json');
    writeFileSync(
      path,
      kubeconfig(gate.url, {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: process.execPath,
          args: [plugin, tokenFile],
          interactiveMode: 'Never',
        },
      }),
    );
    writeFileSync(tokenFile, 'exec-1');
    gate.accepted = new Set(['exec-1']);
    const client = kubernetesConnector({ kubeconfigPath: path })(target);
    await client.readStatus({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' });
    expect(gate.seen.at(-1)).toBe('exec-1');
    writeFileSync(tokenFile, 'exec-2');
    gate.accepted = new Set(['exec-1', 'exec-2']);
    // Once the first token expired, the plugin runs again and its new token is sent.
    const deadline = Date.now() + 30_000;
    while (gate.seen.at(-1) !== 'exec-2' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      await client.readStatus({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' });
    }
    expect(gate.seen.at(-1)).toBe('exec-2');
  });

  it('turns a kubeconfig that cannot be read, or lacks the context, into a ProviderError no retry fixes', () => {
    const connect = (path: string) => kubernetesConnector({ kubeconfigPath: path })(target);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'clusters: [\n  - {name: x');
    for (const path of [join(dir, 'absent.yaml'), broken]) {
      let thrown: unknown;
      try {
        connect(path);
      } catch (err) {
        thrown = err;
      }
      expect(isProviderError(thrown, 'Invalid')).toBe(true);
      expect((thrown as ProviderError).providerCode).toBe('KubeconfigInvalid');
      expect((thrown as ProviderError).retryable).toBe(false);
    }
    const other = join(dir, 'other.json');
    writeFileSync(other, kubeconfig(gate.url, { token: 'x' }));
    expect(() =>
      kubernetesConnector({ kubeconfigPath: other })({ ...target, kubeconfigContext: 'nope' }),
    ).toThrow(/no context "nope"/);
  });

  it('connects through the connector registered for the cluster’s provider, else the default', () => {
    const made: string[] = [];
    const registry = new MemberClusterRegistry((t) => {
      made.push(`default:${t.name}`);
      return {} as never;
    }).register('aws', (t) => {
      made.push(`aws:${t.name}`);
      return {} as never;
    });
    registry.connect({ name: 'a', provider: 'aws' });
    registry.connect({ name: 'b', provider: 'onprem' });
    expect(made).toEqual(['aws:a', 'default:b']);
    expect(() => registry.register('aws', () => ({}) as never)).toThrow(/already registered/);
    expect(() => new MemberClusterRegistry().connect({ name: 'c', provider: 'gcp' })).toThrow(ProviderError);
  });
});
