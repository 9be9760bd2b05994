/**
 * fast-check arbitraries for the placement engine: random fleets over the model's real regions,
 * random valid PlacementPolicy specs and templates, plus a small independent oracle of the
 * filters' rules (written from the README, not from the plugins) for the property tests.
 */
import fc from 'fast-check';
import {
  type ClusterSnapshot,
  NOT_READY_TAINT,
  type PlacementPolicySpec,
  type PlacementPolicySpecInput,
  placementPolicySpecSchema,
  type SpreadConstraint,
  type Taint,
  type TemplateInfo,
  type Toleration,
} from '../../placement/index.js';
import { DEFAULT_MODEL_DATA } from '../../placement/model/index.js';

export const REGIONS = DEFAULT_MODEL_DATA.regions;
const LABEL_KEYS = ['env', 'tier', 'team'] as const;
const LABEL_VALUES = ['prod', 'staging', 'gold'] as const;
const TAINT_KEYS = ['gpu', 'maintenance', 'dedicated'] as const;
const EFFECTS = ['NoSchedule', 'NoExecute', 'PreferNoSchedule'] as const;
const ZONES = ['a', 'b', 'c'] as const;
const GIB = 2 ** 30;

/** Epoch ms of every decision in the property tests. */
export const T0 = Date.parse('2026-03-01T12:00:00Z');

const labelsArb = fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), {
  maxKeys: 3,
});

const taintArb: fc.Arbitrary<Taint> = fc.record(
  {
    key: fc.constantFrom(...TAINT_KEYS),
    value: fc.constantFrom('true', 'x'),
    effect: fc.constantFrom(...EFFECTS),
    timeAdded: fc.integer({ min: 0, max: 3600 }).map((s) => new Date(T0 - s * 1000).toISOString()),
  },
  { requiredKeys: ['key', 'effect'] },
);

/** A cluster without its name: one of the model's regions, labels, taints, readiness, capacity. */
const clusterBodyArb = fc.record({
  region: fc.constantFrom(...REGIONS),
  zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
  labels: labelsArb,
  taints: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 2, arbitrary: fc.array(taintArb, { minLength: 1, maxLength: 2 }) },
  ),
  ready: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  notReadyFor: fc.integer({ min: 0, max: 900 }),
  capacity: fc.option(
    fc.record({
      cpuMilli: fc.integer({ min: 0, max: 32_000 }),
      memoryGiB: fc.integer({ min: 0, max: 64 }),
      pods: fc.integer({ min: 0, max: 60 }),
    }),
    { nil: undefined },
  ),
});

/** A fleet of 1..maxClusters clusters named c00, c01, … (names unique). */
export function fleetArb(maxClusters = 9): fc.Arbitrary<ClusterSnapshot[]> {
  return fc.array(clusterBodyArb, { minLength: 1, maxLength: maxClusters }).map((bodies) =>
    bodies.map((b, i): ClusterSnapshot => {
      const taints = [...b.taints];
      // NotReady clusters carry the not-ready NoExecute taint, as the health reconciler sets it.
      if (!b.ready) {
        taints.push({
          key: NOT_READY_TAINT,
          effect: 'NoExecute',
          timeAdded: new Date(T0 - b.notReadyFor * 1000).toISOString(),
        });
      }
      const c: ClusterSnapshot = {
        name: `c${String(i).padStart(2, '0')}`,
        provider: b.region.provider,
        region: b.region.name,
        labels: b.labels,
        taints,
        ready: b.ready,
      };
      if (b.zone !== undefined) c.zone = `${b.region.name}-${b.zone}`;
      if (b.capacity !== undefined) {
        const amounts = {
          cpuMilli: b.capacity.cpuMilli,
          memoryBytes: b.capacity.memoryGiB * GIB,
          pods: b.capacity.pods,
        };
        c.allocatable = { cpuMilli: 32_000, memoryBytes: 64 * GIB, pods: 60 };
        c.available = amounts;
      }
      return c;
    }),
  );
}

const requirementArb = fc.oneof(
  fc.record({
    key: fc.constantFrom(...LABEL_KEYS),
    operator: fc.constantFrom('In' as const, 'NotIn' as const),
    values: fc.uniqueArray(fc.constantFrom(...LABEL_VALUES), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    key: fc.constantFrom(...LABEL_KEYS),
    operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const),
  }),
);

const clusterNameArb = fc.integer({ min: 0, max: 9 }).map((i) => `c${String(i).padStart(2, '0')}`);
const sub = <T>(xs: readonly T[], max = 3) =>
  fc.uniqueArray(fc.constantFrom(...xs), { minLength: 1, maxLength: max });

