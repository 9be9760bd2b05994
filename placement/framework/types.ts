/**
 * The scheduler framework's seams, after Karmada's framework/interface.go: small filter and score
 * plugin interfaces, a context per decision, typed verdicts. Plugins are pure and deterministic.
 */
import type { ClusterEntry, FleetSnapshot } from '../fleet/snapshot.js';
import type { CostModel } from '../model-types.js';
import type { CompiledAffinityTerm, CompiledPolicy } from '../policy/compile.js';
import type { TemplateInfo } from '../types.js';

/** Everything a plugin may look at during one decision (one policy, one affinity term). */
export interface DecisionContext {
  readonly fleet: FleetSnapshot;
  readonly policy: CompiledPolicy;
  readonly term: CompiledAffinityTerm;
  readonly template: TemplateInfo;
  readonly model: CostModel;
  /** Epoch ms of the decision. */
  readonly now: number;
  /** Clusters of the previous placement → their replicas; empty when there is none. */
  readonly previous: ReadonlyMap<string, number | undefined>;
  /** Lowers the time at which the decision must be recomputed (a toleration expires). */
  requeueAt(epochMs: number): void;
  /**
   * Replicas of this template the cluster can run, counting the replicas it already runs for the
   * previous placement (Infinity when the cluster reports no capacity). Memoised per decision.
   */
  capacityOf(cluster: ClusterEntry): number;
  /** USD per replica-month of this template on the cluster; undefined without a price. Memoised. */
  unitCostOf(cluster: ClusterEntry): number | undefined;
}

/** A filter verdict: undefined when the cluster fits, else the reason it does not. */
export type FilterVerdict = string | undefined;

/**
 * A filter plugin. `scope: 'fleet'` declares that the verdict depends only on the policy, the
 * affinity term, `template.dataBearing` and the cluster, so the framework memoises it per fleet
 * snapshot; `'decision'` plugins run every decision (time, previous placement, requests).
 */
export interface FilterPlugin {
  readonly name: string;
  readonly scope: 'fleet' | 'decision';
  /**
   * For a 'decision' plugin: its verdict depends only on what a 'fleet' plugin's may whenever the
   * decision has no previous placement (it only looks at time or the previous placement for a
   * cluster that hosts the workload). Such decisions then memoise it with the fleet-scope plugins.
   */
  readonly fleetScopeWithoutPrevious?: boolean;
  /** One-line description for `fedgate explain` and the README. */
  readonly description: string;
  filter(ctx: DecisionContext, cluster: ClusterEntry): FilterVerdict;
}

/**
 * A score plugin: 0..100 per feasible cluster (higher is better), combined as a weighted mean.
 * `prepare` sees all feasible clusters once (normalisation bounds) and its result is passed to
 * `score`. Plugins with `objective: false` break ties but do not count towards the stability gain.
 */
export interface ScorePlugin<S = unknown> {
  readonly name: string;
  readonly description: string;
  readonly objective: boolean;
  /** The plugin's weight for this decision; 0 skips it. */
  weight(ctx: DecisionContext): number;
  prepare?(ctx: DecisionContext, feasible: readonly ClusterEntry[]): S;
  score(ctx: DecisionContext, cluster: ClusterEntry, state: S): number;
}

/** A rejection recorded for the explanation. */
export interface Rejection {
  readonly plugin: string;
  readonly reason: string;
}

/** The result of the filter phase. */
export interface FilterOutcome {
  feasible: ClusterEntry[];
  /** By cluster index: why it was rejected, or undefined when feasible. */
  rejections: (Rejection | undefined)[];
}

/** Scores of the feasible clusters. */
export interface ScoreOutcome {
  plugins: { plugin: ScorePlugin; weight: number }[];
  /** plugin position → feasible position → score 0..100 */
  scores: Float64Array[];
  /** feasible position → weighted total 0..100 (all plugins). */
  total: Float64Array;
  /** feasible position → weighted total of the objective plugins only. */
  objective: Float64Array;
}
