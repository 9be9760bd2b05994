/**
 * Pipeline benchmark: the whole control plane (real API, real worker(s), real Redis) driving a
 * simulated fleet that runs in a child process, against raw BullMQ measured in the same run on
 * the same private redis-server:
 *   1. baseline: BullMQ with a no-op processor and fedgate's queue settings (jobs/s), the same job
 *      mix as the pipeline (one placement and `targets` propagations per template), median of 5;
 *      then two floors, the same mix where each propagation job does only its server-side apply
 *      through the Kubernetes adapter: against a simulated fleet like the pipeline's (what any
 *      implementation of one-job-per-binding×cluster can reach on this machine), and against nginx
 *      answering at once (what the client side alone allows, with member clusters costing nothing);
 *      each simulated floor drains a warm-up of a quarter of the templates first (not counted), and
 *      runs again right after the throughput phase: the load of a shared machine moves between
 *      runs, so fedgate is compared with the mean of the floors just before and just after it;
 *   2. throughput: after a warm-up of a quarter of the templates (not counted), N Deployment
 *      templates applied in batches, each Duplicated to `targets` clusters; templates applied
 *      everywhere per second and its ratio to the floor, fedgate queue jobs/s, CPU per template and
 *      per job (less sensitive to a loaded machine than the rates), Redis commands per template
 *      beside the floor's (the bench's own reads left out);
 *   3. latency: templates applied one per request at a steady rate, from each request's scheduled
 *      time to applied everywhere (p50/p90/p99);
 *   4. memory: Redis used_memory per 1,000 templates, and per round of updates, split into queue
 *      keys (bounded by removeOnComplete), the store, and the store's change stream.
 * "Applied everywhere" is what `fedgate up` waits for: the Binding is Scheduled and every target
 * cluster reports phase Applied at the template's generation. The bench learns it from keyspace
 * notifications of the Binding keys (enabled on its private Redis), not by polling.
 *
 * Usage: npm run bench:pipeline [-- --templates 1000 --clusters 20 --rate 100 --seconds 10
 *        --workers 1 --targets 3 --rounds 3 --round-templates 400 --batch 100 --inflight 4]
 *        FEDGATE_BENCH_LOG=warn shows the control plane's warnings.
 */
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { type Counter, Registry } from 'prom-client';
import { QUEUE_NAMES } from '../federation/queue/queues.js';
import type { MemberClusterObject } from '../federation/reconcile/cluster-snapshot.js';
import { FIELD_MANAGER } from '../federation/reconcile/ownership.js';
import { WatchedStatusChecks } from '../federation/reconcile/watched-status-checks.js';
import { MEMBER_CLUSTER_TYPE } from '../federation/resources/kinds.js';
import { type ApiProcess, startApi } from '../federation/runtime/api-process.js';
import { kubernetesClientFactory } from '../federation/runtime/kube-client-factory.js';
import { connectRedis } from '../federation/runtime/redis-connection.js';
import { type ControlPlaneWorker, startWorker } from '../federation/runtime/worker.js';
import { DEFAULT_EVENT_RETENTION, ResourceStore } from '../federation/store/resource-store.js';
import { KubernetesClient } from '../providers/kubernetes/kubernetes-client.js';
import { AppliedTracker } from './support/applied-tracker.js';
import { benchArgs } from './support/bench-args.js';
import { type BaselineResult, bullmqBaseline } from './support/bullmq-baseline.js';
import { type ChildFleet, memberClusterOf, startChildFleet } from './support/fleet-child.js';
import { isStopping, onCleanUp, runBench, say, startBench } from './support/lifecycle.js';
import { NGINX, startNginxEcho } from './support/nginx-echo.js';
import { processCpuSeconds } from './support/process-cpu.js';
import {
  commandCalls,
  commandDelta,
  info,
  memoryByGroup,
  mib,
  redisCpuSeconds,
  usedMemory,
} from './support/redis-stats.js';

