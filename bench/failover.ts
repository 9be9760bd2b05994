/**
 * Failover benchmark: the real API, a real worker and a real redis-server drive a simulated fleet
 * running in a child process. Deployments are spread over the fleet; one cluster is taken down
 * (its API server refuses connections) and, per workload that had replicas there, the time from
 * the cluster going down to all its replicas Ready in the other clusters is measured — in the
 * simulated clusters themselves, not from fedgate's own status. One round per failover
 * toleration (default 0, 10, 30 and 60 s; 60 s is the product default, DEFAULT_FAILOVER_SECONDS;
 * other tolerations can be extrapolated from the measured components, which are printed: detection (probe interval × failure threshold), the
 * toleration, re-placement, and apply + pod start). After each round the cluster comes back and
 * the benchmark checks that no workload moves back and that the old copies are removed.
 *
 * Usage: npm run bench:failover [-- --clusters 6 --workloads 120 --replicas 4
 *        --tolerations 0,10,30,60 --probe-ms 10000 --threshold 2 --pod-start-ms 2000]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { MemberClusterObject } from '../federation/reconcile/cluster-snapshot.js';
import type { BindingObject } from '../federation/reconcile/placement-reconciler.js';
import { BINDING_TYPE, MEMBER_CLUSTER_TYPE } from '../federation/resources/kinds.js';
import { type ApiProcess, startApi } from '../federation/runtime/api-process.js';
import { kubernetesClientFactory } from '../federation/runtime/kube-client-factory.js';
import { type ControlPlaneWorker, startWorker } from '../federation/runtime/worker.js';
import { DEFAULT_FAILOVER_SECONDS } from '../placement/index.js';
import { benchArgs } from './support/bench-args.js';
import { type ChildFleet, memberClusterOf, startChildFleet } from './support/fleet-child.js';
import type { FleetMember } from './support/fleet-process.js';
import { onCleanUp, runBench, say, startBench } from './support/lifecycle.js';

const { values: flags } = parseArgs({
  args: benchArgs(),
  options: {
    clusters: { type: 'string', default: '6' },
    workloads: { type: 'string', default: '120' },
    replicas: { type: 'string', default: '4' },
    tolerations: { type: 'string', default: '0,10,30,60' },
    'probe-ms': { type: 'string', default: '10000' },
    threshold: { type: 'string', default: '2' },
    'pod-start-ms': { type: 'string', default: '2000' },
  },
});
const CFG = {
  clusters: Math.max(3, Number(flags.clusters)),
  workloads: Number(flags.workloads),
  replicas: Number(flags.replicas),
  tolerations: (flags.tolerations ?? '').split(',').map(Number),
  probeMs: Number(flags['probe-ms']),
  threshold: Number(flags.threshold),
  podStartMs: Number(flags['pod-start-ms']),
};
const NAMESPACE = 'failover';
const SHARD_LABEL = 'bench.fedgate.dev/shard';
/** Each shard's workloads may run on 3 consecutive clusters and run on 2 of them. */
const SHARD_CLUSTERS = 3;
const POLL_MS = 200;

const out = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function waitFor<T>(
  what: string,
  ms: number,
  fn: () => Promise<T | false>,
  everyMs = POLL_MS,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** p50/p99/max of a sample, in seconds. */
function stats(xs: readonly number[]): { p50: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? Number.NaN };
}
const sec = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '–');

// ---- what the benchmark applies ------------------------------------------------------------

function deployment(i: number, shards: number) {
  const name = `w${i}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NAMESPACE, labels: { app: name, [SHARD_LABEL]: `s${i % shards}` } },
    spec: {
      replicas: CFG.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } },
          ],
        },
      },
    },
  };
}

/** One policy per shard: its workloads are divided over 2 of 3 consecutive clusters. */
function policies(clusters: readonly FleetMember[], tolerationSeconds: number) {
  return clusters.map((_, k) => ({
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'PlacementPolicy',
    metadata: { name: `failover-s${k}` },
    spec: {
      resourceSelectors: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          labelSelector: { matchLabels: { [SHARD_LABEL]: `s${k}` } },
        },
      ],
      clusterAffinity: {
        clusterNames: Array.from(
          { length: SHARD_CLUSTERS },
          (_, j) => clusters[(k + j) % clusters.length]!.name,
        ),
      },
      spreadConstraints: [{ spreadByField: 'cluster', minGroups: 2, maxGroups: 2 }],
      replicaScheduling: {
        type: 'Divided',
        division: 'StaticWeights',
        staticWeights: [{ targetCluster: {}, weight: 1 }],
      },
      failover: { tolerationSeconds, mode: 'Graceful' },
    },
  }));
}

// ---- observing -----------------------------------------------------------------------------

interface Api {
  apply(items: unknown[]): Promise<void>;
}

function apiClient(api: ApiProcess, token: string): Api {
  return {
    async apply(items) {
      const res = await fetch(`${api.url}/api/v1/apply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
      });
      if (!res.ok) throw new Error(`apply: HTTP ${res.status} ${(await res.text()).slice(0, 500)}`);
    },
  };
}

