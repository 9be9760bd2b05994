import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, cliHarness, runCli } from './harness.js';

const POLICY = `apiVersion: fedgate.dev/v1alpha1
kind: PlacementPolicy
metadata: {name: mine}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]
`;
const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: "nginx:1.27"}]}
`;

describe('fedgate token', () => {
  let h: CliHarness;
  beforeAll(async () => {
    h = await cliHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  const fedgate = (args: string[], opts: { input?: string; token?: string } = {}) =>
    runCli(args, {
      ...(opts.input === undefined ? {} : { input: opts.input }),
      env: { ...h.env, ...(opts.token ? { FEDGATE_TOKEN: opts.token } : {}) },
    });

  it('creates, lists and revokes named tokens whose roles the API enforces', async () => {
    const created = await fedgate(['token', 'create', 'app-shop', '--role', 'app', '-n', 'shop']);
    expect(created.code, created.stderr).toBe(0);
    const appToken = created.stdout.trim();
    expect(appToken).toMatch(/^fgt_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('token app-shop created (role app, namespaces shop)');

    const list = await fedgate(['token', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]!.split(/\s+/)).toEqual([
      'NAME',
      'ROLE',
      'NAMESPACES',
      'CLUSTER',
      'AGE',
    ]);
    expect(list.stdout).toMatch(/^app-shop\s+app\s+shop\s+/m);
    expect(list.stdout).not.toContain(appToken);

    // The app team deploys its manifest, unchanged, but cannot write policy (exit 2, the reason said).
    const app = await fedgate(['apply', '-f', '-'], { input: APP, token: appToken });
    expect(app.code, app.stderr).toBe(0);
    const policy = await fedgate(['apply', '-f', '-'], { input: POLICY, token: appToken });
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain(
      'token app-shop (role app, namespaces shop) may not write PlacementPolicy',
    );
    const mint = await fedgate(['token', 'create', 'me-too', '--role', 'admin'], { token: appToken });
    expect(mint.code).toBe(2);
    expect(mint.stderr).toContain('may not manage tokens');

    const bad = await fedgate(['token', 'create', 'x', '--role', 'wizard']);
    expect(bad.code).toBe(2);

    const revoked = await fedgate(['token', 'revoke', 'app-shop']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout.trim()).toBe('token app-shop revoked');
    const after = await fedgate(['get', 'deploy', '-n', 'shop'], { token: appToken });
    expect(after.code).toBe(3);
    expect(after.stderr).toContain('invalid bearer token');
  }, 120_000);
});