const { values: flags } = parseArgs({
  args: benchArgs(),
  options: {
    templates: { type: 'string', default: '1000' },
    clusters: { type: 'string', default: '20' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1' },
    targets: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    'round-templates': { type: 'string', default: '400' },
    batch: { type: 'string', default: '100' },
    inflight: { type: 'string', default: '4' },
  },
});
const CFG = {
  templates: Number(flags.templates),
  clusters: Number(flags.clusters),
  rate: Number(flags.rate),
  seconds: Number(flags.seconds),
  workers: Number(flags.workers),
  targets: Number(flags.targets),
  rounds: Number(flags.rounds),
  roundTemplates: Number(flags['round-templates']),
  batch: Number(flags.batch),
  inflight: Number(flags.inflight),
};
const CONCURRENCY = { placement: 16, propagation: 64, maintenance: 8 };
const SHARD_LABEL = 'bench.fedgate.dev/shard';
const NAMESPACE = 'bench';
const STORE_PREFIX = '{fg}';
const QUEUE_PREFIX = '{fgq}';
const WAIT_MS = 120_000;
/** Drains of the no-op baseline; the median counts. */
const BASELINE_RUNS = 5;
/** The no-op baseline drains this many times the pipeline's jobs per run (in the same mix), so a run lasts about a second. */
const BASELINE_SCALE = 4;
/** How many change events the store's stream keeps (ResourceStoreProps.eventRetention default). */
const EVENT_RETENTION = DEFAULT_EVENT_RETENTION;

interface MemRound {
  readonly label: string;
  readonly updates: number;
  readonly seconds: number | undefined;
  readonly used: number;
  readonly completed: readonly [number, number];
  readonly queueBytes: number;
  readonly storeBytes: number;
  readonly streamBytes: number;
  readonly streamEntries: number;
}

/** What a phase printed, gathered for the summary table. */
const rows: [string, string, string][] = [];
const row = (what: string, value: string, note = '') => rows.push([what, value, note]);

/** A bench connection whose errors (Redis stopped by Ctrl-C) are not reported as unhandled. */
function quiet(redis: Redis): Redis {
  redis.on('error', (err: Error) => {
    if (!isStopping()) say(`redis: ${err.message}`);
  });
  return redis;
}

function deployment(i: number, prefix: string, shards: number, image: string) {
  const name = `${prefix}${i}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NAMESPACE, labels: { app: name, [SHARD_LABEL]: `s${i % shards}` } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
        },
      },
    },
  };
}

/** Policies: templates of shard k go to `targets` clusters of shard k (Duplicated, spread by cluster). */
function policies(shards: number, targets: number) {
  return Array.from({ length: shards }, (_, k) => ({
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'PlacementPolicy',
    metadata: { name: `bench-s${k}` },
    spec: {
      resourceSelectors: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          labelSelector: { matchLabels: { [SHARD_LABEL]: `s${k}` } },
        },
      ],
      clusterAffinity: { labelSelector: { matchLabels: { [SHARD_LABEL]: `s${k}` } } },
      spreadConstraints: [{ spreadByField: 'cluster', minGroups: targets, maxGroups: targets }],
      replicaScheduling: { type: 'Duplicated' },
    },
  }));
}

interface Api {
  post(path: string, body: unknown): Promise<{ items: { name: string; generation?: number }[] }>;
}

function apiClient(api: ApiProcess, token: string): Api {
  return {
    async post(path, body) {
      const res = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text.slice(0, 500)}`);
      return JSON.parse(text) as { items: { name: string; generation?: number }[] };
    },
  };
}

/** Completed (and failed) jobs per queue, summed over the workers' metric registries. */
async function jobTotals(registries: readonly Registry[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of registries) {
    const c = r.getSingleMetric('fedgate_jobs_total') as Counter | undefined;
    for (const v of (await c?.get())?.values ?? []) {
      const k = `${v.labels.queue}.${v.labels.outcome}`;
      out[k] = (out[k] ?? 0) + v.value;
    }
  }
  return out;
}

const pipelineJobs = (t: Record<string, number>) =>
  (t['placement.completed'] ?? 0) + (t['propagation.completed'] ?? 0);

/** CPU milliseconds per unit between two readings of processCpuSeconds (undefined without /proc). */
function cpuMsPer(before: number | undefined, after: number | undefined, units: number): number | undefined {
  return before === undefined || after === undefined ? undefined : ((after - before) * 1000) / units;
}