const EUROPE = REGIONS.filter((r) => r.continent === 'europe').map((r) => r.name);
const AMERICA = REGIONS.filter((r) => r.continent === 'north-america').map((r) => r.name);

/** One condition of a selector term. */
const termPartArb = fc.oneof(
  fc.uniqueArray(clusterNameArb, { minLength: 3, maxLength: 8 }).map((clusterNames) => ({ clusterNames })),
  fc.uniqueArray(clusterNameArb, { minLength: 1, maxLength: 2 }).map((exclude) => ({ exclude })),
  sub(['aws', 'gcp', 'azure', 'onprem'] as const).map((providers) => ({ providers })),
  fc.constantFrom(EUROPE, AMERICA, [...EUROPE, ...AMERICA]).map((regions) => ({ regions: [...regions] })),
  fc
    .constantFrom(['a'], ['a', 'b'], ['b', 'c'])
    .map((zs) => ({ zones: REGIONS.flatMap((r) => zs.map((z) => `${r.name}-${z}`)) })),
  fc
    .dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { minKeys: 1, maxKeys: 1 })
    .map((matchLabels) => ({ labelSelector: { matchLabels } })),
  fc
    .array(requirementArb, { minLength: 1, maxLength: 2 })
    .map((matchExpressions) => ({ labelSelector: { matchExpressions } })),
);

/** A cluster selector term: empty (every cluster) or one or two conditions. */
export const termArb: fc.Arbitrary<NonNullable<PlacementPolicySpecInput['clusterAffinity']>> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: termPartArb },
  { weight: 1, arbitrary: fc.tuple(termPartArb, termPartArb).map(([a, b]) => ({ ...a, ...b })) },
);

const tolerationArb: fc.Arbitrary<PlacementPolicySpecInput['tolerations']> = fc.array(
  fc.oneof(
    fc.record(
      {
        key: fc.constantFrom(...TAINT_KEYS),
        operator: fc.constant('Exists' as const),
        effect: fc.constantFrom(...EFFECTS),
      },
      { requiredKeys: ['key', 'operator'] },
    ),
    fc.record(
      {
        key: fc.constantFrom(...TAINT_KEYS),
        operator: fc.constant('Equal' as const),
        value: fc.constantFrom('true', 'x'),
        effect: fc.constantFrom(...EFFECTS),
      },
      { requiredKeys: ['key', 'operator', 'value'] },
    ),
    fc.record({
      key: fc.constantFrom(...TAINT_KEYS, NOT_READY_TAINT),
      operator: fc.constant('Exists' as const),
      effect: fc.constant('NoExecute' as const),
      tolerationSeconds: fc.integer({ min: 0, max: 1200 }),
    }),
  ),
  { maxLength: 3 },
);

/** Spread constraints, at most one per field, each minGroups up to `maxMin`, some with a maxGroups up to 2 above it. */
export function spreadConstraintsArb(opts: {
  maxMin: number;
  minLength?: number;
  maxLength: number;
}): fc.Arbitrary<SpreadConstraint[]> {
  return fc.uniqueArray(
    fc
      .record({
        spreadByField: fc.constantFrom(
          'provider' as const,
          'region' as const,
          'zone' as const,
          'cluster' as const,
        ),
        minGroups: fc.integer({ min: 1, max: opts.maxMin }),
        extra: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      })
      .map(({ spreadByField, minGroups, extra }) => ({
        spreadByField,
        minGroups,
        ...(extra !== undefined ? { maxGroups: minGroups + extra } : {}),
      })),
    { selector: (k) => k.spreadByField, minLength: opts.minLength ?? 0, maxLength: opts.maxLength },
  );
}

const spreadArb = spreadConstraintsArb({ maxMin: 3, maxLength: 2 }).map((xs) =>
  xs.length > 0 ? xs : undefined,
);

const replicaSchedulingArb = fc.oneof(
  fc.constant(undefined),
  fc.constant({ type: 'Duplicated' as const }),
  fc.record(
    {
      type: fc.constant('Divided' as const),
      division: fc.constant('StaticWeights' as const),
      // All weights 0 is refused by the schema (it would place nothing).
      staticWeights: fc
        .array(fc.record({ targetCluster: termArb, weight: fc.integer({ min: 0, max: 5 }) }), {
          minLength: 1,
          maxLength: 3,
        })
        .filter((ws) => ws.some((w) => w.weight > 0)),
    },
    { requiredKeys: ['type', 'division'] },
  ),
  fc.record(
    {
      type: fc.constant('Divided' as const),
      division: fc.constant('AvailableCapacity' as const),
      preference: fc.constantFrom('Spread' as const, 'Aggregated' as const),
    },
    { requiredKeys: ['type', 'division'] },
  ),
  fc.constant({ type: 'Divided' as const, division: 'CostOptimized' as const }),
);