/** Ready replicas of each workload in one simulated cluster, read from its own API. */
async function readyIn(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/apis/apps/v1/namespaces/${NAMESPACE}/deployments`);
  if (!res.ok) throw new Error(`list deployments: HTTP ${res.status}`);
  const list = (await res.json()) as {
    items: { metadata: { name: string }; status?: { readyReplicas?: number } }[];
  };
  return new Map(list.items.map((d) => [d.metadata.name, d.status?.readyReplicas ?? 0]));
}

/** Ready replicas per workload summed over the given clusters. */
async function readyOver(clusters: readonly FleetMember[]): Promise<Map<string, number>> {
  const sum = new Map<string, number>();
  for (const per of await Promise.all(clusters.map((c) => readyIn(c.url))))
    for (const [name, n] of per) sum.set(name, (sum.get(name) ?? 0) + n);
  return sum;
}

async function bindings(api: ApiProcess): Promise<Map<string, BindingObject>> {
  const { items } = await api.store.list(BINDING_TYPE, { namespace: NAMESPACE });
  return new Map((items as BindingObject[]).map((b) => [b.spec.resource.name, b]));
}

const placementOf = (b: BindingObject | undefined) =>
  (b?.spec.clusters ?? []).map((c) => `${c.name}=${c.replicas ?? ''}`).join(',');

async function readyCondition(api: ApiProcess, cluster: string) {
  const mc = (await api.store.get({ type: MEMBER_CLUSTER_TYPE, namespace: '', name: cluster })) as
    | MemberClusterObject
    | undefined;
  return mc?.status?.conditions.find((c) => c.type === 'Ready');
}

/** No placement or propagation job waiting or running (delayed status checks may remain). */
async function quiesce(worker: ControlPlaneWorker, ms = 120_000): Promise<void> {
  await waitFor('queues to drain', ms, async () => {
    const counts = await Promise.all(
      [worker.queues.placement, worker.queues.propagation].map((q) =>
        q.getJobCounts('wait', 'active', 'prioritized'),
      ),
    );
    return counts.every((c) => Object.values(c).every((n) => n === 0)) || false;
  });
}

// ---- one round -----------------------------------------------------------------------------

interface Round {
  toleration: number;
  cluster: string;
  affected: number;
  moved: number;
  detectionMs: number;
  total: number[];
  placement: number[];
  start: number[];
  movedBack: number;
  changedAfterReturn: number;
  leftOnCluster: number;
}

async function round(
  toleration: number,
  fleet: ChildFleet,
  api: ApiProcess,
  client: Api,
  worker: ControlPlaneWorker,
): Promise<Round> {
  await client.apply(policies(fleet.clusters, toleration));
  await quiesce(worker);
  const before = await bindings(api);
  // Take down the cluster that hosts the most workloads now.
  const hosted = new Map<string, number>();
  for (const b of before.values())
    for (const c of b.spec.clusters) hosted.set(c.name, (hosted.get(c.name) ?? 0) + 1);
  const [victim] = [...hosted].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? [];
  if (!victim) throw new Error('no workload is placed anywhere');
  const affected = [...before.values()]
    .filter((b) => b.spec.clusters.some((c) => c.name === victim && (c.replicas ?? 0) > 0))
    .map((b) => b.spec.resource.name);
  const live = fleet.clusters.filter((c) => c.name !== victim);
  say(
    `  round toleration ${toleration} s: taking ${victim} down (${affected.length} workloads have replicas there)`,
  );

  const t0 = Date.now();
  await fleet.down(victim, true);
  const done = new Map<string, number>();
  const budget = CFG.probeMs * (CFG.threshold + 1) + toleration * 1000 + 120_000;
  await waitFor(`${affected.length} workloads ready elsewhere`, budget, async () => {
    const ready = await readyOver(live);
    const now = Date.now();
    for (const w of affected) if (!done.has(w) && (ready.get(w) ?? 0) >= CFG.replicas) done.set(w, now - t0);
    return done.size === affected.length || false;
  });
  const cond = await readyCondition(api, victim);
  const detectedAt = cond && cond.status !== 'True' ? Date.parse(cond.lastTransitionTime) : Number.NaN;
  const after = await bindings(api);
  const placement: number[] = [];
  const start: number[] = [];
  for (const w of affected) {
    const since = after.get(w)?.spec.evictions?.find((e) => e.cluster === victim)?.since;
    const evictedAt = since ? Date.parse(since) : Number.NaN;
    // Re-placement: from the end of the toleration to the Binding leaving the cluster.
    placement.push(evictedAt - (detectedAt + toleration * 1000));
    // Apply and pod start: from the Binding leaving the cluster to all replicas ready elsewhere.
    start.push(t0 + done.get(w)! - evictedAt);
  }
  const moved = affected.filter((w) => !after.get(w)?.spec.clusters.some((c) => c.name === victim)).length;
  await quiesce(worker);
  const settled = await bindings(api);

  // The cluster comes back: nothing moves back, the old copies go.
  await fleet.down(victim, false);
  await waitFor(`${victim} Ready again`, CFG.probeMs * 3 + 30_000, async () => {
    return (await readyCondition(api, victim))?.status === 'True';
  });
  await quiesce(worker);
  const victimUrl = fleet.clusters.find((c) => c.name === victim)!.url;
  const left = await waitFor(
    `old copies removed from ${victim}`,
    60_000,
    async () => {
      const n = (await readyIn(victimUrl)).size;
      return n === 0 ? 0 : false;
    },
    500,
  ).catch(async () => (await readyIn(victimUrl)).size);
  // One more probe round, then compare the placements with those right after failover.
  await sleep(CFG.probeMs);
  await quiesce(worker);
  const back = await bindings(api);
  let movedBack = 0;
  let changed = 0;
  for (const [name, b] of back) {
    if (affected.includes(name) && b.spec.clusters.some((c) => c.name === victim)) movedBack++;
    if (placementOf(b) !== placementOf(settled.get(name))) changed++;
  }
  return {
    toleration,
    cluster: victim,
    affected: affected.length,
    moved,
    detectionMs: detectedAt - t0,
    total: affected.map((w) => done.get(w)!),
    placement,
    start,
    movedBack,
    changedAfterReturn: changed,
    leftOnCluster: left,
  };
}

// ---- main ----------------------------------------------------------------------------------

function report(rounds: readonly Round[]): void {
  const I = CFG.probeMs / 1000;
  const k = CFG.threshold;
  out('');
  out(
    `failover: ${CFG.clusters} clusters, ${CFG.workloads} Deployments × ${CFG.replicas} replicas (Divided over 2 of 3 clusters), ` +
      `probe every ${I} s, Unknown after ${k} failed probes, simulated pod start ${CFG.podStartMs} ms`,
  );
  out('time from the cluster going down to all of a workload’s replicas Ready elsewhere (seconds):');
  out('');
  out(
    'toleration  cluster                moved/affected  total p50   p99   max | detection  re-placement p99  apply+start p99 | moved back  changed  old copies left',
  );
  for (const r of rounds) {
    const t = stats(r.total);
    const p = stats(r.placement);
    const s = stats(r.start);
    out(
      `${`${r.toleration} s`.padEnd(11)} ${r.cluster.padEnd(22)} ${`${r.moved}/${r.affected}`.padEnd(15)} ` +
        `${sec(t.p50).padStart(9)} ${sec(t.p99).padStart(5)} ${sec(t.max).padStart(5)} | ` +
        `${sec(r.detectionMs).padStart(9)} ${sec(p.p99).padStart(17)} ${sec(s.p99).padStart(16)} | ` +
        `${String(r.movedBack).padStart(10)} ${String(r.changedAfterReturn).padStart(8)} ${String(r.leftOnCluster).padStart(16)}`,
    );
  }
  // Everything but the toleration, worst case over the rounds.
  const rest = Math.max(...rounds.map((r) => stats(r.total).p99 - r.toleration * 1000 - r.detectionMs));
  const replacement = Math.max(...rounds.map((r) => stats(r.placement).p99 + stats(r.start).p99));
  const detectMax = k * I;
  out('');
  out('model: total ≈ detection + toleration + re-placement + apply/pod start');
  out(
    `  detection: the first failed probe comes 0..${I} s after the failure, then ${k - 1} more → ` +
      `${(k - 1) * I}..${detectMax} s (probe interval × failure threshold); measured: ${rounds.map((r) => sec(r.detectionMs)).join(', ')} s`,
  );
  out(
    `  re-placement + apply + pod start, p99 over rounds: ≤ ${sec(replacement)} s ` +
      `(total p99 − toleration − detection: ≤ ${sec(rest)} s)`,
  );
  const other = Math.max(rest, replacement) / 1000;
  const D = DEFAULT_FAILOVER_SECONDS;
  const measuredDefault = rounds.find((r) => r.toleration === D);
  out(
    `  expected p99 at the default toleration of ${D} s: ≤ ${detectMax} + ${D} + ${other.toFixed(1)} ≈ ${(detectMax + D + other).toFixed(0)} s` +
      (measuredDefault ? `; measured: ${sec(stats(measuredDefault.total).p99)} s` : ''),
  );
  // The product's default probe settings: every 10 s, Unknown after 2 failed probes → ≤ 20 s.
  const defaultDetect = 20;
  out(
    `  p99 ≤ 90 s needs detection + toleration ≤ ${(90 - other).toFixed(0)} s: the default probe settings ` +
      `(every 10 s, Unknown after 2 failures: ≤ ${defaultDetect} s) with a toleration ≤ 60 s give ` +
      `≤ ${(defaultDetect + 60 + other).toFixed(0)} s`,
  );
  const measured60 = rounds.find((r) => r.toleration === 60);
  if (measured60) out(`  measured at 60 s toleration: p99 ${sec(stats(measured60.total).p99)} s`);
  const back = rounds.reduce((a, r) => a + r.movedBack, 0);
  const changed = rounds.reduce((a, r) => a + r.changedAfterReturn, 0);
  out(
    `stability: ${rounds.reduce((a, r) => a + r.moved, 0)} workload moves in ${rounds.length} rounds; ` +
      `${back} moved back and ${changed} changed placement after the cluster returned`,
  );
}

async function main(): Promise<void> {
  const log = pino({ level: process.env.FEDGATE_BENCH_LOG ?? 'silent' });
  const { redis } = await startBench('failover');
  const fleet = await startChildFleet({
    clusters: CFG.clusters,
    podReadyDelayMs: CFG.podStartMs,
    nodesPerCluster: 3,
    prefix: 'fo',
  });
  onCleanUp(() => fleet.close());
  say(`✓ redis ${redis.url}, ${fleet.clusters.length} simulated clusters in a child process`);

  const token = randomBytes(16).toString('hex');
  const api = await startApi({ redisUrl: redis.url, token, log, metrics: new Registry() });
  onCleanUp(() => api.close());
  const worker = await startWorker({
    redisUrl: redis.url,
    clientFactory: kubernetesClientFactory(),
    log,
    metrics: new Registry(),
    probeIntervalMs: CFG.probeMs,
    failureThreshold: CFG.threshold,
  });
  onCleanUp(() => worker.close());
  const client = apiClient(api, token);

  await client.apply(fleet.clusters.map((c) => memberClusterOf(c)));
  await waitFor('member clusters Ready', 60_000, async () => {
    const ready = await Promise.all(fleet.clusters.map((c) => readyCondition(api, c.name)));
    return ready.every((r) => r?.status === 'True') || false;
  });
  const shards = fleet.clusters.length;
  await client.apply(policies(fleet.clusters, CFG.tolerations[0] ?? 0));
  for (let i = 0; i < CFG.workloads; i += 100) {
    await client.apply(
      Array.from({ length: Math.min(100, CFG.workloads - i) }, (_, j) => deployment(i + j, shards)),
    );
  }
  await waitFor('every workload ready', 180_000, async () => {
    const ready = await readyOver(fleet.clusters);
    let n = 0;
    for (const v of ready.values()) if (v >= CFG.replicas) n++;
    return n === CFG.workloads || false;
  });
  say(`✓ ${CFG.workloads} Deployments ready over ${shards} clusters`);

  const rounds: Round[] = [];
  for (const t of CFG.tolerations) rounds.push(await round(t, fleet, api, client, worker));
  report(rounds);
}

runBench('failover', main);
