/**
 * The scheduler's entry point: pick the winning policy, try its affinity terms in order (the first
 * that schedules wins), and turn the attempt into a result with evictions and an explanation.
 * Pure and deterministic: the same input gives the same output; time only comes from `now`.
 */
import { buildExplanation, type ExplanationHeader, emptyExplanation } from '../explain/build.js';
import type { AffinityTermOutcome } from '../explain/types.js';
import {
  buildFleetSnapshot,
  type ClusterEntry,
  type FleetSnapshot,
  isFleetSnapshot,
  replicaCapacity,
} from '../fleet/snapshot.js';
import type { Registry } from '../framework/registry.js';
import type { DecisionContext } from '../framework/types.js';
import { type CostModel, defaultCostModel } from '../model-types.js';
import { defaultRegistry } from '../plugins/index.js';
import { residencyOutcome } from '../plugins/residency.js';
import {
  type CompiledAffinityTerm,
  type CompiledPolicy,
  compilePolicyCached,
  NOT_READY_TAINT,
  UNREACHABLE_TAINT,
} from '../policy/compile.js';
import { selectPolicy } from '../policy/precedence.js';
import type {
  ClusterSnapshot,
  Eviction,
  ResourceAmounts,
  ScheduleInput,
  ScheduleResult,
  TargetCluster,
} from '../types.js';
import { type Attempt, attempt } from './decide.js';
import type { Placement } from './place.js';
import { unitMonthlyCost } from './unit-cost.js';

/** Options of schedule(). */
export interface ScheduleOptions {
  /** Cost/latency model used when `fleet` is a plain list (a FleetSnapshot carries its own). */
  model?: CostModel;
  /** Plugins to run; defaults to the built-in registry. */
  registry?: Registry;
}

const snapshots = new WeakMap<readonly ClusterSnapshot[], FleetSnapshot>();

/** The snapshot of a fleet list, built once per list object and model. */
export function fleetSnapshotOf(
  fleet: readonly ClusterSnapshot[] | FleetSnapshot,
  model: CostModel = defaultCostModel,
): FleetSnapshot {
  if (isFleetSnapshot(fleet)) return fleet;
  const hit = snapshots.get(fleet);
  if (hit !== undefined && hit.model === model) return hit;
  const snap = buildFleetSnapshot(fleet, { model });
  snapshots.set(fleet, snap);
  return snap;
}

function previousMap(input: ScheduleInput, policy: CompiledPolicy): Map<string, number | undefined> {
  const p = input.previous;
  // A policy change reschedules from scratch: the old placement obeyed other rules.
  if (p === undefined || (p.policy !== undefined && p.policy !== policy.name)) return new Map();
  return new Map(p.clusters.map((c) => [c.name, c.replicas]));
}

/** What a cluster reported free, less what is committed there but not reported yet. */
function lessReserved(
  available: ResourceAmounts | undefined,
  reserved: ResourceAmounts | undefined,
): ResourceAmounts | undefined {
  if (available === undefined || reserved === undefined) return available;
  return {
    cpuMilli: available.cpuMilli - reserved.cpuMilli,
    memoryBytes: available.memoryBytes - reserved.memoryBytes,
    pods: available.pods - reserved.pods,
  };
}

function makeContext(
  input: ScheduleInput,
  fleet: FleetSnapshot,
  policy: CompiledPolicy,
  termIndex: number,
  previous: Map<string, number | undefined>,
  requeue: { at: number },
): DecisionContext {
  const n = fleet.clusters.length;
  // Per-decision memos, NaN = not computed yet.
  const capacity = new Float64Array(n).fill(Number.NaN);
  const unitCost = new Float64Array(n).fill(Number.NaN);
  const requests = input.template.podRequests;
  const ctx: DecisionContext = {
    fleet,
    policy,
    term: policy.terms[termIndex]!,
    template: input.template,
    model: fleet.model,
    now: input.now,
    previous,
    requeueAt(t) {
      if (t < requeue.at) requeue.at = t;
    },
    capacityOf(c) {
      let v = capacity[c.index]!;
      if (Number.isNaN(v)) {
        v =
          replicaCapacity(lessReserved(c.available, input.reserved?.get(c.name)), requests) +
          (previous.get(c.name) ?? 0);
        capacity[c.index] = v;
      }
      return v;
    },
    unitCostOf(c) {
      let v = unitCost[c.index]!;
      if (Number.isNaN(v)) {
        v = unitMonthlyCost(requests, c) ?? Number.POSITIVE_INFINITY;
        unitCost[c.index] = v;
      }
      return Number.isFinite(v) ? v : undefined;
    },
  };
  return ctx;
}

