/**
 * Property-based tests of schedule(): random fleets (real regions, labels, taints, readiness,
 * capacity), random valid policies and templates. Each property is something a user relies on:
 * replicas add up, nothing lands where a filter forbids it, spread holds, decisions are
 * deterministic, and small fleet changes do not move running workloads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClusterSnapshot,
  defaultCostModel,
  explainCluster,
  NOT_READY_TAINT,
  type PlacementPolicySpec,
  placementPolicySpecSchema,
  type ScheduleInput,
  type ScheduleResult,
  schedule,
  type TemplateInfo,
} from '../../placement/index.js';
import {
  admitsNewPlacement,
  fleetArb,
  oracleCapacity,
  oracleGroup,
  oracleMatches,
  oracleResident,
  oracleWeightDistance,
  policySpecArb,
  T0,
  templateArb,
  termArb,
  weightsDeclared,
} from './arbitraries.js';

// Modest by default so the file runs in a few seconds; raise it to hunt: FEDGATE_PROPERTY_RUNS=5000.
const RUNS = { numRuns: Number(process.env.FEDGATE_PROPERTY_RUNS ?? 150) };
const REASONS = [
  'NoClusterFits',
  'ResidencyUnsatisfiable',
  'SpreadConstraintUnsatisfiable',
  'InsufficientCapacity',
  'NoWeightedCluster',
  'InvalidPolicy',
];

function input(
  fleet: ClusterSnapshot[],
  spec: PlacementPolicySpec,
  template: TemplateInfo,
  previous?: ScheduleInput['previous'],
): ScheduleInput {
  return {
    template,
    policies: [{ name: 'p', spec }],
    fleet,
    now: T0,
    ...(previous !== undefined ? { previous } : {}),
  };
}

const divided = (spec: PlacementPolicySpec) => spec.replicaScheduling?.type === 'Divided';

/** The affinity terms of a spec, in order (an absent clusterAffinity is the empty term). */
function termsOf(spec: PlacementPolicySpec) {
  return spec.clusterAffinities ?? [spec.clusterAffinity ?? {}];
}

/** Clusters the oracle says may receive a new Duplicated copy under one term. */
function oracleFeasible(
  spec: PlacementPolicySpec,
  t: TemplateInfo,
  termIndex: number,
  fleet: ClusterSnapshot[],
) {
  const term = termsOf(spec)[termIndex];
  // As ResourceFit: no replicas need no room; else one (Divided) or all (Duplicated).
  const replicas = t.replicas ?? 0;
  const needed = replicas === 0 ? 0 : divided(spec) ? 1 : replicas;
  return fleet
    .filter(
      (c) =>
        oracleMatches(term, c) &&
        oracleResident(spec, t, c) &&
        c.ready &&
        admitsNewPlacement(spec.tolerations ?? [], c) &&
        (needed === 0 || oracleCapacity(c, t) >= needed) &&
        !(c.zone === undefined && (spec.spreadConstraints ?? []).some((k) => k.spreadByField === 'zone')),
    )
    .map((c) => c.name)
    .sort();
}

