/**
 * The explanation of one decision: plain JSON data, stored in the Binding's status and printed by
 * `fedgate explain`. Feasible clusters get one entry each (scores, replicas); rejected clusters are
 * grouped by (plugin, reason) to keep a 5,000-cluster explanation small — `explainCluster()`
 * gives the per-cluster view of either kind.
 */

/** A policy that matched the template, in precedence order. */
export interface PolicyCandidate {
  name: string;
  priority: number;
  /** 'name' | 'labelSelector(n)' | 'namespace' | 'kind' */
  specificity: string;
  rank: number;
}

/** How an affinity term fared (terms are tried in order as fallbacks). */
export interface AffinityTermOutcome {
  index: number;
  name: string;
  outcome: 'Used' | 'Failed' | 'NotTried';
  reason?: string;
}

/** A feasible cluster: each score plugin's score (0..100), the weighted total, replicas given. */
export interface FeasibleCluster {
  name: string;
  scores: Record<string, number>;
  total: number;
  selected: boolean;
  replicas?: number;
  /** Why a feasible cluster was not selected or got no replicas. */
  note?: string;
  /** Estimated cost of this cluster's share per month (USD), when the model knows its price. */
  costPerMonth?: number;
}

/** Clusters rejected by one filter plugin for one reason. */
export interface RejectedGroup {
  plugin: string;
  reason: string;
  clusters: string[];
}

/** Spread constraint outcome. */
export interface SpreadOutcome {
  spreadByField: string;
  minGroups: number;
  maxGroups?: number;
  feasibleGroups: number;
  selectedGroups: string[];
}

/** Stability decision against the previous placement. */
export interface StabilityOutcome {
  /** Kept: unchanged; Incremental: previous replicas kept, difference placed; Moved: gain passed the threshold; Fresh: no usable previous placement. */
  decision: 'Kept' | 'Incremental' | 'Moved' | 'Fresh';
  reason: string;
  previousScore?: number;
  candidateScore?: number;
  minScoreGain?: number;
}

/** The explanation of one decision. */
export interface Explanation {
  template: { apiVersion: string; kind: string; namespace: string; name: string; replicas?: number };
  fleetVersion: string;
  policy?: { winner: string; reason: string; candidates: PolicyCandidate[] };
  affinityTerms: AffinityTermOutcome[];
  filterPlugins: string[];
  scorePlugins: { name: string; weight: number }[];
  feasible: FeasibleCluster[];
  rejected: RejectedGroup[];
  spread: SpreadOutcome[];
  division?: { algorithm: string; notes: string[] };
  stability?: StabilityOutcome;
  /** Estimated total per month (USD) when the cost model prices every selected cluster. */
  costPerMonth?: number;
  messages: string[];
}

/** One cluster's part of an explanation. */
export type ClusterExplanation =
  | ({ feasible: true } & FeasibleCluster)
  | { name: string; feasible: false; plugin: string; reason: string }
  | { name: string; feasible: false; plugin: 'NotEvaluated'; reason: string };