const residencyArb = fc.option(
  fc.oneof(
    fc.record({ jurisdictions: fc.constant(['EU']).map((j) => [...j]) }),
    fc.record({ jurisdictions: sub(['EU', 'US', 'UK', 'DE', 'CH'] as const, 2) }),
    fc.record({
      regions: sub(
        REGIONS.map((r) => r.name),
        6,
      ),
    }),
  ),
  { nil: undefined, freq: 2 },
);

/** A valid policy spec over every field the scheduler reads. */
export const policySpecArb: fc.Arbitrary<PlacementPolicySpec> = fc
  .record({
    affinity: fc.oneof(
      fc.constant({}),
      termArb.map((t) => ({ clusterAffinity: t })),
      fc
        .array(termArb, { minLength: 1, maxLength: 3 })
        .map((ts) => ({ clusterAffinities: ts.map((t, i) => ({ ...t, affinityName: `t${i}` })) })),
    ),
    tolerations: tolerationArb,
    spreadConstraints: spreadArb,
    replicaScheduling: replicaSchedulingArb,
    residency: residencyArb,
    cost: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    latency: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    users: fc.option(
      fc.uniqueArray(fc.constantFrom('frankfurt', 'new-york', 'singapore', 'sao-paulo'), {
        minLength: 1,
        maxLength: 2,
      }),
      {
        nil: undefined,
      },
    ),
    minScoreGain: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  })
  .map((r) => {
    const input: PlacementPolicySpecInput = {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
      ...r.affinity,
      ...(r.tolerations !== undefined && r.tolerations.length > 0 ? { tolerations: r.tolerations } : {}),
      ...(r.spreadConstraints !== undefined ? { spreadConstraints: r.spreadConstraints } : {}),
      ...(r.replicaScheduling !== undefined ? { replicaScheduling: r.replicaScheduling } : {}),
      ...(r.residency !== undefined ? { residency: r.residency } : {}),
      objectives: {
        ...(r.cost !== undefined ? { cost: r.cost } : {}),
        ...(r.latency !== undefined ? { latency: r.latency } : {}),
        ...(r.users !== undefined ? { userLocations: r.users.map((location) => ({ location })) } : {}),
      },
      ...(r.minScoreGain !== undefined ? { stability: { minScoreGain: r.minScoreGain } } : {}),
    };
    return placementPolicySpecSchema.parse(input);
  });

/** A Deployment template: replicas, optional requests, maybe data-bearing. */
export const templateArb: fc.Arbitrary<TemplateInfo> = fc
  .record({
    replicas: fc.integer({ min: 0, max: 12 }),
    requests: fc.option(
      fc.record({ cpuMilli: fc.integer({ min: 100, max: 2000 }), memoryGiB: fc.integer({ min: 0, max: 2 }) }),
      { nil: undefined },
    ),
    dataBearing: fc.boolean(),
  })
  .map((r) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'web',
    labels: { app: 'web' },
    replicas: r.replicas,
    ...(r.requests !== undefined
      ? { podRequests: { cpuMilli: r.requests.cpuMilli, memoryBytes: r.requests.memoryGiB * GIB } }
      : {}),
    dataBearing: r.dataBearing,
  }));

// ---- Oracle: the filter rules restated independently of placement/plugins ----

/** Kubernetes toleration matching. */
export function oracleTolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== taint.effect) return false;
  if (t.key === undefined || t.key === '') return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/** Whether a cluster may receive a NEW placement under the taint rules. */
export function admitsNewPlacement(tolerations: readonly Toleration[], c: ClusterSnapshot): boolean {
  for (const taint of c.taints) {
    const matching = tolerations.filter((t) => oracleTolerates(t, taint));
    if (taint.effect === 'NoSchedule' && matching.length === 0) return false;
    // NoExecute: only untimed tolerations admit a new copy, and only when no timed one matches too
    // (the shortest timed one applies, as in Kubernetes, and would evict the copy again). The
    // implicit failover toleration of the not-ready taint is always timed.
    if (
      taint.effect === 'NoExecute' &&
      (matching.length === 0 || matching.some((t) => t.tolerationSeconds !== undefined))
    )
      return false;
  }
  return true;
}