function evictionsOf(
  a: Attempt,
  placement: Placement,
  input: ScheduleInput,
  policy: CompiledPolicy,
  home?: Attempt,
): Eviction[] {
  const out: Eviction[] = [];
  const f = policy.failover;
  for (const prev of input.previous?.clusters ?? []) {
    if (placement.has(prev.name)) continue;
    const entry = a.ctx.fleet.byName.get(prev.name);
    // When the workload fell back to another affinity term, the term it ran under says why the
    // cluster lost it (a taint, readiness…); the final term would only say "not in this term".
    const atHome = entry !== undefined ? home?.filter.rejections[entry.index] : undefined;
    const rejection =
      entry === undefined
        ? undefined
        : atHome !== undefined && atHome.plugin !== 'ClusterAffinity'
          ? atHome
          : a.filter.rejections[entry.index];
    const reason =
      entry === undefined
        ? 'cluster left the fleet'
        : rejection !== undefined
          ? `${rejection.plugin}: ${rejection.reason}`
          : a.outcome.ok && a.outcome.stability.decision === 'Moved'
            ? `moved: ${a.outcome.stability.reason}`
            : 'no longer selected';
    // purgeMode (Immediately, Never) is about failures: a copy in a cluster that failed. A workload
    // that moves for any other reason (a policy change, cost, capacity) moves make-before-break:
    // the old copy goes once the new ones are ready, or when the grace period ends.
    const failed =
      rejection !== undefined &&
      entry?.source.taints.some((t) => t.key === NOT_READY_TAINT || t.key === UNREACHABLE_TAINT) === true;
    const purgeMode = failed ? f.purgeMode : 'Graciously';
    out.push({
      cluster: prev.name,
      reason,
      purgeMode,
      ...(purgeMode === 'Graciously' ? { gracePeriodSeconds: f.gracePeriodSeconds } : {}),
    });
  }
  return out.sort((x, y) => (x.cluster < y.cluster ? -1 : 1));
}

/**
 * The order in which affinity terms are tried. Without a previous placement: as declared. With
 * one, the first term that admits every previous cluster still in the fleet goes first, so a
 * workload that fell back stays on its fallback term while that term schedules it (a cluster of
 * an earlier term recovering is a fleet change like any other, and must not move running replicas
 * past the stability check); the other terms follow in declared order.
 */
function termOrder(
  policy: CompiledPolicy,
  fleet: FleetSnapshot,
  previous: ReadonlyMap<string, number | undefined>,
): readonly CompiledAffinityTerm[] {
  if (previous.size === 0 || policy.terms.length < 2) return policy.terms;
  const hosts: ClusterEntry[] = [];
  for (const name of previous.keys()) {
    const entry = fleet.byName.get(name);
    if (entry !== undefined) hosts.push(entry);
  }
  if (hosts.length === 0) return policy.terms;
  const current = policy.terms.find((t) => hosts.every((h) => t.term.check(h) === undefined));
  if (current === undefined || current === policy.terms[0]) return policy.terms;
  return [current, ...policy.terms.filter((t) => t !== current)];
}

/** Schedules one template (see placement/README.md for the algorithm). */
export function schedule(input: ScheduleInput, options: ScheduleOptions = {}): ScheduleResult {
  const registry = options.registry ?? defaultRegistry;
  const fleet = fleetSnapshotOf(input.fleet, options.model ?? defaultCostModel);
  const selection = selectPolicy(input.policies.map(compilePolicyCached), input.template);
  const header: ExplanationHeader = {
    template: input.template,
    fleetVersion: fleet.version,
    filterPlugins: registry.filters.map((p) => p.name),
  };
  const winner = selection.winner?.policy;
  header.residency = residencyOutcome(winner, input.template);
  if (winner === undefined) {
    return { status: 'NoMatchingPolicy', explanation: emptyExplanation(header, [selection.reason]) };
  }
  header.policy = { winner: winner.name, reason: selection.reason, candidates: selection.candidates };
  const previous = previousMap(input, winner);
  const terms: AffinityTermOutcome[] = winner.terms.map((t) => ({
    index: t.index,
    name: t.label,
    outcome: 'NotTried',
  }));
  const failures: string[] = [];
  let last: Attempt | undefined;
  let first: Attempt | undefined;
  let requeue = { at: Number.POSITIVE_INFINITY };
  const order = termOrder(winner, fleet, previous);
  for (const t of order) {
    requeue = { at: Number.POSITIVE_INFINITY };
    try {
      last = attempt(makeContext(input, fleet, winner, t.index, previous, requeue), registry);
      first ??= last;
    } catch (err) {
      const message = `policy ${winner.name} cannot be evaluated: ${err instanceof Error ? err.message : String(err)}`;
      return {
        status: 'Unschedulable',
        policy: winner.name,
        reason: 'InvalidPolicy',
        message,
        explanation: emptyExplanation(header, [message]),
      };
    }
    const o = last.outcome;
    terms[t.index] = {
      index: t.index,
      name: t.label,
      outcome: o.ok ? 'Used' : 'Failed',
      ...(o.ok ? {} : { reason: `${o.reason}: ${o.message}` }),
    };
    if (o.ok) break;
    failures.push(`${t.label}: ${o.message}`);
  }
  const a = last!;
  if (!a.outcome.ok) {
    const message =
      failures.length > 1 ? `no affinity term schedules (${failures.join('; ')})` : a.outcome.message;
    return {
      status: 'Unschedulable',
      policy: winner.name,
      reason: a.outcome.reason,
      message,
      explanation: buildExplanation(header, terms, a, [message]),
    };
  }
  const notes =
    order[0] !== winner.terms[0] && order[0] !== undefined
      ? [`the previous placement runs under affinity term ${order[0].label}: tried first`]
      : [];
  const placement = a.outcome.placement;
  const clusters: TargetCluster[] = [...placement]
    .map(([name, replicas]) => (replicas === undefined ? { name } : { name, replicas }))
    .sort((x, y) => (x.name < y.name ? -1 : 1));
  const explanation = buildExplanation(header, terms, a, notes);
  return {
    status: 'Scheduled',
    policy: winner.name,
    clusters,
    evictions: evictionsOf(a, placement, input, winner, first),
    ...(Number.isFinite(requeue.at) ? { requeueAt: requeue.at } : {}),
    explanation,
  };
}
