import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MAIN = join(ROOT, 'federation', 'cli', 'main.ts');
const TSX = import.meta.resolve('tsx');

const POLICY = `apiVersion: fedgate.dev/v1alpha1
kind: PlacementPolicy
metadata: {name: deployments}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]
`;
const APP = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unused, namespace: shop}
data: {a: b}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data: {greeting: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          envFrom: [{configMapRef: {name: web-config}}]
`;

/** Runs the CLI with stderr into the same pipe as stdout (`2>&1`), so the order of lines shows. */
function fedgateMerged(args: string[], env: Record<string, string>, input: string) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FEDGATE_')));
  return new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn(
      '/bin/sh',
      ['-c', 'exec "$0" "$@" 2>&1', process.execPath, '--import', TSX, MAIN, ...args],
      {
        cwd: ROOT,
        env: { ...base, NO_COLOR: '1', ...env },
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => {
      output += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
    child.stdin.end(input);
  });
}

describe('fedgate apply --wait with templates no policy places', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane([{ name: 'aws-1', provider: 'aws', region: 'eu-west-1' }]);
    expect((await cp.apply(POLICY)).status).toBe(200);
  });
  afterAll(async () => {
    await cp.close();
  });

  it('finishes once what can be placed is applied, saying what was not placed and why, progress first', async () => {
    const env = { FEDGATE_SERVER: cp.api.url, FEDGATE_TOKEN: cp.token };
    // The timeout is far longer than placement takes: a wait that sits it out fails (exit 1).
    const res = await fedgateMerged(['apply', '-f', '-', '--wait', '--timeout', '120s'], env, APP);
    expect(res.code, res.output).toBe(0);
    const lines = res.output.trim().split('\n');
    const results = [
      'namespace/shop created (not placed: NoMatchingPolicy: no PlacementPolicy selects this template)',
      'configmap/unused created (not placed: no PlacementPolicy selects it and no placed workload references it)',
      'configmap/web-config created (applied in 1/1 clusters)',
      'deployment.apps/web created (applied in 1/1 clusters)',
    ];
    expect(lines.slice(-4)).toEqual(results);
    // Progress lines came before the results.
    const progress = lines.slice(0, -4);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((l) => /^[a-z.]+\/[a-z-]+: /.test(l))).toBe(true);
    expect(progress).toContain('deployment.apps/web: applied in 1/1 clusters');
  }, 180_000);
});
