/**
 * Placement benchmark: decisions per second and p50/p99 per decision on one core for fleets of
 * 100, 1,000 and 5,000 clusters with 10,000 templates under a realistic mix of policies, peak
 * memory, how the cost per decision grows with fleet size, and ratios against a baseline measured
 * in the same run (a naive filter-only pass: every policy's affinity evaluated from the raw spec
 * for every cluster, no indexes, no scoring, no division, no explanation) and against Karmada's
 * published figure (labelled as such; not measured here).
 *
 * Usage: npm run bench:placement [-- --templates 10000 --sizes 100,1000,5000]
 *        npm run bench:placement -- --fingerprint   (hashes of every decision and explanation, no timing:
 *        a guard that an optimisation changes no result; a second pass reschedules each template
 *        with its first result as the previous placement, to cover the incremental path)
 *        add --inventory to give every cluster the cloud instances behind its capacity, so decisions
 *        take the inventory path (prices from the instance mix, capacity capped by the instances,
 *        price sources in every explanation)
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  buildFleetSnapshot,
  type ClusterSnapshot,
  defaultCostModel,
  type FleetSnapshot,
  type PlacementPolicySpecInput,
  type PolicyInfo,
  type Provider,
  placementPolicySpecSchema,
  type ScheduleResult,
  schedule,
  type TemplateInfo,
} from '../placement/index.js';

const KARMADA = { bindingsPerSecond: 22, p99Ms: 32, clusters: 100 } as const;
const NOW = Date.parse('2026-06-01T00:00:00Z');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** A deterministic PRNG (mulberry32), so every run sees the same fleet and templates. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

const GIB = 2 ** 30;

function makeFleet(n: number): ClusterSnapshot[] {
  const r = rng(n);
  const regions = defaultCostModel.listRegions();
  const out: ClusterSnapshot[] = [];
  for (let i = 0; i < n; i++) {
    const region = pick(r, regions);
    const provider = region.provider as Provider;
    const cpu = (32 + Math.floor(r() * 480)) * 1000;
    const mem = cpu * 4 * 2 ** 20;
    const used = r() * 0.9;
    const taints: ClusterSnapshot['taints'] = [];
    if (r() < 0.05) taints.push({ key: 'dedicated', value: 'regulated', effect: 'NoSchedule' });
    const ready = r() >= 0.01;
    if (!ready)
      taints.push({
        key: 'cluster.fedgate.dev/not-ready',
        effect: 'NoExecute',
        timeAdded: new Date(NOW - 60_000).toISOString(),
      });
    out.push({
      name: `c${String(i).padStart(5, '0')}-${provider}-${region.name}`,
      provider,
      region: region.name,
      zone: `${region.name}-${'abc'[i % 3]}`,
      labels: {
        env: pick(r, ['prod', 'prod', 'staging', 'dev']),
        tier: pick(r, ['gold', 'silver', 'bronze']),
        team: `t${Math.floor(r() * 20)}`,
        'topology.fedgate.dev/continent': region.continent,
      },
      taints,
      ready,
      allocatable: { cpuMilli: cpu, memoryBytes: mem, pods: 2000 },
      available: {
        cpuMilli: Math.floor(cpu * (1 - used)),
        memoryBytes: Math.floor(mem * (1 - used)),
        pods: Math.floor(2000 * (1 - used)),
      },
    });
  }
  return out;
}

/** Instance shapes per provider for --inventory (4 GiB per vCPU, as the bench fleet's capacity). */
const SHAPES: Record<Provider, readonly { type: string; vcpus: number }[]> = {
  aws: [
    { type: 'm6i.2xlarge', vcpus: 8 },
    { type: 'm6g.xlarge', vcpus: 4 },
  ],
  gcp: [
    { type: 'n2-standard-8', vcpus: 8 },
    { type: 'e2-standard-4', vcpus: 4 },
  ],
  azure: [
    { type: 'Standard_D8s_v5', vcpus: 8 },
    { type: 'Standard_D4as_v5', vcpus: 4 },
  ],
  onprem: [{ type: 'dl380-64c', vcpus: 64 }],
};

/** The fleet with the instances behind each cluster's capacity (cloud inventory), in its zone. */
function withInventory(fleet: readonly ClusterSnapshot[]): ClusterSnapshot[] {
  return fleet.map((c, i) => {
    const shapes = SHAPES[c.provider];
    const shape = shapes[i % shapes.length]!;
    const cpu = c.allocatable?.cpuMilli ?? 0;
    return {
      ...c,
      instances: [
        {
          zone: c.zone ?? `${c.region}-a`,
          instanceType: shape.type,
          count: Math.max(1, Math.ceil(cpu / (shape.vcpus * 1000))),
          vcpus: shape.vcpus,
          memoryMiB: shape.vcpus * 4096,
        },
      ],
    };
  });
}

