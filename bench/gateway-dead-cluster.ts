// npm run bench:gateway-dead-cluster — how long a dead remote cluster stays in load balancing.
// Gateway A (in this process) gets steady load to a service served by clusters B and C (each a
// gateway process with a local echo server). C is then killed (SIGKILL: connections refused) or
// hung (SIGSTOP: connections accepted by the kernel, never answered). The figure is the time from
// the signal to A's last try sent to C (fedgate_gateway_upstream_requests_total), with the calls
// that failed meanwhile (retries should absorb them).

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { Pool } from 'undici';
import { RedisProcess } from '../federation/runtime/redis-process.js';
import { type GatewayConfig, ROUTE_DEFAULTS } from '../peering/gateway/config.js';
import { startGateway } from '../peering/gateway/gateway.js';
import { FederationCa } from '../peering/identity/federation-ca.js';
import { localIssuer } from '../peering/identity/local-issuer.js';
import { type GatewayChild, spawnGateway, stopGateway, watchTries } from './support/gateway-spawn.js';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 8);
const AFTER_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const HOST = 'echo.bench.svc.clusterset.local';

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fg-bench-dead-'));
  const redisProcess = new RedisProcess({ dataDir: dir, persist: false });
  await redisProcess.start();
  const ca = await FederationCa.create({ federation: 'bench.local' });
  const key = randomBytes(32);
  const sealedCa = await ca.seal(key);
  const config: GatewayConfig = {
    version: 'bench',
    // B and C equally far from A, so round-robin spreads calls over both.
    clusters: {
      a: { region: 'eu-west-1', provider: 'aws' },
      b: { region: 'us-east1', provider: 'gcp' },
      c: { region: 'westeurope', provider: 'azure' },
    },
    services: {
      'bench/echo': {
        ...ROUTE_DEFAULTS,
        namespace: 'bench',
        name: 'echo',
        clusters: ['b', 'c'],
        retries: { ...ROUTE_DEFAULTS.retries, perTryTimeoutMs: 1_000 },
      },
    },
    authorization: [{ name: 'all', service: 'bench/echo', from: [], paths: [], methods: [] }],
    quotas: [],
  };
  const echoB = await echo('b');
  const echoC = await echo('c');
  const child = (cluster: string, url: string) =>
    spawnGateway({
      cluster,
      federation: 'bench.local',
      redisUrl: redisProcess.url,
      prefix: 'bench',
      sealedCa,
      operatorKey: key.toString('hex'),
      config,
      endpoints: { 'bench/echo': [{ url }] },
    });
  const children: GatewayChild[] = [await child('b', echoB.url)];
  process.on('exit', () => {
    for (const c of children) c.process.kill('SIGKILL');
  });
  const redis = new Redis(redisProcess.url);
  const gwA = await startGateway({
    cluster: 'a',
    federation: 'bench.local',
    issuer: localIssuer(ca, 'a'),
    configSource: { load: async () => config },
    redis,
    redisPrefix: 'bench',
    metrics: new Registry(),
    peerListen: { host: '127.0.0.1', port: 0 },
    appListen: { host: '127.0.0.1', port: 0 },
  });

  const results: string[] = [];
  for (const signal of ['SIGKILL', 'SIGSTOP'] as const) {
    const gwC = await child('c', echoC.url);
    children.push(gwC);
    const load = steadyLoad(gwA.appUrl, WORKERS);
    // Both clusters serve before the failure.
    while (!(load.served.has('b') && load.served.has('c'))) await sleep(50);
    await sleep(1000);
    const tries = watchTries(gwA.telemetry, 'c');
    await sleep(200);
    const failedBefore = load.failed;
    const callsBefore = load.calls;
    load.markSlowest();
    const t0 = performance.now();
    gwC.process.kill(signal);
    await sleep(AFTER_SECONDS * 1000);
    const w = await tries.stop();
    const stats = await load.stop();
    const out =
      w.lastTryAt > t0 ? `${(w.lastTryAt - t0).toFixed(0)} ms` : 'at once (no try after the signal)';
    results.push(
      `${signal.padEnd(7)} (${signal === 'SIGKILL' ? 'crashed: connections refused' : 'hung: connections accepted, never answered'}): out of load balancing after ${out}; calls failed after the signal: ${stats.failed - failedBefore} of ${stats.calls - callsBefore} (the retry budget bounds retries in flight), slowest call ${stats.slowestMs.toFixed(0)} ms`,
    );
    await stopGateway(gwC.process); // SIGKILLs a stopped one (SIGTERM waits while it is stopped)
  }

  console.log(
    `\ndead remote cluster, ${WORKERS} callers in a closed loop through gateway A to a service in clusters B and C; C fails; ${AFTER_SECONDS}s observed`,
  );
  for (const r of results) console.log(r);
  console.log('target: ≤ 5 s (Submariner Lighthouse: minutes, DNS TTL bound)');

  await gwA.close();
  redis.disconnect();
  for (const c of children) await stopGateway(c.process);
  echoB.server.close();
  echoC.server.close();
  await redisProcess.stop();
}

/** Closed-loop load from `workers` callers; counts calls, failures and which clusters answered. */
function steadyLoad(url: string, workers: number) {
  const pool = new Pool(url, { connections: workers });
  const state = { calls: 0, failed: 0, served: new Set<string>(), slowestMs: 0, since: 0 };
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const t = performance.now();
      try {
        const res = await pool.request({ method: 'GET', path: '/', headers: { host: HOST } });
        const body = await res.body.text();
        if (res.statusCode === 200) state.served.add((JSON.parse(body) as { cluster: string }).cluster);
        else state.failed++;
      } catch {
        state.failed++;
      }
      state.calls++;
      if (t >= state.since) state.slowestMs = Math.max(state.slowestMs, performance.now() - t);
    }
  });
  return {
    get calls() {
      return state.calls;
    },
    get failed() {
      return state.failed;
    },
    served: state.served,
    /** Tracks the slowest call started from now on. */
    markSlowest() {
      state.since = performance.now();
      state.slowestMs = 0;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      await pool.destroy();
      return state;
    },
  };
}

async function echo(cluster: string): Promise<{ url: string; server: http.Server }> {
  const body = JSON.stringify({ cluster });
  const server = http.createServer((_req, res) => res.end(body));
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

await main();
