// npm run bench:gateway — the same load generator, in the same run, on loopback, through:
// a direct connection; client → fedgate gateway A → gateway B (mTLS, HTTP/2) → service; and
// client → HAProxy A → HAProxy B (mTLS) → service. Open loop (fixed rate) for latency, closed
// loop for the maximum rate, CPU per 1,000 req/s per gateway from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { freePort } from '../federation/runtime/free-port.js';
import { RedisProcess } from '../federation/runtime/redis-process.js';
import { ROUTE_DEFAULTS } from '../peering/gateway/config.js';
import { FederationCa } from '../peering/identity/federation-ca.js';
import { buildGatewayChild, spawnGateway, stopGateway } from './support/gateway-spawn.js';
import { processCpuSeconds } from './support/process-cpu.js';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
/** Seconds of the same load before measuring: a long-running gateway's code is optimized by then. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = 16;
const BODY = Buffer.alloc(1024, 'x');
const HOST = 'echo.bench.svc.clusterset.local';
/** The service: answers every call with 1 kB, on a port it prints. */
const ECHO_SERVER = `
import * as http from 'node:http';
const body = Buffer.alloc(${BODY.length}, 'x');
const s = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end(body)); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));
`;

interface Path {
  name: string;
  url: string;
  host: string;
  pids: number[];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fg-bench-gw-'));
  const redis = new RedisProcess({ dataDir: dir, persist: false });
  await redis.start();
  // The service in a process of its own, so the generator's CPU (this process) is its own figure.
  const service = spawn(process.execPath, ['--input-type=module', '-e', ECHO_SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [port] = (await once(createInterface({ input: service.stdout! }), 'line')) as [string];
  const serviceUrl = `http://127.0.0.1:${port}`;

  const ca = await FederationCa.create({ federation: 'bench.local' });
  const key = randomBytes(32);
  const sealedCa = await ca.seal(key);
  const config = {
    version: 'bench',
    clusters: { a: { region: 'eu-west-1', provider: 'aws' }, b: { region: 'us-east1', provider: 'gcp' } },
    services: { 'bench/echo': { ...ROUTE_DEFAULTS, namespace: 'bench', name: 'echo', clusters: ['b'] } },
    authorization: [{ name: 'all', service: 'bench/echo', from: [], paths: [], methods: [] }],
    // A quota on the path (never reached), so the bench pays for quota checks as a deployment does.
    quotas:
      process.env.BENCH_QUOTA === '0'
        ? []
        : [
            {
              name: 'bench',
              service: 'bench/echo',
              perService: { requests: 1_000_000_000, periodSeconds: 60 },
              perCaller: { requests: 1_000_000_000, periodSeconds: 60 },
            },
          ],
  };
  const children: ChildProcess[] = [service];
  // The gateways run compiled, as in production; BENCH_TSX=1 runs their sources through tsx.
  // BENCH_GATEWAY_SCRIPT runs another build of the child (to compare two versions of the gateway).
  const script =
    process.env.BENCH_TSX === '1'
      ? undefined
      : (process.env.BENCH_GATEWAY_SCRIPT ?? (await buildGatewayChild()));
  const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const startChild = async (cluster: string, endpoints: Record<string, { url: string }[]>) => {
    const child = await spawnGateway(
      {
        cluster,
        federation: 'bench.local',
        redisUrl: redis.url,
        prefix: 'bench',
        sealedCa,
        operatorKey: key.toString('hex'),
        config,
        endpoints,
      },
      nodeArgs,
      script,
    );
    children.push(child.process);
    return child;
  };
  process.on('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });
  const gwB = await startChild('b', { 'bench/echo': [{ url: serviceUrl }] });
  const gwA = await startChild('a', {});
  await waitOk(gwA.appUrl, HOST);

  // HAProxy: the same two hops, mTLS between them with certificates of the same CA.
  const haA = await ca.issueGatewayCertificate('ha-a');
  const haB = await ca.issueGatewayCertificate('ha-b');
  await writeFile(join(dir, 'a.pem'), haA.certChainPem + haA.keyPem);
  await writeFile(join(dir, 'b.pem'), haB.certChainPem + haB.keyPem);
  await writeFile(join(dir, 'ca.pem'), ca.trustBundlePem());
  const [pA, pB] = [await freePort(), await freePort()];
  const global =
    'global\n  maxconn 4000\n  nbthread 1\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n  http-reuse always\n';
  await writeFile(
    join(dir, 'ha-b.cfg'),
    `${global}frontend fb\n  bind 127.0.0.1:${pB} ssl crt ${dir}/b.pem ca-file ${dir}/ca.pem verify required alpn h2,http/1.1\n  default_backend svc\nbackend svc\n  server s ${serviceUrl.slice(7)}\n`,
  );
  await writeFile(
    join(dir, 'ha-a.cfg'),
    `${global}frontend fa\n  bind 127.0.0.1:${pA}\n  default_backend peer\nbackend peer\n  server b 127.0.0.1:${pB} ssl crt ${dir}/a.pem ca-file ${dir}/ca.pem verify required alpn h2\n`,
  );
  const haproxies = ['ha-b.cfg', 'ha-a.cfg'].map((f) =>
    spawn('haproxy', ['-f', join(dir, f)], { stdio: 'inherit' }),
  );
  children.push(...haproxies);
  await waitOk(`http://127.0.0.1:${pA}`, HOST);

  const paths: Path[] = [
    { name: 'direct', url: serviceUrl, host: HOST, pids: [] },
    { name: 'fedgate', url: gwA.appUrl, host: HOST, pids: [gwA.pid, gwB.pid] },
    { name: 'haproxy', url: `http://127.0.0.1:${pA}`, host: HOST, pids: haproxies.map((h) => h.pid!) },
  ];
  const results: Record<
    string,
    {
      open: OpenLoop;
      maxRps: number;
      cpuPer1k: number[];
      genOpen: number;
      genClosed: number;
      svcClosed: number;
    }
  > = {};
  // BENCH_PATHS=fedgate runs one path only (for profiling); the report needs all three.
  const only = process.env.BENCH_PATHS?.split(',');
  for (const p of paths) {
    if (only !== undefined && !only.includes(p.name)) continue;
    await openLoop(p, RATE, WARMUP); // warm-up: connections opened, code optimized by the JIT
    const before = await Promise.all(p.pids.map(processCpuSeconds));
    const gen0 = process.cpuUsage();
    const t0 = performance.now();
    const open = await openLoop(p, RATE, SECONDS);
    const elapsed = (performance.now() - t0) / 1000;
    const genOpen = cpuSecondsSince(gen0) / elapsed;
    const after = await Promise.all(p.pids.map(processCpuSeconds));
    const cpuPer1k = p.pids.map((_, i) => (after[i]! - before[i]!) / elapsed / (open.achievedRps / 1000));
    // The generator's and the service's own CPU (vCPU) in the closed loop: near 1 means it, not
    // the proxies, set the maximum.
    const gen1 = process.cpuUsage();
    const svc1 = await processCpuSeconds(service.pid!);
    const t1 = performance.now();
    const maxRps = await closedLoop(p, 64, SECONDS / 2);
    const elapsed1 = (performance.now() - t1) / 1000;
    const genClosed = cpuSecondsSince(gen1) / elapsed1;
    const svcClosed = ((await processCpuSeconds(service.pid!))! - svc1!) / elapsed1;
    results[p.name] = { open, maxRps, cpuPer1k, genOpen, genClosed, svcClosed };
  }
  if (only !== undefined) {
    for (const [name, r] of Object.entries(results)) console.log(name, JSON.stringify({ ...r.open, ...r }));
    await stopAll(children);
    await redis.stop();
    return;
  }
  const d = results.direct!.open;
  const row = (name: string) => {
    const r = results[name]!;
    return `${name.padEnd(8)} rps(open)=${r.open.achievedRps.toFixed(0)} errors=${r.open.errors} p50=${r.open.p50.toFixed(2)}ms p90=${r.open.p90.toFixed(2)}ms p99=${r.open.p99.toFixed(2)}ms added p50/p90/p99=${(r.open.p50 - d.p50).toFixed(2)}/${(r.open.p90 - d.p90).toFixed(2)}/${(r.open.p99 - d.p99).toFixed(2)}ms max rps=${r.maxRps.toFixed(0)} vCPU per 1k rps per proxy=${r.cpuPer1k.map((c) => c.toFixed(3)).join(', ') || '-'} generator vCPU open/closed=${r.genOpen.toFixed(2)}/${r.genClosed.toFixed(2)} service vCPU closed=${r.svcClosed.toFixed(2)}`;
  };
  const [load1] = loadavg();
  console.log(
    `\nload average ${load1!.toFixed(2)} on ${availableParallelism()} cores; quota checks ${config.quotas.length > 0 ? 'on' : 'off'}; gateways ${script === undefined ? 'through tsx' : 'compiled'}`,
  );
  console.log(
    `${RATE} req/s open loop for ${SECONDS}s after ${WARMUP}s of warm-up, ${BODY.length} B bodies, ${CONNECTIONS} connections; closed loop 64 in flight`,
  );
  for (const p of paths) console.log(row(p.name));
  const f = results.fedgate!;
  const h = results.haproxy!;
  const added = (r: typeof f) => r.open.p99 - d.p99;
  console.log(
    `fedgate/haproxy: added p99 ${(added(f) / added(h)).toFixed(2)}×, max rps ${(f.maxRps / h.maxRps).toFixed(2)}×, CPU per 1k rps ${(avg(f.cpuPer1k) / avg(h.cpuPer1k)).toFixed(2)}×`,
  );
  console.log(
    `targets: added p99 ≤ 1.5 ms (fedgate ${added(f).toFixed(2)} ms); ≤ 0.2 vCPU per 1k rps per gateway (fedgate ${avg(f.cpuPer1k).toFixed(3)}); max rps ≥ 50 % of HAProxy (${((100 * f.maxRps) / h.maxRps).toFixed(0)} %)`,
  );

  await stopAll(children);
  await redis.stop();
}

/** Stops the proxies and waits for them, so gateways close before their Redis goes. */
async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map(stopGateway));
}

interface OpenLoop {
  achievedRps: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Fixed-rate load; latency from each request's scheduled time, so a stall counts against it (no coordinated omission). */
async function openLoop(p: Path, rate: number, seconds: number): Promise<OpenLoop> {
  const pool = new Pool(p.url, { connections: CONNECTIONS, pipelining: 1 });
  const total = Math.round(rate * seconds);
  const lat: number[] = [];
  let errors = 0;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // From the scheduled time when sent late (a stall counts), from the send when up to 1 ms early.
    const from = Math.min(due, performance.now());
    inflight.push(
      pool
        .request({
          method: 'POST',
          path: '/',
          headers: { host: p.host, 'content-length': String(BODY.length) },
          body: BODY,
        })
        .then(async (res) => {
          await res.body.arrayBuffer();
          if (res.statusCode !== 200) errors++;
          lat.push(performance.now() - from);
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  lat.sort((a, b) => a - b);
  const q = (x: number) => lat[Math.min(lat.length - 1, Math.floor(x * lat.length))] ?? Number.NaN;
  return { achievedRps: total / elapsed, errors, p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}

/** As fast as it goes with `concurrency` requests in flight. */
async function closedLoop(p: Path, concurrency: number, seconds: number): Promise<number> {
  const pool = new Pool(p.url, { connections: concurrency });
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const res = await pool.request({ method: 'POST', path: '/', headers: { host: p.host }, body: BODY });
        await res.body.arrayBuffer();
        done++;
      }
    }),
  );
  await pool.close();
  return done / seconds;
}

async function waitOk(url: string, host: string): Promise<void> {
  const pool = new Pool(url);
  for (let i = 0; i < 200; i++) {
    try {
      const res = await pool.request({ method: 'GET', path: '/', headers: { host } });
      await res.body.arrayBuffer();
      if (res.statusCode === 200) {
        await pool.close();
        return;
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered 200`);
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

function avg(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

await main();