const INVENTORY = process.argv.includes('--inventory');

/** The bench fleet of `n` clusters, with inventory when asked for. */
function benchFleet(n: number): ClusterSnapshot[] {
  return INVENTORY ? withInventory(makeFleet(n)) : makeFleet(n);
}

const POLICY_INPUTS: Record<string, PlacementPolicySpecInput> = {
  'default-duplicated-prod': {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
    clusterAffinity: {
      labelSelector: { matchLabels: { env: 'prod', tier: 'gold' } },
      providers: ['aws', 'gcp', 'azure'],
    },
    spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 5 }],
  },
  'web-static-weights': {
    priority: 10,
    resourceSelectors: [
      { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { tier: 'frontend' } } },
    ],
    clusterAffinity: {
      labelSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
    },
    spreadConstraints: [{ spreadByField: 'region', minGroups: 2, maxGroups: 4 }],
    replicaScheduling: {
      type: 'Divided',
      division: 'StaticWeights',
      staticWeights: [
        { targetCluster: { providers: ['aws'] }, weight: 2 },
        { targetCluster: { providers: ['gcp'] }, weight: 1 },
        { targetCluster: { providers: ['azure'] }, weight: 1 },
      ],
    },
    objectives: {
      cost: 1,
      latency: 2,
      userLocations: [{ location: 'frankfurt' }, { location: 'new-york', weight: 2 }],
    },
  },
  'api-capacity': {
    priority: 10,
    resourceSelectors: [
      { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { tier: 'api' } } },
    ],
    clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } },
    spreadConstraints: [
      { spreadByField: 'provider', minGroups: 2 },
      { spreadByField: 'cluster', maxGroups: 12 },
    ],
    replicaScheduling: { type: 'Divided', division: 'AvailableCapacity' },
  },
  'batch-aggregated': {
    priority: 10,
    resourceSelectors: [
      { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { tier: 'batch' } } },
    ],
    clusterAffinity: {
      labelSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
    },
    replicaScheduling: { type: 'Divided', division: 'AvailableCapacity', preference: 'Aggregated' },
  },
  'workers-cost': {
    priority: 10,
    resourceSelectors: [
      { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { tier: 'worker' } } },
    ],
    spreadConstraints: [{ spreadByField: 'region', minGroups: 2 }],
    replicaScheduling: { type: 'Divided', division: 'CostOptimized' },
    objectives: { cost: 5 },
  },
  'ledger-eu-resident': {
    priority: 20,
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'StatefulSet' }],
    residency: { jurisdictions: ['EU'] },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'regulated', effect: 'NoSchedule' }],
    clusterAffinities: [
      { affinityName: 'onprem-first', providers: ['onprem'] },
      { affinityName: 'eu-cloud', providers: ['aws', 'gcp', 'azure'] },
    ],
    spreadConstraints: [{ spreadByField: 'zone', minGroups: 2, maxGroups: 3 }],
    replicaScheduling: { type: 'Divided', division: 'StaticWeights' },
    failover: { tolerationSeconds: 120, mode: 'Graceful' },
  },
  'team-pinned': {
    priority: 5,
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-3' }],
    clusterAffinity: { labelSelector: { matchLabels: { team: 't3' } } },
    replicaScheduling: { type: 'Divided' },
  },
};

const POLICIES: PolicyInfo[] = Object.entries(POLICY_INPUTS).map(([name, input]) => ({
  name,
  spec: placementPolicySpecSchema.parse(input),
  resourceVersion: '1',
}));

function makeTemplates(n: number): TemplateInfo[] {
  const r = rng(42);
  const out: TemplateInfo[] = [];
  for (let i = 0; i < n; i++) {
    const stateful = r() < 0.15;
    out.push({
      apiVersion: 'apps/v1',
      kind: stateful ? 'StatefulSet' : 'Deployment',
      namespace: `team-${Math.floor(r() * 10)}`,
      name: `app-${i}`,
      labels: { tier: pick(r, ['frontend', 'api', 'batch', 'worker', 'misc']) },
      replicas: 1 + Math.floor(r() * 20),
      podRequests: {
        cpuMilli: pick(r, [100, 250, 500, 1000, 2000]),
        memoryBytes: pick(r, [0.25, 0.5, 1, 2, 4]) * GIB,
      },
      dataBearing: stateful,
    });
  }
  return out;
}

