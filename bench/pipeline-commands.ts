/**
 * Where the pipeline's Redis commands go: applies templates through the whole control plane (as
 * bench/pipeline.ts does, smaller) while MONITOR records every command on the bench's private
 * Redis, and attributes each to what issued it: a BullMQ or store script (with the commands it ran
 * inside, and for BullMQ the queue and the kind of job it touched), or a plain command by key group.
 * Counts are per template, from the first POST to the queues' drain (status checks included);
 * the bench's own reads are left out. MONITOR slows Redis down: the figures are counts, not rates.
 *
 * Usage: npx tsx bench/pipeline-commands.ts [--templates 300 --clusters 20 --targets 3]
 *        [--status-checks 40 --watched-check-delay 15000 --drift 60000]
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { MemberClusterObject } from '../federation/reconcile/cluster-snapshot.js';
import { WatchedStatusChecks } from '../federation/reconcile/watched-status-checks.js';
import { MEMBER_CLUSTER_TYPE } from '../federation/resources/kinds.js';
import { type ApiProcess, startApi } from '../federation/runtime/api-process.js';
import { kubernetesClientFactory } from '../federation/runtime/kube-client-factory.js';
import { connectRedis } from '../federation/runtime/redis-connection.js';
import { type ControlPlaneWorker, startWorker } from '../federation/runtime/worker.js';
import { ResourceStore } from '../federation/store/resource-store.js';
import {
  INDEX_BACKFILL_SCRIPT,
  MEMBER_STATUS_SCRIPT,
  READ_SCRIPT,
  WRITE_SCRIPT,
} from '../federation/store/scripts.js';
import { AppliedTracker } from './support/applied-tracker.js';
import { benchArgs } from './support/bench-args.js';
import { memberClusterOf, startChildFleet } from './support/fleet-child.js';
import { onCleanUp, runBench, say, startBench } from './support/lifecycle.js';

const { values: flags } = parseArgs({
  args: benchArgs(),
  options: {
    templates: { type: 'string', default: '300' },
    clusters: { type: 'string', default: '20' },
    targets: { type: 'string', default: '3' },
    'status-checks': { type: 'string' },
    'watched-check-delay': { type: 'string' },
    drift: { type: 'string' },
    'no-monitor': { type: 'boolean', default: false },
    /** Writes a CPU profile of this process (API, worker, tracker) over the measured phase to this file. */
    'cpu-profile': { type: 'string' },
  },
});
const N = Number(flags.templates);
const CLUSTERS = Number(flags.clusters);
const TARGETS = Number(flags.targets);
const SHARD = 'bench.fedgate.dev/shard';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, ms: number, fn: () => Promise<T | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function deployment(i: number, prefix: string, shards: number) {
  const name = `${prefix}${i}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'bench', labels: { app: name, [SHARD]: `s${i % shards}` } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.0' }] },
      },
    },
  };
}

function policies(shards: number) {
  return Array.from({ length: shards }, (_, k) => ({
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'PlacementPolicy',
    metadata: { name: `bench-s${k}` },
    spec: {
      resourceSelectors: [
        { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { [SHARD]: `s${k}` } } },
      ],
      clusterAffinity: { labelSelector: { matchLabels: { [SHARD]: `s${k}` } } },
      spreadConstraints: [{ spreadByField: 'cluster', minGroups: TARGETS, maxGroups: TARGETS }],
      replicaScheduling: { type: 'Duplicated' },
    },
  }));
}

/** Script names by SHA1: BullMQ's (from its package) and the store's. */
async function scriptNames(): Promise<Map<string, string>> {
  const sha = (s: string) => createHash('sha1').update(s).digest('hex');
  const out = new Map<string, string>([
    [sha(WRITE_SCRIPT), 'store fgWrite'],
    [sha(MEMBER_STATUS_SCRIPT), 'store fgMemberStatus'],
    [sha(READ_SCRIPT), 'store fgRead'],
    [sha(INDEX_BACKFILL_SCRIPT), 'store fgIndexBackfill'],
  ]);
  const require = createRequire(import.meta.url);
  const index = join(dirname(require.resolve('bullmq')), '..', 'esm', 'scripts', 'index.js');
  const bull = (await import(index)) as Record<string, { name: string; content: string }>;
  for (const script of Object.values(bull)) out.set(sha(script.content), `bullmq ${script.name}`);
  return out;
}

const RESERVED = new Set([
  'wait',
  'active',
  'delayed',
  'meta',
  'events',
  'id',
  'marker',
  'stalled',
  'completed',
  'failed',
  'prioritized',
  'pc',
  'paused',
  'limiter',
  'stalled-check',
  'repeat',
  'de',
  'waiting-children',
]);

/** The kind of job a BullMQ job id names. */
function jobKind(id: string): string {
  if (id.includes('+s')) return 'status-check';
  if (id.includes('+h')) return 'heal';
  if (/^[a-z-]+\//.test(id) && !id.includes('@')) return id.slice(0, id.indexOf('/'));
  if (id.startsWith('repeat')) return 'scheduled';
  const at = id.indexOf('@');
  if (at < 0) return 'other';
  return id.slice(0, at).split('/').length === 3 ? 'place' : 'propagate';
}

/** What a plain command's first key belongs to. */
function keyGroup(key: string | undefined): string {
  if (!key) return '';
  const q = /^\{fgq\}:([^:]+):?([^:]*)/.exec(key);
  if (q) return `queue ${q[1]}${RESERVED.has(q[2] ?? '') ? `:${q[2]}` : ' job'}`;
  const s = /^\{fg\}:([^:]+)/.exec(key);
  if (s) return `store ${s[1]}`;
  return key.slice(0, 20);
}

interface Call {
  label: string;
  top: string[];
  inner: string[][];
}

class Attribution {
  readonly counts = new Map<string, number>();
  private open: Call | undefined;
  total = 0;

  constructor(
    private readonly names: Map<string, string>,
    private readonly ignore: Set<string>,
  ) {}

  onCommand(args: string[], source: string): void {
    if (source === 'lua') {
      if (this.open) this.open.inner.push(args);
      return;
    }
    this.flush();
    if (this.ignore.has(source)) return;
    const cmd = (args[0] ?? '').toLowerCase();
    if (cmd === 'evalsha' || cmd === 'eval') {
      const name =
        cmd === 'evalsha'
          ? (this.names.get(args[1] ?? '') ?? `evalsha ${args[1]?.slice(0, 8)}`)
          : 'eval (lease script)';
      this.open = { label: name, top: args, inner: [] };
      return;
    }
    this.add(`${cmd} ${keyGroup(args[1])}`, 1);
  }

  flush(): void {
    const c = this.open;
    this.open = undefined;
    if (!c) return;
    let label = c.label;
    if (label.startsWith('bullmq')) {
      const keys = [...c.top.slice(3), ...c.inner.flatMap((a) => a.slice(1, 2))];
      const queue = keys.map((k) => /^\{fgq\}:([^:]+):/.exec(k)?.[1]).find(Boolean);
      let kind: string | undefined;
      for (const k of keys) {
        const m = /^\{fgq\}:[^:]+:([^:]+)$/.exec(k);
        if (m && !RESERVED.has(m[1]!)) {
          kind = jobKind(m[1]!);
          break;
        }
      }
      // addBulk job ids are arguments (msgpacked options), not keys: look for them in the arguments.
      if (!kind) {
        const blob = c.top.join(' ');
        const m = /(\S+@\S+g\d+\S*)/.exec(blob);
        if (m) kind = jobKind(m[1]!);
      }
      label = `${label} [${queue ?? '?'}${kind ? ` ${kind}` : ''}]`;
    }
    this.add(label, 1 + c.inner.length);
  }

  private add(label: string, n: number): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + n);
    this.total += n;
  }
}

async function main(): Promise<void> {
  const log = pino({ level: process.env.FEDGATE_BENCH_LOG ?? 'silent' });
  const { redis, dir } = await startBench('pipeline-commands');
  const admin = connectRedis(redis.url);
  onCleanUp(async () => admin.disconnect());
  const shards = Math.max(1, Math.floor(CLUSTERS / TARGETS));
  const fleet = await startChildFleet({ clusters: CLUSTERS, guardDir: dir });
  onCleanUp(() => fleet.close());
  const token = 'profile-token-0123456789abcdef';
  const api: ApiProcess = await startApi({ redisUrl: redis.url, token, log, metrics: new Registry() });
  onCleanUp(() => api.close());
  const worker: ControlPlaneWorker = await startWorker({
    redisUrl: redis.url,
    clientFactory: kubernetesClientFactory(),
    log,
    metrics: new Registry(),
    concurrency: { placement: 16, propagation: 64, maintenance: 8 },
    ...(flags['status-checks'] ? { statusChecks: Number(flags['status-checks']) } : {}),
    ...(flags['watched-check-delay'] ? { watchedCheckDelayMs: Number(flags['watched-check-delay']) } : {}),
    ...(flags.drift ? { driftIntervalMs: Number(flags.drift) } : {}),
  });
  onCleanUp(() => worker.close());
  const post = async (body: unknown) => {
    const res = await fetch(`${api.url}/api/v1/apply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`apply: ${res.status} ${await res.text()}`);
    return (await res.json()) as { items: { name: string; generation?: number }[] };
  };
  await post({ items: fleet.clusters.map((c, i) => memberClusterOf(c, { [SHARD]: `s${i % shards}` })) });
  await waitFor('clusters Ready', 60_000, async () => {
    const { items } = await api.store.list(MEMBER_CLUSTER_TYPE);
    return (
      items.filter((mc) =>
        (mc as MemberClusterObject).status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length === CLUSTERS || false
    );
  });
  await waitFor('watches current', 60_000, async () =>
    worker.watchesCurrent(fleet.clusters.map((c) => c.name)),
  );
  await post({ items: policies(shards) });
  const trackerConn = connectRedis(redis.url);
  const subscriber = connectRedis(redis.url);
  const tracker = new AppliedTracker(new ResourceStore(trackerConn), subscriber);
  onCleanUp(async () => {
    await tracker.close();
    trackerConn.disconnect();
    subscriber.disconnect();
  });
  await tracker.start();
  // Read on the bench's own connection (left out of the counts).
  const deferredChecks = new WatchedStatusChecks(admin, worker.store.keys);
  const quiesce = () =>
    waitFor('queues drained', 180_000, async () => {
      const counts = await Promise.all(
        [worker.queues.placement, worker.queues.propagation].map((q) =>
          q.getJobCounts('wait', 'active', 'delayed', 'prioritized'),
        ),
      );
      const deferred = await deferredChecks.count(fleet.clusters.map((c) => c.name));
      return (deferred === 0 && counts.every((c) => Object.values(c).every((n) => n === 0))) || false;
    });
  const applyAll = async (count: number, prefix: string) => {
    const waits: Promise<number>[] = [];
    for (let i = 0; i < count; i += 100) {
      const items = Array.from({ length: Math.min(100, count - i) }, (_, j) =>
        deployment(i + j, prefix, shards),
      );
      const res = await post({ items });
      for (const it of res.items)
        waits.push(
          tracker.expect({
            kind: 'Deployment',
            namespace: 'bench',
            name: it.name,
            generation: it.generation ?? 1,
          }),
        );
    }
    await Promise.all(waits);
  };
  await applyAll(Math.max(1, Math.round(N / 4)), 'w');
  await quiesce();
  say('✓ warmed up and drained');

  const names = await scriptNames();
  const monitorConn = connectRedis(redis.url);
  onCleanUp(async () => monitorConn.disconnect());
  const portOf = (r: Redis) =>
    `127.0.0.1:${(r as unknown as { stream: { localPort: number } }).stream.localPort}`;
  const attribution = new Attribution(names, new Set([portOf(trackerConn), portOf(admin)]));
  // --no-monitor: the same run without MONITOR (to profile the control plane's CPU, say).
  const monitor = flags['no-monitor'] ? undefined : await monitorConn.monitor();
  monitor?.on('monitor', (_time: string, args: string[], source: string) =>
    attribution.onCommand(args, source),
  );
  const profiler = flags['cpu-profile'] ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const cpu = process.cpuUsage();
  await sleep(200);
  const started = Date.now();
  await applyAll(N, 't');
  const applied = Date.now();
  attribution.flush();
  const atApplied = new Map(attribution.counts);
  const totalApplied = attribution.total;
  await quiesce();
  const drained = Date.now();
  attribution.flush();
  monitor?.disconnect();
  const used = process.cpuUsage(cpu);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(flags['cpu-profile']!, JSON.stringify(profile));
    profiler.disconnect();
  }
  say(
    `✓ ${N} templates applied everywhere in ${((applied - started) / 1000).toFixed(1)} s, drained after ${((drained - started) / 1000).toFixed(1)} s`,
  );
  say(
    `  control plane (this process) CPU per template: ${((used.user + used.system) / 1000 / N).toFixed(2)} ms to the drain`,
  );
  const rows = [...attribution.counts].sort((a, b) => b[1] - a[1]);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(
    `commands per template: ${(totalApplied / N).toFixed(1)} to applied everywhere, ${(attribution.total / N).toFixed(1)} to the drain`,
  );
  out(`${'source'.padEnd(64)} ${'applied'.padStart(8)} ${'drain'.padStart(8)}`);
  for (const [label, n] of rows)
    out(
      `${label.padEnd(64)} ${((atApplied.get(label) ?? 0) / N).toFixed(2).padStart(8)} ${(n / N).toFixed(2).padStart(8)}`,
    );
}

runBench('pipeline-commands', main);
