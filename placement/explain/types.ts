/**
 * The explanation of one decision: plain JSON data, stored in the Binding's status and printed by
 * `fedgate explain`. Compact on purpose (a 5,000-cluster fleet must not produce a megabyte per
 * Binding): feasible clusters form a score table (one column per score plugin), rejected clusters
 * are grouped by (plugin, reason), and the placement lists the chosen clusters with their replicas.
 * `explainCluster()` gives the per-cluster view.
 */

import type { ResidencyOutcome } from '../plugins/residency.js';
import type { PriceSource } from './prices.js';

export type { PriceSource } from './prices.js';

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

/** Every feasible cluster (by name) with each score plugin's score (0..100) and the weighted total. */
export interface ScoreTable {
  clusters: string[];
  total: number[];
  /** plugin name → scores aligned with `clusters` */
  byPlugin: Record<string, number[]>;
}

/** A cluster of the placement: replicas given, total score, estimated cost. */
export interface PlacedCluster {
  name: string;
  replicas?: number;
  total: number;
  /** Estimated cost of this cluster's share per month (USD), when requests and price are known. */
  costPerMonth?: number;
}

/** One feasible cluster, as explainCluster() shows it. */
export interface FeasibleCluster {
  name: string;
  scores: Record<string, number>;
  total: number;
  selected: boolean;
  replicas?: number;
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
  /**
   * Kept: unchanged; Incremental: previous replicas kept, difference placed; Moved: the gain passed
   * minScoreGain, or (reason `static weights: …`, no scores) explicit static weights called for
   * their declared split; Fresh: no usable previous placement.
   */
  decision: 'Kept' | 'Incremental' | 'Moved' | 'Fresh';
  reason: string;
  previousScore?: number;
  candidateScore?: number;
  minScoreGain?: number;
}

/** Which residency rule applied, or why none did (see plugins/residency.ts). */
export type { ResidencyOutcome } from '../plugins/residency.js';

/** The explanation of one decision. */
export interface Explanation {
  template: { apiVersion: string; kind: string; namespace: string; name: string; replicas?: number };
  fleetVersion: string;
  policy?: { winner: string; reason: string; candidates: PolicyCandidate[] };
  /** Which residency rule applied, or why none did (absent in explanations stored by older versions). */
  residency?: ResidencyOutcome;
  affinityTerms: AffinityTermOutcome[];
  filterPlugins: string[];
  scorePlugins: { name: string; weight: number }[];
  feasible: ScoreTable;
  rejected: RejectedGroup[];
  /** The chosen clusters, by name (empty unless Scheduled). */
  placement: PlacedCluster[];
  spread: SpreadOutcome[];
  division?: { algorithm: string; notes: string[] };
  stability?: StabilityOutcome;
  /** Estimated total per month (USD) when the cost model prices every selected cluster. */
  costPerMonth?: number;
  /**
   * Where compute prices came from, for the placed clusters and the best-scoring others (up to
   * 10 more). Present only when some cluster of the fleet is not priced by its region's list price
   * alone (instance mix from cloud inventory, a `spec.cost` override, a provider average); absent,
   * every cluster is priced by its region's list price.
   */
  prices?: Record<string, PriceSource>;
  messages: string[];
}

/** One cluster's part of an explanation. */
export type ClusterExplanation =
  | ({ feasible: true } & FeasibleCluster)
  | { name: string; feasible: false; plugin: string; reason: string }
  | { name: string; feasible: false; plugin: 'NotEvaluated'; reason: string };
