/**
 * Policies compiled once (selectors → predicates, defaults resolved) and cached by
 * (name, resourceVersion) — or by spec identity when no resourceVersion is given — so a decision
 * never re-parses a policy.
 */
import type { PolicyInfo, TemplateInfo } from '../types.js';
import { type CompiledClusterTerm, compileClusterTerm } from './cluster-term.js';
import type {
  ClusterSelectorTerm,
  OverrideRule,
  PlacementPolicySpec,
  ResourceSelector,
  SpreadConstraint,
  Toleration,
} from './schema.js';
import { DEFAULT_FAILOVER_SECONDS } from './schema.js';

export { DEFAULT_FAILOVER_SECONDS };

import { compileLabelSelector, type LabelPredicate, selectorRequirementCount } from './selectors.js';
import { tolerates } from './toleration.js';

/** Taint keys federation puts on NotReady clusters (like the Kubernetes node lifecycle controller). */
export const NOT_READY_TAINT = 'cluster.fedgate.dev/not-ready';
/** Taint key for clusters whose API cannot be reached. */
export const UNREACHABLE_TAINT = 'cluster.fedgate.dev/unreachable';
/** Default stability.minScoreGain. */
export const DEFAULT_MIN_SCORE_GAIN = 10;

/** How well a selector matches a template: compared lexicographically, higher is more specific. */
export interface Specificity {
  /** 3: by name, 2: by label selector, 1: by namespace only, 0: by kind only. */
  level: number;
  /** Number of label requirements (ranks label selectors among themselves). */
  requirements: number;
}

/** A compiled resource selector. */
export interface CompiledResourceSelector {
  readonly source: ResourceSelector;
  match(t: TemplateInfo): Specificity | undefined;
}

/** An affinity term ready for scheduling. */
export interface CompiledAffinityTerm {
  readonly index: number;
  readonly label: string;
  readonly term: CompiledClusterTerm;
}

/** Failover settings with defaults resolved. */
export interface ResolvedFailover {
  tolerationSeconds: number;
  mode: 'Graceful' | 'Immediate';
  purgeMode: 'Immediately' | 'Graciously' | 'Never';
  gracePeriodSeconds: number;
}

/** A policy compiled for scheduling. */
export interface CompiledPolicy {
  /** Unique per compilation; keys memoised per-fleet verdicts. */
  readonly id: number;
  readonly name: string;
  readonly spec: PlacementPolicySpec;
  readonly priority: number;
  readonly selectors: readonly CompiledResourceSelector[];
  readonly terms: readonly CompiledAffinityTerm[];
  /** User tolerations plus the implicit failover tolerations. */
  readonly tolerations: readonly Toleration[];
  readonly spread: readonly SpreadConstraint[];
  readonly weights: readonly { term: CompiledClusterTerm; weight: number }[];
  readonly overrides: readonly { term: CompiledClusterTerm; rule: OverrideRule }[];
  readonly failover: ResolvedFailover;
  readonly minScoreGain: number;
  /** replicaScheduling.type is Duplicated (the default). */
  readonly duplicated: boolean;
}

function compileResourceSelector(s: ResourceSelector): CompiledResourceSelector {
  const labels: LabelPredicate = compileLabelSelector(s.labelSelector);
  const specificity: Specificity = {
    level: s.name !== undefined ? 3 : s.labelSelector !== undefined ? 2 : s.namespace !== undefined ? 1 : 0,
    requirements: selectorRequirementCount(s.labelSelector),
  };
  return {
    source: s,
    match(t) {
      if (t.apiVersion !== s.apiVersion || t.kind !== s.kind) return undefined;
      if (s.namespace !== undefined && t.namespace !== s.namespace) return undefined;
      if (s.name !== undefined && t.name !== s.name) return undefined;
      if (!labels(t.labels)) return undefined;
      return specificity;
    },
  };
}

function resolveFailover(spec: PlacementPolicySpec): ResolvedFailover {
  const f = spec.failover;
  const mode = f?.mode ?? 'Graceful';
  return {
    tolerationSeconds: f?.tolerationSeconds ?? DEFAULT_FAILOVER_SECONDS,
    mode,
    purgeMode: f?.purgeMode ?? (mode === 'Graceful' ? 'Graciously' : 'Immediately'),
    gracePeriodSeconds: f?.gracePeriodSeconds ?? 600,
  };
}

/**
 * Adds the failover toleration (failover.tolerationSeconds) of the not-ready and unreachable taints
 * unless one of the user's tolerations already matches the taint. A user's toleration then decides
 * alone: adding the implicit timed one beside it would cut an untimed one ("never fail over") down
 * to failover.tolerationSeconds, since the shortest timed toleration applies (see toleration.ts).
 */
function withFailoverTolerations(user: readonly Toleration[], seconds: number): Toleration[] {
  const out = [...user];
  for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
    const covered = user.some((t) => tolerates(t, { key, effect: 'NoExecute' }));
    if (!covered) out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  return out;
}

let nextId = 1;

/** Compiles a policy without caching (see compilePolicyCached). */
export function compilePolicy(policy: PolicyInfo): CompiledPolicy {
  const spec = policy.spec;
  const termSources: (ClusterSelectorTerm & { affinityName?: string | undefined })[] =
    spec.clusterAffinities ?? [spec.clusterAffinity ?? {}];
  const terms: CompiledAffinityTerm[] = termSources.map((t, index) => ({
    index,
    label: t.affinityName ?? `term-${index}`,
    term: compileClusterTerm(t),
  }));
  const failover = resolveFailover(spec);
  return {
    id: nextId++,
    name: policy.name,
    spec,
    priority: spec.priority ?? 0,
    selectors: spec.resourceSelectors.map(compileResourceSelector),
    terms,
    tolerations: withFailoverTolerations(spec.tolerations ?? [], failover.tolerationSeconds),
    spread: spec.spreadConstraints ?? [],
    weights: (spec.replicaScheduling?.staticWeights ?? []).map((w) => ({
      term: compileClusterTerm(w.targetCluster),
      weight: w.weight,
    })),
    overrides: (spec.overrides ?? []).map((rule) => ({
      term: compileClusterTerm(rule.clusterSelector),
      rule,
    })),
    failover,
    minScoreGain: spec.stability?.minScoreGain ?? DEFAULT_MIN_SCORE_GAIN,
    duplicated: (spec.replicaScheduling?.type ?? 'Duplicated') === 'Duplicated',
  };
}

const MAX_CACHED = 4096;
const byVersion = new Map<string, CompiledPolicy>();
const bySpec = new WeakMap<PlacementPolicySpec, CompiledPolicy>();

/**
 * Compiles a policy, reusing an earlier compilation of the same (name, resourceVersion) or of the
 * same spec object. The cache is bounded (oldest entries dropped first).
 */
export function compilePolicyCached(policy: PolicyInfo): CompiledPolicy {
  if (policy.resourceVersion === undefined) {
    const hit = bySpec.get(policy.spec);
    if (hit !== undefined && hit.name === policy.name) return hit;
    const compiled = compilePolicy(policy);
    bySpec.set(policy.spec, compiled);
    return compiled;
  }
  const key = `${policy.name}\u0000${policy.resourceVersion}`;
  const hit = byVersion.get(key);
  if (hit !== undefined) return hit;
  const compiled = compilePolicy(policy);
  if (byVersion.size >= MAX_CACHED) {
    const oldest = byVersion.keys().next();
    if (oldest.done !== true) byVersion.delete(oldest.value);
  }
  byVersion.set(key, compiled);
  return compiled;
}