const fmtMs = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${ms.toFixed(2)} ms`);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function waitFor<T>(what: string, ms: number, fn: () => Promise<T | false>, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * The floor under any implementation of the pipeline: raw BullMQ running the same job mix (one
 * placement and `targets` propagations per template), where a placement job does nothing and a
 * propagation job does only its server-side apply of the template's Deployment to one cluster of
 * the template's shard, through the Kubernetes adapter (`clients[i]` is cluster i). Every apply
 * creates a Deployment (named `prefix` + index), as the pipeline's throughput phase does.
 */
function applyFloor(
  redisUrl: string,
  clients: readonly KubernetesClient[],
  templates = CFG.templates,
  prefix = 'f',
): Promise<BaselineResult> {
  const shards = Math.max(1, Math.floor(CFG.clusters / CFG.targets));
  return bullmqBaseline(
    redisUrl,
    [
      { name: QUEUE_NAMES.placement, jobs: templates, concurrency: CONCURRENCY.placement },
      {
        name: QUEUE_NAMES.propagation,
        jobs: templates * CFG.targets,
        concurrency: CONCURRENCY.propagation,
        process: (j) => {
          const t = Math.floor(j / CFG.targets);
          const cluster = clients[(t % shards) + (j % CFG.targets) * shards]!;
          return cluster.apply([deployment(t, prefix, shards, 'nginx:1.0')], { fieldManager: FIELD_MANAGER });
        },
      },
    ],
    CFG.workers,
  );
}

const clientFor = (name: string, url: string) =>
  KubernetesClient.connect({ name, server: url, insecureSkipTLSVerify: true });

/**
 * The floor against a fresh simulated fleet (closed after), with the fleet's CPU per apply. A
 * warm-up drain of a quarter of the templates (other names, not counted) runs first on the same
 * fleet, so neither this process's JIT nor the fleet's is measured cold: the pipeline is measured
 * after a warm-up too.
 */
async function simulatedFloor(redisUrl: string, dir: string) {
  const fleet = await startChildFleet({ clusters: CFG.clusters, guardDir: dir, prefix: 'floor' });
  try {
    const clients = fleet.clusters.map((c) => clientFor(c.name, c.url));
    await applyFloor(redisUrl, clients, Math.max(1, Math.round(CFG.templates / 4)), 'fw');
    const before = await processCpuSeconds(fleet.pid);
    const result = await applyFloor(redisUrl, clients);
    const after = await processCpuSeconds(fleet.pid);
    return { ...result, fleetCpuMsPerApply: cpuMsPer(before, after, CFG.templates * CFG.targets) };
  } finally {
    await fleet.close();
  }
}

/**
 * The floor against nginx answering every apply with a fixed object: member clusters that cost
 * next to nothing, so the rate is what the client side (BullMQ, client-node, HTTP) allows. Undefined
 * without nginx.
 */
async function clientOnlyFloor(redisUrl: string, dir: string): Promise<BaselineResult | undefined> {
  if (
    !(await access(NGINX).then(
      () => true,
      () => false,
    ))
  )
    return undefined;
  const nginx = await startNginxEcho(join(dir, 'nginx'), deployment(0, 'f', 1, 'nginx:1.0'));
  try {
    return await applyFloor(
      redisUrl,
      Array.from({ length: CFG.clusters }, (_, i) => clientFor(`echo${i}`, nginx.url)),
    );
  } finally {
    await nginx.close();
  }
}

/**
 * Applies templates in batches, CFG.inflight requests at a time (the API applies one request's items
 * in order, so one request at a time would measure the API's serial apply rather than the
 * pipeline), and resolves when every one is applied everywhere (or the wait ends).
 */
async function applyAll(
  api: Api,
  tracker: AppliedTracker,
  count: number,
  prefix: string,
  shards: number,
  image: string,
): Promise<{ seconds: number; postSeconds: number; applied: number }> {
  const started = performance.now();
  const waits: Promise<number>[] = [];
  let next = 0;
  const sender = async () => {
    while (next < count) {
      const first = next;
      next = Math.min(count, next + CFG.batch);
      const items = Array.from({ length: next - first }, (_, j) =>
        deployment(first + j, prefix, shards, image),
      );
      const res = await api.post('/api/v1/apply', { items });
      for (const it of res.items)
        waits.push(
          tracker.expect({
            kind: 'Deployment',
            namespace: NAMESPACE,
            name: it.name,
            generation: it.generation ?? 1,
          }),
        );
    }
  };
  await Promise.all(Array.from({ length: CFG.inflight }, sender));
  const postSeconds = (performance.now() - started) / 1000;
  const ok = (await settleWithin(waits, tracker)).filter((t) => !Number.isNaN(t));
  const last = ok.length > 0 ? Math.max(...ok) : performance.now();
  return { seconds: (last - started) / 1000, postSeconds, applied: ok.length };
}

/** Waits for every template, at most WAIT_MS; those still pending then count as NaN (not applied). */
async function settleWithin(waits: readonly Promise<number>[], tracker: AppliedTracker): Promise<number[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, WAIT_MS);
  });
  await Promise.race([Promise.all(waits), timeout]);
  clearTimeout(timer);
  tracker.abandon();
  return Promise.all(waits);
}

/**
 * Waits until no placement or propagation job is waiting, active or delayed, and no status check
 * backing up a watch is pending in any cluster (status checks done). Those come 15, 30 and 60 s
 * apart: when a loaded machine makes the watches lag behind the first one, the chain outlasts 30 s,
 * so the wait is WAIT_MS.
 */
async function quiesce(
  worker: ControlPlaneWorker,
  after: string,
  deferredLeft: () => Promise<number>,
  ms = WAIT_MS,
): Promise<void> {
  let left = '';
  try {
    await waitFor(
      'queues to drain',
      ms,
      async () => {
        const counts = await Promise.all(
          [worker.queues.placement, worker.queues.propagation].map((q) =>
            q.getJobCounts('wait', 'active', 'delayed', 'prioritized'),
          ),
        );
        const deferred = await deferredLeft();
        left = `${counts.map((c) => Object.values(c).reduce((a, b) => a + b, 0)).join(' / ')} / ${deferred}`;
        return (deferred === 0 && counts.every((c) => Object.values(c).every((n) => n === 0))) || false;
      },
      200,
    );
  } catch {
    // A loaded machine can stretch the status checks' chain past the wait: the figures still stand,
    // the next phase starts with those jobs pending, and the report says so.
    undrained.push(`${after}: ${left}`);
    say(
      `! ${after}: queues not drained after ${ms / 1000} s (placement / propagation jobs / deferred status checks left: ${left})`,
    );
  }
}

/** Phases after which the queues did not drain in time (see quiesce). */
const undrained: string[] = [];

async function main(): Promise<void> {
  const log = pino({ level: process.env.FEDGATE_BENCH_LOG ?? 'silent' });
  const { redis, dir } = await startBench('pipeline');
  const admin = quiet(connectRedis(redis.url));
  onCleanUp(async () => admin.disconnect());
  say(`✓ redis-server on ${redis.url} (no persistence)`);

  // 1. Baseline: the same job mix as the pipeline (one placement and `targets` propagations per
  // template, BASELINE_SCALE times the pipeline's count), drained once to warm up and then
  // BASELINE_RUNS times; the median run counts.
  const mix = [
    { name: QUEUE_NAMES.placement, jobs: CFG.templates * BASELINE_SCALE, concurrency: CONCURRENCY.placement },
    {
      name: QUEUE_NAMES.propagation,
      jobs: CFG.templates * CFG.targets * BASELINE_SCALE,
      concurrency: CONCURRENCY.propagation,
    },
  ];
  await bullmqBaseline(redis.url, mix, CFG.workers); // warm-up (JIT), not counted
  const runs: BaselineResult[] = [];
  for (let r = 0; r < BASELINE_RUNS; r++) runs.push(await bullmqBaseline(redis.url, mix, CFG.workers));
  runs.sort((a, b) => a.jobsPerSecond - b.jobsPerSecond);
  const baseline = runs[Math.floor(runs.length / 2)]!;
  say(
    `✓ baseline: ${baseline.jobs} no-op jobs, ${runs.length} runs: ${runs.map((b) => b.jobsPerSecond.toFixed(0)).join(', ')} jobs/s`,
  );
  await admin.flushall();

  // 1b. The floor: the same job mix on raw BullMQ, each propagation job doing nothing but the
  // server-side apply it exists for (the Kubernetes adapter alone, no store), against a fleet of its own.
  const floor = await simulatedFloor(redis.url, dir);
  say(
    `✓ floor: ${floor.jobs} jobs, ${CFG.templates * CFG.targets} of them applies, in ${floor.seconds.toFixed(2)} s`,
  );
  await admin.flushall();
  const clientFloor = await clientOnlyFloor(redis.url, dir);
  say(
    clientFloor
      ? `✓ client-side floor (nginx answering): ${clientFloor.jobs} jobs in ${clientFloor.seconds.toFixed(2)} s`
      : `! ${NGINX} not found (Debian package nginx-light): client-side floor left out`,
  );
  await admin.flushall();

  // 2. The control plane and the fleet.
  const redisPid = Number((await info(admin, 'server')).get('process_id') ?? 0);
  const fleet: ChildFleet = await startChildFleet({
    clusters: CFG.clusters,
    guardPid: redisPid,
    guardDir: dir,
  });
  onCleanUp(() => fleet.close());
  say(`✓ ${fleet.clusters.length} simulated clusters in child process ${fleet.pid}`);
  const token = randomBytes(16).toString('hex');
  const apiProcess = await startApi({ redisUrl: redis.url, token, log, metrics: new Registry() });
  onCleanUp(() => apiProcess.close());
  const registries: Registry[] = [];
  const workers: ControlPlaneWorker[] = [];
  for (let w = 0; w < CFG.workers; w++) {
    const metrics = new Registry();
    registries.push(metrics);
    const worker = await startWorker({
      redisUrl: redis.url,
      clientFactory: kubernetesClientFactory(),
      log,
      metrics,
      concurrency: CONCURRENCY,
    });
    onCleanUp(() => worker.close());
    workers.push(worker);
  }
  const worker = workers[0]!;
  // Read on the bench's own connection: not counted as fedgate's commands.
  const deferredChecks = new WatchedStatusChecks(admin, worker.store.keys);
  const deferredLeft = () => deferredChecks.count(fleet.clusters.map((c) => c.name));
  const api = apiClient(apiProcess, token);
  const shards = Math.max(1, Math.floor(CFG.clusters / CFG.targets));
  await api.post('/api/v1/apply', {
    items: fleet.clusters.map((c, i) => memberClusterOf(c, { [SHARD_LABEL]: `s${i % shards}` })),
  });
  await waitFor('member clusters Ready', 60_000, async () => {
    const { items } = await apiProcess.store.list(MEMBER_CLUSTER_TYPE);
    const ready = items.filter((mc) =>
      (mc as MemberClusterObject).status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    return ready.length === CFG.clusters || false;
  });
  // Steady state: every cluster's workload watch current (readiness comes from the watches).
  await waitFor('workload watches current', 60_000, async () =>
    worker.watchesCurrent(fleet.clusters.map((c) => c.name)),
  );
  await api.post('/api/v1/apply', { items: policies(shards, CFG.targets) });
  say(`✓ API ${apiProcess.url}, ${CFG.workers} worker(s), clusters Ready and watched, ${shards} policies`);

  const trackerConn = quiet(connectRedis(redis.url));
  const subscriber = quiet(connectRedis(redis.url));
  const tracker = new AppliedTracker(new ResourceStore(trackerConn), subscriber);
  onCleanUp(async () => {
    await tracker.close();
    trackerConn.disconnect();
    subscriber.disconnect();
  });
  await tracker.start();
  await quiesce(worker, 'the start', deferredLeft);

  // 2b. Warm-up, as for the floors: a quarter of the templates (other names, not counted) through
  // the whole pipeline, so JIT and connections are warm when the throughput is measured.
  const warmUp = await applyAll(
    api,
    tracker,
    Math.max(1, Math.round(CFG.templates / 4)),
    'w',
    shards,
    'nginx:1.0',
  );
  say(`✓ warm-up: ${warmUp.applied} templates applied everywhere in ${warmUp.seconds.toFixed(2)} s`);
  await quiesce(worker, 'the warm-up', deferredLeft);

  // 3. Throughput.
  const memBefore = await usedMemory(admin);
  const cmdBefore = await commandCalls(admin);
  const jobsBefore = await jobTotals(registries);
  const redisCpuBefore = await redisCpuSeconds(admin);
  const cpuBefore = process.cpuUsage();
  const readsBefore = tracker.reads;
  const fleetCpuBefore = await processCpuSeconds(fleet.pid);
  const tp = await applyAll(api, tracker, CFG.templates, 't', shards, 'nginx:1.0');
  const cpu = process.cpuUsage(cpuBefore);
  const fleetCpuMsPerApply = cpuMsPer(
    fleetCpuBefore,
    await processCpuSeconds(fleet.pid),
    CFG.templates * CFG.targets,
  );
  const trackerReads = tracker.reads - readsBefore;
  const redisCpu = (await redisCpuSeconds(admin)) - redisCpuBefore;
  const jobsAfter = await jobTotals(registries);
  const cmdAfter = await commandCalls(admin);
  const jobs = pipelineJobs(jobsAfter) - pipelineJobs(jobsBefore);
  const jobsPerSecond = jobs / tp.seconds;
  say(`✓ throughput: ${tp.applied}/${CFG.templates} applied everywhere in ${tp.seconds.toFixed(2)} s`);
  await quiesce(worker, 'the throughput phase', deferredLeft);
  // Up to the drain as well: the status checks of the last templates, which come after them.
  const cpuDrained = process.cpuUsage(cpuBefore);
  const memAfter = await usedMemory(admin);
  const cmds = commandDelta(cmdBefore, cmdAfter);
  const cmdTotal = cmds.reduce((s, [, n]) => s + n, 0);
  // Up to the drain: the status checks of the last templates included (and whatever else ran meanwhile).
  const cmdDrained = commandDelta(cmdBefore, await commandCalls(admin)).reduce((s, [, n]) => s + n, 0);
  const trackerReadsDrained = tracker.reads - readsBefore;

  // 3b. The floor again, right after: on a shared machine the load moves between the runs; the
  // pipeline is compared with the mean of the floors before and after it.
  const floorAfter = await simulatedFloor(redis.url, dir);
  say(`✓ floor again: ${floorAfter.jobs} jobs in ${floorAfter.seconds.toFixed(2)} s`);

  // 4. Latency at a steady rate.
  const lat = await steadyLatency(api, tracker, shards);
  say(`✓ latency: ${lat.applied}/${lat.sent} applied everywhere`);
  await quiesce(worker, 'the latency phase', deferredLeft);

  // 5. Memory as finished jobs accumulate over rounds of updates of the throughput templates.
  const memRounds: MemRound[] = [];
  const memRow = async (label: string, updates: number, seconds: number | undefined) => {
    const counts = await Promise.all(
      [worker.queues.placement, worker.queues.propagation].map((q) => q.getJobCounts('completed')),
    );
    const groups = await memoryByGroup(admin, STORE_PREFIX, QUEUE_PREFIX);
    let queueBytes = 0;
    for (const [g, v] of groups) if (g.startsWith('queue ')) queueBytes += v.bytes;
    memRounds.push({
      label,
      updates,
      seconds,
      used: await usedMemory(admin),
      completed: [counts[0]!.completed ?? 0, counts[1]!.completed ?? 0],
      queueBytes,
      storeBytes:
        (groups.get('store objects')?.bytes ?? 0) + (groups.get('store cluster statuses')?.bytes ?? 0),
      streamBytes: groups.get('store change stream')?.bytes ?? 0,
      streamEntries: await admin.xlen(`${STORE_PREFIX}:events`),
    });
  };
  await memRow('after the latency phase', 0, undefined);
  const perRound = Math.min(CFG.roundTemplates, CFG.templates);
  for (let r = 1; r <= CFG.rounds; r++) {
    const u = await applyAll(api, tracker, perRound, 't', shards, `nginx:1.${r}`);
    if (u.applied < perRound) say(`! round ${r}: ${u.applied}/${perRound} applied`);
    await quiesce(worker, `update round ${r}`, deferredLeft);
    await memRow(`update round ${r}`, perRound, u.seconds);
    say(`✓ update round ${r}: ${u.applied}/${perRound} in ${u.seconds.toFixed(1)} s`);
  }
  const failed = await jobTotals(registries);

  // Report.
  const templatesPerSecond = tp.applied / tp.seconds;
  const floorJobsPerSecond = floor.jobsPerSecond;
  const floorTemplatesPerSecond = floorJobsPerSecond / (1 + CFG.targets);
  const floorAfterTemplatesPerSecond = floorAfter.jobsPerSecond / (1 + CFG.targets);
  // The pipeline ran between the two floors: on a machine whose load drifts, their mean is the
  // floor of that moment.
  const floorMeanTemplatesPerSecond = (floorTemplatesPerSecond + floorAfterTemplatesPerSecond) / 2;
  const floorRatio = templatesPerSecond / floorMeanTemplatesPerSecond;
  const ratio = jobsPerSecond / baseline.jobsPerSecond;
  const memPer1000 = ((memAfter - memBefore) / CFG.templates) * 1000;
  row(
    'raw BullMQ no-op (jobs/s)',
    baseline.jobsPerSecond.toFixed(0),
    `median of ${runs.length} runs of ${baseline.jobs} jobs (${runs[0]!.jobsPerSecond.toFixed(0)}–${runs[runs.length - 1]!.jobsPerSecond.toFixed(0)}); ${baseline.cpuMsPerJob.toFixed(2)} ms CPU per job`,
  );
  row(
    'templates applied everywhere (/s)',
    templatesPerSecond.toFixed(1),
    `${tp.applied}/${CFG.templates} to ${CFG.targets} clusters each in ${tp.seconds.toFixed(2)} s (POSTs ${tp.postSeconds.toFixed(2)} s)`,
  );
  row(
    'fedgate queue jobs (/s)',
    jobsPerSecond.toFixed(0),
    `${jobs} placement+propagation jobs (${(jobs / CFG.templates).toFixed(2)} per template); ${((cpu.user + cpu.system) / 1000 / jobs).toFixed(2)} ms CPU per job`,
  );
  row('fedgate ÷ raw BullMQ', `${(ratio * 100).toFixed(1)} %`, `target ≥ 50 % ${ratio >= 0.5 ? '✓' : '✗'}`);
  row(
    'floor: raw BullMQ + one apply per propagation job (/s)',
    floorJobsPerSecond.toFixed(0),
    `${floor.jobs} jobs, the same mix; ${floor.cpuMsPerJob.toFixed(2)} ms CPU per job; ${((100 * floorJobsPerSecond) / baseline.jobsPerSecond).toFixed(1)} % of no-op; run again after fedgate's: ${floorAfter.jobsPerSecond.toFixed(0)} jobs/s`,
  );
  row(
    'client-side floor: the same against nginx (/s)',
    clientFloor ? clientFloor.jobsPerSecond.toFixed(0) : 'n/a',
    clientFloor
      ? `nginx answers every apply at once: ${clientFloor.cpuMsPerJob.toFixed(2)} ms CPU per job; ${((100 * clientFloor.jobsPerSecond) / baseline.jobsPerSecond).toFixed(1)} % of no-op`
      : 'needs nginx (Debian package nginx-light)',
  );
  row(
    'simulated fleet CPU per apply: floor / fedgate',
    `${fmtMs(floor.fleetCpuMsPerApply)} / ${fmtMs(fleetCpuMsPerApply)}`,
    "the member clusters' API servers, which share this machine's cores here",
  );
  row(
    'fedgate ÷ floor, in templates/s',
    `${(100 * floorRatio).toFixed(1)} %`,
    `target ≥ 75 % ${floorRatio >= 0.75 ? '✓' : '✗'}; what fedgate keeps of the rate the applies alone allow: ${templatesPerSecond.toFixed(1)} against the mean of the floors run just before and just after it (${floorTemplatesPerSecond.toFixed(1)} and ${floorAfterTemplatesPerSecond.toFixed(1)} templates/s, each after a warm-up drain, as fedgate runs after one: ${((100 * templatesPerSecond) / floorTemplatesPerSecond).toFixed(1)} % and ${((100 * templatesPerSecond) / floorAfterTemplatesPerSecond).toFixed(1)} %); compared per template, since fedgate's jobs per template vary with its status checks`,
  );
  row(
    `latency at ${CFG.rate}/s, p50`,
    `${lat.p50.toFixed(0)} ms`,
    `${lat.applied}/${lat.sent} templates, sent at ${lat.achievedRate.toFixed(1)}/s${lat.failed > 0 ? `; ${lat.failed} requests failed` : ''}`,
  );
  row('latency p90', `${lat.p90.toFixed(0)} ms`);
  row('latency p99', `${lat.p99.toFixed(0)} ms`, `target ≤ 2000 ms ${lat.p99 <= 2000 ? '✓' : '✗'}`);
  row(
    'latency max',
    `${lat.max.toFixed(0)} ms`,
    CFG.rate > templatesPerSecond
      ? `offered ${CFG.rate}/s > measured capacity ${templatesPerSecond.toFixed(1)}/s: the figures are queueing`
      : '',
  );
  row(
    'control-plane CPU per template',
    `${((cpu.user + cpu.system) / 1000 / CFG.templates).toFixed(2)} ms`,
    `floor ${(floor.cpuMsPerJob * (1 + CFG.targets)).toFixed(2)} ms; API + worker(s) + tracker, one process (${((cpu.user + cpu.system) / 1e6 / tp.seconds).toFixed(2)} cores busy); redis-server ${((redisCpu * 1000) / CFG.templates).toFixed(2)} ms (floor ${((floor.redisCpuSeconds * 1000) / CFG.templates).toFixed(2)} ms); counted on to the queues' drain: ${((cpuDrained.user + cpuDrained.system) / 1000 / CFG.templates).toFixed(2)} ms`,
  );
  row(
    'Redis used_memory per 1,000 templates',
    mib(memPer1000),
    'growth over the throughput phase: store + completed jobs kept + change stream',
  );
  const settled = memRounds[0];
  if (settled) {
    const stored = CFG.templates + lat.sent;
    row(
      '  of which the store (objects, statuses)',
      mib((settled.storeBytes / stored) * 1000),
      `per 1,000 templates; MEMORY USAGE of its keys over ${stored} templates with their Bindings`,
    );
  }
  const floorCommands = floor.redisCommands / CFG.templates;
  // The bench's own reads (the tracker's) are not fedgate's work: the floor has none.
  const commandsPerTemplate = (cmdTotal - trackerReads) / CFG.templates;
  const drainedPerTemplate = (cmdDrained - trackerReadsDrained) / CFG.templates;
  row(
    'Redis commands per template: fedgate / floor',
    `${commandsPerTemplate.toFixed(1)} / ${floorCommands.toFixed(1)}`,
    `INFO commandstats, scripts' inner calls included, from the first POST to the last template applied everywhere, without the bench's own reads (below); fedgate's excess over the floor ${(commandsPerTemplate - floorCommands).toFixed(1)}; counted on to the queues' drain (the last status checks done, and the background work of that time): ${drainedPerTemplate.toFixed(1)}; fedgate's top: ${topCommands(cmds, CFG.templates)}`,
  );
  row(
    'measurement reads per template',
    (trackerReads / CFG.templates).toFixed(1),
    `the bench's own (keyspace-notified) reads, left out of fedgate's commands above (${((100 * trackerReads) / Math.max(1, cmdTotal)).toFixed(1)} % of all commands)`,
  );
  if (undrained.length > 0)
    row(
      'queues not drained in time',
      String(undrained.length),
      `${undrained.join('; ')} (placement / propagation jobs / deferred status checks left)`,
    );
  row(
    'jobs failed (retried)',
    String((failed['placement.failed'] ?? 0) + (failed['propagation.failed'] ?? 0)),
    'over the whole run',
  );

  const out = (s = '') => process.stdout.write(`${s}\n`);
  out();
  out('configuration');
  out(`  node ${process.version}, ${cpus().length} CPUs (shared machine: figures taken under load)`);
  out(
    `  ${CFG.workers} worker(s); concurrency placement ${CONCURRENCY.placement}, propagation ${CONCURRENCY.propagation}, maintenance ${CONCURRENCY.maintenance}`,
  );
  out(
    `  ${CFG.clusters} simulated clusters in a child process, ${shards} policies, each template Duplicated to ${CFG.targets} clusters`,
  );
  out(
    `  ${CFG.templates} templates in batches of ${CFG.batch}, ${CFG.inflight} requests in flight; latency at ${CFG.rate}/s for ${CFG.seconds} s`,
  );
  out();
  printTable(['measure', 'value', 'notes'], rows);
  out();
  out('Redis memory as updates accumulate (completed jobs kept per queue: placement / propagation)');
  printTable(
    ['after', 'took', 'used_memory', 'completed kept', 'queue keys', 'store', 'change stream (entries)'],
    memRounds.map((m) => [
      m.label,
      m.seconds === undefined ? '' : `${m.updates} updates in ${m.seconds.toFixed(1)} s`,
      mib(m.used),
      `${m.completed[0]} / ${m.completed[1]}`,
      mib(m.queueBytes),
      mib(m.storeBytes),
      `${mib(m.streamBytes)} (${m.streamEntries})`,
    ]),
  );
  const first = memRounds[0];
  const last = memRounds[memRounds.length - 1];
  if (first && last && last !== first) {
    const updates = memRounds.reduce((s, m) => s + m.updates, 0);
    const per1000 = (b: number) => mib(((b / updates) * 1000) | 0);
    const perEntry = last.streamBytes / Math.max(1, last.streamEntries);
    out(
      `  per 1,000 updates: used_memory ${per1000(last.used - first.used)}, queues ${per1000(last.queueBytes - first.queueBytes)}, store ${per1000(last.storeBytes - first.storeBytes)}, change stream ${per1000(last.streamBytes - first.streamBytes)}`,
    );
    out(
      `  the change stream is trimmed at ~${EVENT_RETENTION.toLocaleString('en')} entries (store eventRetention): at ${(perEntry / 1024).toFixed(1)} KiB per entry it levels off near ${mib(perEntry * EVENT_RETENTION)}`,
    );
  }
}