/** Whether a cluster matches a selector term. */
export function oracleMatches(term: PlacementPolicySpec['clusterAffinity'], c: ClusterSnapshot): boolean {
  const t = term ?? {};
  const has = <T>(xs: readonly T[] | undefined, v: T | undefined) =>
    xs === undefined || xs.length === 0 || (v !== undefined && xs.includes(v));
  if (!has(t.clusterNames, c.name)) return false;
  if (t.exclude?.includes(c.name)) return false;
  if (!has(t.providers, c.provider) || !has(t.regions, c.region) || !has(t.zones, c.zone)) return false;
  for (const [k, v] of Object.entries(t.labelSelector?.matchLabels ?? {}))
    if (c.labels[k] !== v) return false;
  for (const r of t.labelSelector?.matchExpressions ?? []) {
    const v = c.labels[r.key];
    const ok =
      r.operator === 'In'
        ? v !== undefined && (r.values ?? []).includes(v)
        : r.operator === 'NotIn'
          ? v === undefined || !(r.values ?? []).includes(v)
          : r.operator === 'Exists'
            ? v !== undefined
            : v === undefined;
    if (!ok) return false;
  }
  return true;
}

/** Whether a cluster satisfies the policy's residency for this template. */
export function oracleResident(spec: PlacementPolicySpec, t: TemplateInfo, c: ClusterSnapshot): boolean {
  const r = spec.residency;
  // Applies to everything the policy selects unless narrowed explicitly to data-bearing templates.
  if (r === undefined || (r.appliesTo === 'DataBearing' && !t.dataBearing)) return true;
  if (r.regions?.includes(c.region)) return true;
  const info = REGIONS.find((x) => x.provider === c.provider && x.name === c.region);
  if (info === undefined) return false;
  return (r.jurisdictions ?? []).some((j) => j === info.jurisdiction || j === info.country);
}

/** Replicas of one pod the cluster can run (Infinity without capacity data). */
export function oracleCapacity(c: ClusterSnapshot, t: TemplateInfo): number {
  const a = c.available;
  if (a === undefined) return Number.POSITIVE_INFINITY;
  let n = a.pods;
  if (t.podRequests !== undefined) {
    if (t.podRequests.cpuMilli > 0) n = Math.min(n, Math.floor(a.cpuMilli / t.podRequests.cpuMilli));
    if (t.podRequests.memoryBytes > 0) n = Math.min(n, Math.floor(a.memoryBytes / t.podRequests.memoryBytes));
  }
  return n;
}

/** The spread group of a cluster, as the README defines it. */
export function oracleGroup(c: ClusterSnapshot, field: 'provider' | 'region' | 'zone' | 'cluster'): string {
  switch (field) {
    case 'provider':
      return c.provider;
    case 'region':
      return `${c.provider}:${c.region}`;
    case 'zone':
      return `${c.provider}:${c.region}:${c.zone}`;
    case 'cluster':
      return c.name;
  }
}

/** A cluster's static weight as the README defines it: the highest weight of the rules it matches (0 if none). */
export function oracleWeight(spec: PlacementPolicySpec, c: ClusterSnapshot): number {
  const rules = spec.replicaScheduling?.staticWeights ?? [];
  if (rules.length === 0) return 1;
  return Math.max(0, ...rules.filter((r) => oracleMatches(r.targetCluster, c)).map((r) => r.weight));
}

/**
 * Sainte-Laguë's distance of a split from the static weights, Σ replicas² ÷ weight (Infinity when a
 * cluster of weight 0 has replicas): Webster's split is the one that minimises it.
 */
export function oracleWeightDistance(
  spec: PlacementPolicySpec,
  fleet: readonly ClusterSnapshot[],
  split: readonly { name: string; replicas?: number }[],
): number {
  let sum = 0;
  for (const placed of split) {
    const s = placed.replicas ?? 0;
    if (s === 0) continue;
    const c = fleet.find((x) => x.name === placed.name);
    const w = c === undefined ? 0 : oracleWeight(spec, c);
    sum += w > 0 ? (s * s) / w : Number.POSITIVE_INFINITY;
  }
  return sum;
}

/** Whether the README says explicit static weights alone decide the split (no maxGroups to choose clusters). */
export function weightsDeclared(spec: PlacementPolicySpec): boolean {
  const r = spec.replicaScheduling;
  return (
    r?.type === 'Divided' &&
    (r.division ?? 'StaticWeights') === 'StaticWeights' &&
    (r.staticWeights?.length ?? 0) > 0 &&
    (spec.spreadConstraints ?? []).every((k) => k.maxGroups === undefined)
  );
}