/** Asserts the invariants every first-time decision must satisfy. */
function checkInvariants(
  fleet: ClusterSnapshot[],
  spec: PlacementPolicySpec,
  t: TemplateInfo,
  r: ScheduleResult,
): void {
  expect(r.status).not.toBe('NoMatchingPolicy');
  if (r.status === 'NoMatchingPolicy') return;
  if (r.status === 'Unschedulable') {
    expect(REASONS).toContain(r.reason);
    expect(r.message.length).toBeGreaterThan(0);
    expect(r.explanation.messages).toContain(r.message);
    expect(r.explanation.placement).toEqual([]);
    // No cluster fits the last term tried; the reason names residency exactly when, without
    // residency, some cluster would fit it.
    if (r.reason === 'NoClusterFits' || r.reason === 'ResidencyUnsatisfiable') {
      const last = termsOf(spec).length - 1;
      const unrestricted: PlacementPolicySpec = { ...spec };
      delete unrestricted.residency;
      expect(oracleFeasible(spec, t, last, fleet)).toEqual([]);
      expect(r.reason === 'ResidencyUnsatisfiable', r.message).toBe(
        oracleFeasible(unrestricted, t, last, fleet).length > 0,
      );
    }
    // A Duplicated placement fails only when no term has a choice of fitting clusters that meets
    // the spread constraints (without any: no fitting cluster), found by brute force.
    if (!divided(spec)) {
      termsOf(spec).forEach((_, i) => {
        expect(spreadSatisfiable(spec, oracleFeasible(spec, t, i, fleet), fleet), `term ${i}`).toBe(false);
      });
    }
    return;
  }
  const byName = new Map(fleet.map((c) => [c.name, c]));
  const names = r.clusters.map((c) => c.name);
  expect(new Set(names).size).toBe(names.length);
  const used = r.explanation.affinityTerms.find((a) => a.outcome === 'Used');
  expect(used).toBeDefined();
  const term = termsOf(spec)[used!.index];
  for (const a of r.explanation.affinityTerms) if (a.index < used!.index) expect(a.outcome).toBe('Failed');

  const replicas = t.replicas ?? 0;
  for (const placed of r.clusters) {
    const c = byName.get(placed.name);
    expect(c, `${placed.name} is in the fleet`).toBeDefined();
    if (c === undefined) continue;
    expect(oracleMatches(term, c), `${c.name} matches the used affinity term`).toBe(true);
    expect(c.ready, `${c.name} is Ready`).toBe(true);
    expect(admitsNewPlacement(spec.tolerations ?? [], c), `${c.name} taints tolerated`).toBe(true);
    expect(oracleResident(spec, t, c), `${c.name} is resident`).toBe(true);
    expect(placed.replicas ?? 0).toBeLessThanOrEqual(oracleCapacity(c, t));
    if (!divided(spec)) expect(placed.replicas).toBe(replicas);
    else if (replicas > 0) expect(placed.replicas).toBeGreaterThan(0);
    const why = explainCluster(r.explanation, c.name);
    expect(why).toMatchObject({ feasible: true, selected: true });
  }
  if (divided(spec)) expect(r.clusters.reduce((s, c) => s + (c.replicas ?? 0), 0)).toBe(replicas);
  if (replicas > 0 || !divided(spec)) {
    for (const k of spec.spreadConstraints ?? []) {
      const groups = new Set(r.clusters.map((c) => oracleGroup(byName.get(c.name)!, k.spreadByField))).size;
      expect(groups, `spread by ${k.spreadByField}`).toBeGreaterThanOrEqual(k.minGroups);
      if (k.maxGroups !== undefined) expect(groups).toBeLessThanOrEqual(k.maxGroups);
    }
  }
  // Duplicated: under the first term with a valid choice of fitting clusters; without spread,
  // exactly the clusters that fit.
  if (!divided(spec)) {
    for (let i = 0; i < used!.index; i++)
      expect(spreadSatisfiable(spec, oracleFeasible(spec, t, i, fleet), fleet), `term ${i}`).toBe(false);
    if (spec.spreadConstraints === undefined)
      expect([...names].sort()).toEqual(oracleFeasible(spec, t, used!.index, fleet));
  }
  // Every cluster not placed says why, naming the plugin.
  for (const c of fleet) {
    if (names.includes(c.name)) continue;
    const why = explainCluster(r.explanation, c.name);
    if (!why.feasible) expect(why.plugin).not.toBe('NotEvaluated');
  }
}

/** Whether some non-empty choice of the named clusters meets every spread constraint (brute force). */
function spreadSatisfiable(
  spec: PlacementPolicySpec,
  names: readonly string[],
  fleet: ClusterSnapshot[],
): boolean {
  const clusters = names.map((n) => fleet.find((c) => c.name === n)!);
  const constraints = spec.spreadConstraints ?? [];
  for (let mask = 1; mask < 1 << clusters.length; mask++) {
    const chosen = clusters.filter((_, i) => (mask >> i) & 1);
    const ok = constraints.every((k) => {
      const groups = new Set(chosen.map((c) => oracleGroup(c, k.spreadByField))).size;
      return groups >= k.minGroups && (k.maxGroups === undefined || groups <= k.maxGroups);
    });
    if (ok) return true;
  }
  return false;
}