/** The baseline: for each template, every policy's affinity evaluated naively against every cluster. */
function naiveFilterOnly(t: TemplateInfo, fleet: readonly ClusterSnapshot[]): number {
  let feasible = 0;
  for (const p of POLICIES) {
    const sel = p.spec.resourceSelectors.some(
      (s) => s.kind === t.kind && (s.namespace === undefined || s.namespace === t.namespace),
    );
    if (!sel) continue;
    const term = p.spec.clusterAffinity ?? p.spec.clusterAffinities?.[0] ?? {};
    for (const c of fleet) {
      if (term.providers !== undefined && !term.providers.includes(c.provider)) continue;
      const ml = term.labelSelector?.matchLabels ?? {};
      if (!Object.entries(ml).every(([k, v]) => c.labels[k] === v)) continue;
      const tolerated = c.taints.every((taint) =>
        (p.spec.tolerations ?? []).some(
          (tol) => tol.key === taint.key && (tol.value ?? '') === (taint.value ?? ''),
        ),
      );
      if (tolerated) feasible++;
    }
    break;
  }
  return feasible;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

interface Row {
  clusters: number;
  snapshotMs: number;
  perSecond: number;
  p50: number;
  p99: number;
  mean: number;
  /** CPU time (user + system) per decision, ms: mean and p99. */
  cpuMean: number;
  cpuP99: number;
  baselineMean: number;
  peakRssMiB: number;
  statuses: Record<string, number>;
  byPolicy: Map<string, { n: number; ms: number }>;
}

function runFleet(size: number, templates: readonly TemplateInfo[]): Row {
  const clusters = benchFleet(size);
  const t0 = performance.now();
  const fleet: FleetSnapshot = buildFleetSnapshot(clusters, {
    model: defaultCostModel,
    version: `bench-${size}`,
  });
  const snapshotMs = performance.now() - t0;
  // Warm-up: JIT and the per-(policy, fleet) memo, as a long-running worker would have them.
  for (let i = 0; i < 500; i++)
    schedule({ template: templates[i % templates.length]!, policies: POLICIES, fleet, now: NOW });
  const times = new Float64Array(templates.length);
  // CPU time per decision: on a shared machine wall-clock p99 also counts time the process was
  // not running at all.
  const cpuTimes = new Float64Array(templates.length);
  const statuses: Record<string, number> = {};
  const byPolicy = new Map<string, { n: number; ms: number }>();
  let peakRss = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < templates.length; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    const r: ScheduleResult = schedule({ template: templates[i]!, policies: POLICIES, fleet, now: NOW });
    times[i] = performance.now() - s;
    const used = process.cpuUsage(c);
    cpuTimes[i] = (used.user + used.system) / 1000;
    const key = r.status === 'Unschedulable' ? `Unschedulable/${r.reason}` : r.status;
    statuses[key] = (statuses[key] ?? 0) + 1;
    const policy = r.status === 'NoMatchingPolicy' ? '(none)' : r.policy;
    const agg = byPolicy.get(policy) ?? { n: 0, ms: 0 };
    agg.n++;
    agg.ms += times[i]!;
    byPolicy.set(policy, agg);
    if ((i & 1023) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const bStart = performance.now();
  let sink = 0;
  const baselineN = Math.min(templates.length, 2000);
  for (let i = 0; i < baselineN; i++) sink += naiveFilterOnly(templates[i]!, clusters);
  const baselineMean = (performance.now() - bStart) / baselineN;
  if (sink < 0) console.log(sink);
  times.sort();
  cpuTimes.sort();
  return {
    cpuP99: percentile(cpuTimes, 0.99),
    clusters: size,
    snapshotMs,
    perSecond: (templates.length / elapsed) * 1000,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    mean: elapsed / templates.length,
    cpuMean: (cpu.user + cpu.system) / 1000 / templates.length,
    baselineMean,
    peakRssMiB: peakRss / 2 ** 20,
    statuses,
    byPolicy,
  };
}

/** The parts of a result that make the decision (not the explanation). */
function decisionOf(r: ScheduleResult): unknown {
  switch (r.status) {
    case 'NoMatchingPolicy':
      return [r.status];
    case 'Unschedulable':
      return [r.status, r.policy, r.reason, r.message];
    case 'Scheduled':
      return [r.status, r.policy, r.clusters, r.evictions, r.requeueAt];
  }
}

/** Hashes of every decision and every explanation, fresh and then with the first result as previous. */
function fingerprint(sizes: readonly number[], templates: readonly TemplateInfo[]): void {
  for (const size of sizes) {
    const fleet = buildFleetSnapshot(benchFleet(size), { model: defaultCostModel, version: `bench-${size}` });
    const decisions = createHash('sha256');
    const explanations = createHash('sha256');
    for (const template of templates) {
      const r = schedule({ template, policies: POLICIES, fleet, now: NOW });
      decisions.update(JSON.stringify(decisionOf(r)));
      explanations.update(JSON.stringify(r.explanation));
      if (r.status !== 'Scheduled') continue;
      const previous = { policy: r.policy, clusters: r.clusters };
      const grown =
        template.replicas !== undefined ? { ...template, replicas: template.replicas + 3 } : template;
      for (const t of [template, grown]) {
        const again = schedule({ template: t, policies: POLICIES, fleet, now: NOW, previous });
        decisions.update(JSON.stringify(decisionOf(again)));
        explanations.update(JSON.stringify(again.explanation));
      }
    }
    console.log(
      `clusters=${String(size).padStart(5)}  decisions=${decisions.digest('hex').slice(0, 16)}  explanations=${explanations.digest('hex').slice(0, 16)}`,
    );
  }
}

function main(): void {
  const n = Number(arg('templates', '10000'));
  const sizes = arg('sizes', '100,1000,5000').split(',').map(Number);
  const templates = makeTemplates(n);
  if (process.argv.includes('--fingerprint')) {
    fingerprint(sizes, templates);
    return;
  }
  console.log(
    `placement benchmark: ${n} templates, ${POLICIES.length} policies, one core (node ${process.version})${INVENTORY ? ', every cluster with cloud inventory' : ''}`,
  );
  console.log(
    'full decision = policy precedence, filters, scores, spread, division, stability, explanation\n',
  );
  const rows: Row[] = [];
  for (const size of sizes) {
    const row = runFleet(size, templates);
    rows.push(row);
    console.log(
      [
        `clusters=${String(size).padStart(5)}`,
        `snapshot=${row.snapshotMs.toFixed(1)}ms`,
        `decisions/s=${row.perSecond.toFixed(0).padStart(6)}`,
        `p50=${row.p50.toFixed(3)}ms`,
        `p99=${row.p99.toFixed(3)}ms`,
        `cpu=${row.cpuMean.toFixed(3)}ms/decision (p99 ${row.cpuP99.toFixed(3)}ms)`,
        `naive filter-only=${row.baselineMean.toFixed(3)}ms/decision (full decision ${(row.mean / row.baselineMean).toFixed(2)}× its cost)`,
        `peakRSS=${row.peakRssMiB.toFixed(0)}MiB`,
      ].join('  '),
    );
    console.log(
      `  outcomes: ${Object.entries(row.statuses)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    const perPolicy = [...row.byPolicy].sort(([a], [b]) => (a < b ? -1 : 1));
    console.log(
      `  mean ms by winning policy: ${perPolicy.map(([k, v]) => `${k}=${(v.ms / v.n).toFixed(3)}(${v.n})`).join(' ')}`,
    );
  }
  console.log('\ngrowth of the cost per decision with fleet size (1.0 = linear; < 1 sublinear):');
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    const ratio = b.mean / a.mean / (b.clusters / a.clusters);
    console.log(
      `  ${a.clusters} → ${b.clusters} clusters: ×${(b.mean / a.mean).toFixed(2)} time for ×${b.clusters / a.clusters} clusters (normalised ${ratio.toFixed(2)})`,
    );
  }
  const at100 = rows.find((r) => r.clusters === 100);
  if (at100 !== undefined) {
    console.log(
      `\nvs Karmada (published, not measured here: ~${KARMADA.bindingsPerSecond} bindings/s, p99 ${KARMADA.p99Ms} ms at ${KARMADA.clusters} clusters): ` +
        `${(at100.perSecond / KARMADA.bindingsPerSecond).toFixed(0)}× the throughput, p99 ${(KARMADA.p99Ms / at100.p99).toFixed(0)}× lower at 100 clusters`,
    );
  }
  const at1000 = rows.find((r) => r.clusters === 1000);
  const at5000 = rows.find((r) => r.clusters === 5000);
  console.log('\ntargets:');
  if (at1000 !== undefined) {
    console.log(
      `  1,000 clusters: ≥ 2,000 decisions/s → ${at1000.perSecond.toFixed(0)} ${at1000.perSecond >= 2000 ? 'MET' : 'MISSED'}; p99 ≤ 5 ms → ${at1000.p99.toFixed(2)} ms ${at1000.p99 <= 5 ? 'MET' : 'MISSED'}`,
    );
  }
  if (at5000 !== undefined) {
    console.log(
      `  5,000 clusters: ≥ 500 decisions/s → ${at5000.perSecond.toFixed(0)} ${at5000.perSecond >= 500 ? 'MET' : 'MISSED'}`,
    );
  }
}

main();
