import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, fetch as tlsFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type Fleet, startFleet, syntheticFleet } from '../../sim/fleet/index.js';
import type { KubeSim } from '../../sim/kubernetes/index.js';
import { selfSignedCertificate } from '../../sim/kubernetes/tls.js';
import { startTestSim } from './helpers.js';

const run = promisify(execFile);
const HAVE_KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].some((p) => existsSync(p));
const TOKEN = 'cluster-token-0123456789';

async function call(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('a simulated cluster requires the bearer token of its kubeconfig', () => {
  let sim: KubeSim;
  let dir: string;
  beforeAll(async () => {
    sim = await startTestSim({ token: TOKEN });
    dir = await mkdtemp(join(tmpdir(), 'fedgate-sim-access-'));
    const created = await call(`${sim.url}/api/v1/namespaces/default/secrets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'db' }, data: { password: 'aHVudGVyMg==' } }),
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 401 Unauthorized without the token, serves with it; health and version stay public', async () => {
    const secrets = `${sim.url}/api/v1/namespaces/default/secrets`;
    for (const headers of [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Basic ${TOKEN}` },
    ] as Record<string, string>[]) {
      const refused = await call(secrets, { headers });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'Unauthorized',
        code: 401,
      });
      expect(JSON.stringify(refused.body)).not.toContain('aHVudGVyMg');
    }
    const served = await call(secrets, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(served.status).toBe(200);
    expect((await fetch(`${sim.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${sim.url}/version`)).status).toBe(200);
  });

  it.skipIf(!HAVE_KUBECTL)(
    'serves kubectl with its kubeconfig (HTTPS) and refuses kubectl without the token',
    async () => {
      // kubectl sends a kubeconfig's token only over TLS.
      const cert = await selfSignedCertificate('test');
      const secure = await startTestSim({ token: TOKEN, tls: cert });
      expect(secure.url).toMatch(/^https:/);
      const kubeconfig = join(dir, 'kubeconfig');
      await writeFile(kubeconfig, secure.kubeconfig());
      const kubectl = (config: string, ...args: string[]) =>
        run('kubectl', ['--kubeconfig', config, ...args]);
      const dispatcher = new Agent({ connect: { ca: cert.cert } });
      const created = await tlsFetch(`${secure.url}/api/v1/namespaces/default/secrets`, {
        dispatcher,
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { name: 'db' }, data: { k: 'dg==' } }),
      });
      expect(created.status).toBe(201);
      await dispatcher.destroy();
      const { stdout } = await kubectl(kubeconfig, 'get', 'secrets', '-o', 'name');
      expect(stdout.trim()).toBe('secret/db');

      const stolen = parse(secure.kubeconfig()) as { users: { user: Record<string, unknown> }[] };
      stolen.users[0]!.user = { token: 'guessed' }; // (no user at all would make kubectl prompt for one)
      const anonymous = join(dir, 'anonymous');
      await writeFile(anonymous, stringify(stolen));
      const refused = await kubectl(anonymous, 'get', 'secrets').catch((err: { stderr: string }) => err);
      expect('stderr' in refused && refused.stderr).toMatch(/credentials|Unauthorized/);
      await secure.close();
    },
  );

  it('changes faults only for a JSON request with the token, of bounded size', async () => {
    const faults = `${sim.url}/_sim/faults`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    // What a web page can send without a CORS preflight: refused, nothing changes.
    const simple = await call(faults, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: '{"latencyMs":500}',
    });
    expect(simple.status).toBe(415);
    const noToken = await call(faults, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"latencyMs":500}',
    });
    expect(noToken.status).toBe(401);
    const huge = await call(faults, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 1, pad: 'x'.repeat(100_000) }),
    });
    expect(huge.status).toBe(413);
    expect(sim.faults.state().latencyMs).toBe(0);
    const ok = await call(faults, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"latencyMs":1}',
    });
    expect(ok.status).toBe(200);
    expect(sim.faults.state().latencyMs).toBe(1);
    sim.faults.latencyMs(0);
  });
});

describe('the fleet control server and the fleet clusters', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(syntheticFleet(2, { nodesPerCluster: 1 }), {
      podReadyDelayMs: 0,
      events: false,
    });
  });
  afterAll(async () => {
    await fleet.close();
  });

  it('gives each cluster a token of its own that it requires, over HTTPS', async () => {
    const [a, b] = fleet.members();
    expect(a!.url).toMatch(/^https:/);
    expect(a!.token).toBeTruthy();
    expect(a!.token).not.toBe(b!.token);
    const dispatcher = new Agent({ connect: { ca: a!.caPem! } });
    const get = (token?: string) =>
      tlsFetch(`${a!.url}/api/v1/secrets`, {
        dispatcher,
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      });
    expect((await get()).status).toBe(401);
    expect((await get(b!.token)).status).toBe(401);
    expect((await get(a!.token)).status).toBe(200);
    await dispatcher.close();
  });

  it('takes fault changes only as JSON with its token, of bounded size', async () => {
    const name = fleet.members()[0]!.name;
    const url = `${fleet.controlUrl}/clusters/${name}/faults`;
    const auth = { authorization: `Bearer ${fleet.controlToken}` };
    expect((await call(`${fleet.controlUrl}/clusters`)).status).toBe(401);
    const simple = await call(url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: '{"latencyMs":7}',
    });
    expect(simple.status).toBe(415);
    const form = await call(url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'latencyMs=7',
    });
    expect(form.status).toBe(415);
    const noToken = await call(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"latencyMs":7}',
    });
    expect(noToken.status).toBe(401);
    // A streamed body with no length announced is cut off at the bound too.
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode(' '.repeat(4096)));
        c.close();
      },
    });
    const streamed = await call(url, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(fleet.clusters.get(name)!.faults.state().latencyMs).toBe(0);
    const ok = await call(url, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"latencyMs":7}',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.latencyMs).toBe(7);
  });
});