/**
 * Applies one template per request at CFG.rate for CFG.seconds. Latency runs from each request's
 * scheduled send time (not the moment a busy event loop got round to it, which would hide the
 * queueing: coordinated omission) to the moment it is applied everywhere. When the loop falls
 * behind, every request already due is sent at once, so the offered rate holds.
 */
async function steadyLatency(api: Api, tracker: AppliedTracker, shards: number) {
  const n = Math.round(CFG.rate * CFG.seconds);
  const interval = 1000 / CFG.rate;
  const started = performance.now();
  const latencies: Promise<number>[] = [];
  let postErrors = 0;
  const send = (i: number) => {
    const scheduled = started + i * interval;
    latencies.push(
      api
        .post('/api/v1/apply', { items: [deployment(i, 'l', shards, 'nginx:1.0')] })
        .then((res) =>
          tracker.expect({
            kind: 'Deployment',
            namespace: NAMESPACE,
            name: res.items[0]!.name,
            generation: res.items[0]!.generation ?? 1,
          }),
        )
        .then(
          (at) => at - scheduled,
          // A request the loaded API could not answer counts as not applied (said below), not as a failed run.
          (err: unknown) => {
            if (postErrors++ === 0) say(`! latency phase: a request failed: ${(err as Error).message}`);
            return Number.NaN;
          },
        ),
    );
  };
  for (let i = 0; i < n; ) {
    const due = Math.min(n, Math.floor((performance.now() - started) / interval) + 1);
    for (; i < due; i++) send(i);
    if (i < n) await sleep(started + i * interval - performance.now());
  }
  const sendSeconds = (performance.now() - started) / 1000;
  const ok = (await settleWithin(latencies, tracker)).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return {
    sent: n,
    failed: postErrors,
    applied: ok.length,
    achievedRate: n / sendSeconds,
    p50: percentile(ok, 50),
    p90: percentile(ok, 90),
    p99: percentile(ok, 99),
    max: ok[ok.length - 1] ?? Number.NaN,
  };
}

function topCommands(cmds: readonly [string, number][], templates: number): string {
  return cmds
    .slice(0, 6)
    .map(([c, n]) => `${c} ${(n / templates).toFixed(1)}`)
    .join(', ');
}

function printTable(head: readonly string[], body: readonly (readonly string[])[]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  process.stdout.write(`${line(head)}\n${line(widths.map((w) => '─'.repeat(w)))}\n`);
  for (const r of body) process.stdout.write(`${line(r)}\n`);
}

runBench('pipeline', main);