function shuffle<T>(xs: readonly T[], keys: readonly number[]): T[] {
  return xs
    .map((x, i) => ({ x, k: keys[i % keys.length] ?? 0, i }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((e) => e.x);
}

/** The fleet after the previous placement started: hosting clusters have less room left. */
function afterPlacement(
  fleet: ClusterSnapshot[],
  t: TemplateInfo,
  placed: { name: string; replicas?: number }[],
) {
  const reps = new Map(placed.map((c) => [c.name, c.replicas ?? 0]));
  return fleet.map((c) => {
    const n = reps.get(c.name) ?? 0;
    if (c.available === undefined || n === 0) return structuredClone(c);
    const req = t.podRequests ?? { cpuMilli: 0, memoryBytes: 0 };
    return {
      ...structuredClone(c),
      available: {
        cpuMilli: c.available.cpuMilli - n * req.cpuMilli,
        memoryBytes: c.available.memoryBytes - n * req.memoryBytes,
        pods: c.available.pods - n,
      },
    };
  });
}

describe('schedule: properties over random fleets and policies', () => {
  it('never places where a filter forbids; Divided replicas add up; spread holds or the reason is given', () => {
    fc.assert(
      fc.property(fleetArb(), policySpecArb, templateArb, (fleet, spec, t) => {
        checkInvariants(fleet, spec, t, schedule(input(fleet, spec, t)));
      }),
      RUNS,
    );
  });

  it('the same input gives the same output, whatever the fleet order', () => {
    fc.assert(
      fc.property(
        fleetArb(),
        policySpecArb,
        templateArb,
        fc.array(fc.integer(), { minLength: 1, maxLength: 12 }),
        (fleet, spec, t, keys) => {
          const a = JSON.stringify(schedule(input(fleet, spec, t)));
          const b = JSON.stringify(schedule(input(structuredClone(fleet), spec, t)));
          const c = JSON.stringify(schedule(input(shuffle(structuredClone(fleet), keys), spec, t)));
          expect(b).toBe(a);
          expect(c).toBe(a);
        },
      ),
      RUNS,
    );
  });

  it('rescheduling an unchanged fleet keeps the placement exactly', () => {
    fc.assert(
      fc.property(fleetArb(), policySpecArb, templateArb, (fleet, spec, t) => {
        const first = schedule(input(fleet, spec, t));
        if (first.status !== 'Scheduled') return;
        const next = afterPlacement(fleet, t, first.clusters);
        const again = schedule(input(next, spec, t, { policy: 'p', clusters: first.clusters }));
        expect(again.status).toBe('Scheduled');
        if (again.status !== 'Scheduled') return;
        const decision = again.explanation.stability;
        if (decision?.decision === 'Moved') {
          // Only the Capacity score moved (hosting clusters are fuller now), which reorders the
          // candidates: a move needs the gain, or a split strictly closer to explicit static weights
          // (a spread seed chosen by that order can be a heavier cluster now).
          checkMove(next, spec, first.clusters, again);
        } else {
          expect(again.clusters).toEqual(first.clusters);
          expect(again.evictions).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('a fleet change moves nothing unless explicit static weights or a gain of minScoreGain call for it', () => {
    fc.assert(
      fc.property(fleetArb(6), fleetArb(3), policySpecArb, templateArb, (fleet, joiners, spec, t) => {
        const first = schedule(input(fleet, spec, t));
        if (first.status !== 'Scheduled') return;
        // New clusters join (named after the existing ones); nothing existing changes.
        const extra = joiners.map((c, i) => ({ ...c, name: `z${i}` }));
        const next = [...afterPlacement(fleet, t, first.clusters), ...extra];
        const again = schedule(input(next, spec, t, { policy: 'p', clusters: first.clusters }));
        expect(again.status).toBe('Scheduled');
        if (again.status !== 'Scheduled') return;
        const s = again.explanation.stability;
        expect(s).toBeDefined();
        if (s?.decision === 'Moved') {
          checkMove(next, spec, first.clusters, again);
        } else {
          // Nothing that runs moves. Duplicated also copies to a joining cluster that matches.
          for (const c of first.clusters) expect(again.clusters).toContainEqual(c);
          // A zero-replica Divided object, like Duplicated, is present on every selected cluster.
          if (divided(spec) && (t.replicas ?? 0) > 0) expect(again.clusters).toEqual(first.clusters);
          else
            for (const c of again.clusters)
              expect(c.name.startsWith('z') || first.clusters.some((f) => f.name === c.name)).toBe(true);
          expect(again.evictions).toEqual([]);
        }
        checkInvariantsAfterMove(next, spec, t, again);
      }),
      RUNS,
    );
  });

  it('scaling down (to zero too) stays Scheduled and keeps replicas where they run', () => {
    fc.assert(
      fc.property(fleetArb(), policySpecArb, templateArb, fc.nat(), (fleet, spec, t, k) => {
        fc.pre(divided(spec) && (t.replicas ?? 0) > 0);
        const first = schedule(input(fleet, spec, t));
        if (first.status !== 'Scheduled') return;
        // Below a spread constraint's minGroups (but above zero) the policy itself forbids the count.
        const floor = Math.max(0, ...(spec.spreadConstraints ?? []).map((c) => c.minGroups));
        const m = k % (t.replicas ?? 1);
        fc.pre(m === 0 || m >= floor);
        const fewer = { ...t, replicas: m };
        const next = afterPlacement(fleet, t, first.clusters);
        const again = schedule(input(next, spec, fewer, { policy: 'p', clusters: first.clusters }));
        expect(again.status, JSON.stringify(again).slice(0, 400)).toBe('Scheduled');
        if (again.status !== 'Scheduled') return;
        expect(again.clusters.reduce((s, c) => s + (c.replicas ?? 0), 0)).toBe(fewer.replicas);
        if (again.explanation.stability?.decision !== 'Moved') {
          for (const c of again.clusters) {
            const before = first.clusters.find((f) => f.name === c.name);
            expect(before, `${c.name} ran the workload before`).toBeDefined();
            expect(c.replicas ?? 0).toBeLessThanOrEqual(before?.replicas ?? 0);
          }
        }
      }),
      RUNS,
    );
  });

  it('a NoExecute taint on a hosting cluster evicts exactly when its tolerationSeconds run out', () => {
    fc.assert(
      fc.property(
        fleetArb(),
        policySpecArb,
        templateArb,
        fc.nat(),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 600 }),
        fc.boolean(),
        (fleet, spec0, t, pick, seconds, age, alsoUntimed) => {
          // An untimed toleration of the same taint changes nothing: the timed one applies (Kubernetes).
          const untimed = alsoUntimed ? [{ key: 'drain', operator: 'Exists' as const }] : [];
          const spec: PlacementPolicySpec = {
            ...spec0,
            tolerations: [
              ...(spec0.tolerations ?? []),
              ...untimed,
              { key: 'drain', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds },
            ],
          };
          const first = schedule(input(fleet, spec, t));
          if (first.status !== 'Scheduled') return;
          const victim = first.clusters[pick % first.clusters.length]!.name;
          const added = T0 - age * 1000;
          const next = afterPlacement(fleet, t, first.clusters).map((c) =>
            c.name === victim
              ? {
                  ...c,
                  taints: [
                    ...c.taints,
                    { key: 'drain', effect: 'NoExecute' as const, timeAdded: new Date(added).toISOString() },
                  ],
                }
              : c,
          );
          const r = schedule(input(next, spec, t, { policy: 'p', clusters: first.clusters }));
          const deadline = added + seconds * 1000;
          if (T0 >= deadline) {
            if (r.status === 'Scheduled') {
              expect(r.clusters.map((c) => c.name)).not.toContain(victim);
              expect(r.evictions.find((e) => e.cluster === victim)?.reason).toContain('toleration expired');
            }
          } else {
            expect(r.status).toBe('Scheduled');
            if (r.status !== 'Scheduled') return;
            expect(r.requeueAt).toBeDefined();
            expect(r.requeueAt!).toBeGreaterThan(T0);
            expect(r.requeueAt!).toBeLessThanOrEqual(deadline);
            if (r.explanation.stability?.decision !== 'Moved')
              expect(r.clusters.map((c) => c.name)).toContain(victim);
          }
        },
      ),
      RUNS,
    );
  });

  it('explicit static weights: once NotReady clusters recover and new ones join, the split is the declared one', () => {
    // One affinity term and no spread constraint: the weights alone decide (see README, stability).
    const weighted = fc
      .tuple(
        policySpecArb,
        fc
          .array(fc.record({ targetCluster: termArb, weight: fc.integer({ min: 0, max: 5 }) }), {
            minLength: 1,
            maxLength: 3,
          })
          // All weights 0 is refused by the schema (it would place nothing).
          .filter((ws) => ws.some((w) => w.weight > 0)),
      )
      .map(([spec, staticWeights]) => {
        const { affinityName: _, ...firstTerm } = spec.clusterAffinities?.[0] ?? {};
        return placementPolicySpecSchema.parse({
          ...spec,
          clusterAffinities: undefined,
          clusterAffinity: spec.clusterAffinities !== undefined ? firstTerm : spec.clusterAffinity,
          spreadConstraints: undefined,
          replicaScheduling: { type: 'Divided', division: 'StaticWeights', staticWeights },
        });
      });
    fc.assert(
      fc.property(fleetArb(6), fleetArb(3), weighted, templateArb, (fleet, joiners, spec, t) => {
        const first = schedule(input(fleet, spec, t));
        if (first.status !== 'Scheduled') return;
        const recovered = fleet.map((c) => ({
          ...c,
          ready: true,
          taints: c.taints.filter((x) => x.key !== NOT_READY_TAINT),
        }));
        const full = [...recovered, ...joiners.map((c, i) => ({ ...c, name: `z${i}` }))];
        const again = schedule(
          input(afterPlacement(full, t, first.clusters), spec, t, { policy: 'p', clusters: first.clusters }),
        );
        const fresh = schedule(input(full, spec, t));
        expect(again.status).toBe(fresh.status);
        if (again.status !== 'Scheduled' || fresh.status !== 'Scheduled') return;
        const d = oracleWeightDistance(spec, full, again.clusters);
        const best = oracleWeightDistance(spec, full, fresh.clusters);
        expect(Math.abs(d - best)).toBeLessThanOrEqual(1e-9 * Math.max(1, best));
      }),
      RUNS,
    );
  });

  it('CostOptimized finds the cheapest split that meets spread and capacity (brute force on small fleets)', () => {
    const costOptimized = policySpecArb.map((spec) =>
      placementPolicySpecSchema.parse({
        ...spec,
        replicaScheduling: { type: 'Divided', division: 'CostOptimized' },
      }),
    );
    fc.assert(
      fc.property(fleetArb(6), costOptimized, templateArb, (fleet, spec, t0) => {
        // Seeding is greedy (see spread/select.ts): a maxGroups can make an early cheap seed block
        // a better group, which the README documents. Without maxGroups the split must be optimal.
        fc.pre((spec.spreadConstraints ?? []).every((k) => k.maxGroups === undefined));
        const t = { ...t0, replicas: Math.min(t0.replicas ?? 0, 7) };
        const r = schedule(input(fleet, spec, t));
        if (r.status !== 'Scheduled' || t.replicas === 0) return;
        const used = r.explanation.affinityTerms.find((a) => a.outcome === 'Used')!.index;
        const feasible = oracleFeasible(spec, t, used, fleet).map((n) => fleet.find((c) => c.name === n)!);
        const unit = feasible.map((c) => unitCost(c, t));
        const engine = r.clusters.reduce(
          (s, c) => s + c.replicas! * unit[feasible.findIndex((f) => f.name === c.name)]!,
          0,
        );
        const best = cheapestSplit(feasible, unit, t, spec);
        expect(best).toBeDefined();
        expect(engine).toBeLessThanOrEqual(best! + 1e-6);
      }),
      RUNS,
    );
  });
});

/**
 * A Moved decision is justified: explicit static weights (and the split is strictly closer to them
 * than the previous one), or an objective gain of at least minScoreGain.
 */
function checkMove(
  fleet: ClusterSnapshot[],
  spec: PlacementPolicySpec,
  before: readonly { name: string; replicas?: number }[],
  r: Extract<ScheduleResult, { status: 'Scheduled' }>,
): void {
  const s = r.explanation.stability!;
  if (s.reason.startsWith('static weights:')) {
    expect(weightsDeclared(spec)).toBe(true);
    const now = oracleWeightDistance(spec, fleet, r.clusters);
    expect(now).toBeLessThan(oracleWeightDistance(spec, fleet, before) - 1e-9);
  } else {
    expect(s.minScoreGain).toBeDefined();
    expect(s.candidateScore! - s.previousScore!).toBeGreaterThanOrEqual(s.minScoreGain!);
  }
}

/** $ per replica-month of the template on a cluster (the engine's reference size without requests). */
function unitCost(c: ClusterSnapshot, t: TemplateInfo): number {
  const r = t.podRequests ?? { cpuMilli: 250, memoryBytes: 512 * 2 ** 20 };
  return defaultCostModel.replicaMonthlyCost(
    { provider: c.provider, region: c.region },
    { cpuCores: r.cpuMilli / 1000, memoryGiB: r.memoryBytes / 2 ** 30 },
  );
}

/** The cheapest division of t.replicas over `clusters` meeting capacity and spread, by enumeration. */
function cheapestSplit(
  clusters: ClusterSnapshot[],
  unit: number[],
  t: TemplateInfo,
  spec: PlacementPolicySpec,
): number | undefined {
  const caps = clusters.map((c) => oracleCapacity(c, t));
  const x = clusters.map(() => 0);
  let best: number | undefined;
  const spreadOk = () =>
    (spec.spreadConstraints ?? []).every((k) => {
      const g = new Set(clusters.filter((_, i) => x[i]! > 0).map((c) => oracleGroup(c, k.spreadByField)))
        .size;
      return g >= k.minGroups && (k.maxGroups === undefined || g <= k.maxGroups);
    });
  const walk = (i: number, left: number, cost: number): void => {
    if (best !== undefined && cost >= best + 1e-9) return;
    if (i === clusters.length) {
      if (left === 0 && spreadOk()) best = cost;
      return;
    }
    for (let n = Math.min(left, caps[i]!); n >= 0; n--) {
      x[i] = n;
      walk(i + 1, left - n, cost + n * unit[i]!);
    }
    x[i] = 0;
  };
  walk(0, t.replicas ?? 0, 0);
  return best;
}

/** After a reschedule, the invariants that do not depend on first-time rules still hold. */
function checkInvariantsAfterMove(
  fleet: ClusterSnapshot[],
  spec: PlacementPolicySpec,
  t: TemplateInfo,
  r: ScheduleResult,
): void {
  if (r.status !== 'Scheduled') return;
  const byName = new Map(fleet.map((c) => [c.name, c]));
  for (const placed of r.clusters) {
    const c = byName.get(placed.name)!;
    expect(oracleResident(spec, t, c)).toBe(true);
  }
  if (divided(spec)) expect(r.clusters.reduce((s, c) => s + (c.replicas ?? 0), 0)).toBe(t.replicas);
}
