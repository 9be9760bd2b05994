/**
 * The decision a template's Binding records: the scheduler's result, plus dependency-following (a
 * ConfigMap, Secret, ServiceAccount or PVC also goes wherever the workloads that reference it run;
 * a workload takes along what it references). The one rule: the placement controller and
 * `fedgate simulate` both decide with it.
 */
import { DEPENDENCY_KINDS, referencedDependencies } from '../template/dependencies.js';
import type { KubeObject, PolicyInfo, ScheduleResult, TargetCluster } from '../types.js';

/** A workload that references the template (when the template is a dependency), and where it runs. */
export interface Referrer {
  /** How the Binding names it (`requiredBy`, messages). */
  readonly name: string;
  readonly clusters: readonly (string | { readonly name: string })[];
}

/**
 * The clusters an unschedulable template keeps: those of its current placement still in the fleet.
 * As Karmada keeps its last schedule when scheduling fails, tightening a policy (or losing the
 * clusters it needs) never deletes running work: the Binding says Scheduled=False with the reason,
 * and the copies stay until a decision places them elsewhere or the template or policy goes.
 */
export function keptOnFailure(
  result: ScheduleResult | undefined,
  previous: readonly TargetCluster[] | undefined,
  inFleet: (cluster: string) => boolean,
): readonly TargetCluster[] {
  if (result?.status !== 'Unschedulable' || previous === undefined) return [];
  return previous.filter((c) => inFleet(c.name));
}

/** How a Binding's template is placed. */
export type BindingPlacement = 'Scheduled' | 'Unschedulable' | 'NoMatchingPolicy' | 'FollowsWorkload';

/** What a Binding records of one decision. */
export interface BindingDecision {
  /** Scheduled by a policy; FollowsWorkload when only the workloads referencing it place it. */
  readonly placement: BindingPlacement;
  /** Its own clusters (with replicas) and, sorted by name, those of the workloads it follows. */
  readonly clusters: readonly TargetCluster[];
  /** The referrers it follows, in the order given; empty when it follows none. */
  readonly requiredBy: readonly string[];
  /** What it references and takes along (scheduled, and its policy propagates dependencies). */
  readonly dependencies: readonly { readonly kind: string; readonly name: string }[];
  /** True when it is unschedulable and its current placement is kept (see keptOnFailure). */
  readonly kept?: true;
}

/** What decides a Binding. */
export interface BindingInput {
  readonly template: KubeObject;
  /** The scheduler's result; undefined when the template could not be read (placed nowhere of its own). */
  readonly result: ScheduleResult | undefined;
  readonly policies: readonly PolicyInfo[];
  /** The workloads referencing it that run somewhere (ignored unless it is a dependency kind). */
  readonly referrers: readonly Referrer[];
  /** Its own clusters now (the Binding's), kept when the result is Unschedulable (see keptOnFailure). */
  readonly previous?: readonly TargetCluster[];
  /** Whether a cluster is still in the fleet (default: every cluster is). */
  readonly inFleet?: (cluster: string) => boolean;
}

/** Decides a template's Binding from the scheduler's result and the workloads that reference it. */
export function decideBinding(input: BindingInput): BindingDecision {
  const { template, result } = input;
  const scheduled = result?.status === 'Scheduled' ? result : undefined;
  const kept = keptOnFailure(result, input.previous, input.inFleet ?? (() => true));
  const own: readonly TargetCluster[] = scheduled ? scheduled.clusters : kept;
  // The policy whose decision runs: the winner, or (kept) the one that placed the copies kept.
  const decidedBy =
    scheduled?.policy ?? (kept.length > 0 && result?.status === 'Unschedulable' ? result.policy : undefined);
  const referrers = DEPENDENCY_KINDS.has(template.kind)
    ? input.referrers.filter((r) => r.clusters.length > 0)
    : [];
  const placement: BindingPlacement = scheduled
    ? 'Scheduled'
    : referrers.length > 0
      ? 'FollowsWorkload'
      : result?.status === 'NoMatchingPolicy'
        ? 'NoMatchingPolicy'
        : 'Unschedulable';
  return {
    placement,
    clusters: referrers.length > 0 ? followClusters(own, referrers) : own,
    requiredBy: referrers.map((r) => r.name),
    // Kept copies keep what they reference: dropping it would prune a running workload's ConfigMap.
    dependencies:
      decidedBy !== undefined && propagates(input.policies, decidedBy) ? dependenciesOf(template) : [],
    ...(!scheduled && kept.length > 0 ? { kept: true as const } : {}),
  };
}

/** Whether the winning policy takes dependencies along (the default). */
function propagates(policies: readonly PolicyInfo[], name: string): boolean {
  return policies.find((p) => p.name === name)?.spec.propagateDependencies !== false;
}

function dependenciesOf(template: KubeObject): { kind: string; name: string }[] {
  return referencedDependencies(template).map((d) => ({ kind: d.kind, name: d.name }));
}

/** Its own clusters plus the referrers' (without replicas), sorted by name. */
function followClusters(own: readonly TargetCluster[], referrers: readonly Referrer[]): TargetCluster[] {
  const clusters = new Map(own.map((c) => [c.name, c]));
  for (const r of referrers)
    for (const c of r.clusters) {
      const name = typeof c === 'string' ? c : c.name;
      if (!clusters.has(name)) clusters.set(name, { name });
    }
  return [...clusters.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}
