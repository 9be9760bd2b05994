/** The data of a what-if simulation: the state it starts from, the proposal, and the answer. */
import type { PlacementDiff } from '../diff.js';
import type { Explanation, PriceSource } from '../explain/types.js';
import type { Registry } from '../framework/registry.js';
import type { CostModel } from '../model-types.js';
import type { ClusterSnapshot, KubeObject, ObjectRef, PolicyInfo, TargetCluster } from '../types.js';

/** What runs now for one template: its Binding's decision. */
export interface CurrentPlacement {
  apiVersion: string;
  kind: string;
  /** '' for a cluster-scoped template. */
  namespace: string;
  name: string;
  policy?: string;
  clusters: readonly TargetCluster[];
}

/** The state a simulation starts from. */
export interface WhatIfState {
  fleet: readonly ClusterSnapshot[];
  policies: readonly PolicyInfo[];
  /** The workload templates as stored (ordinary manifests). */
  templates: readonly KubeObject[];
  /** The Bindings' decisions; a template without one is computed from the current inputs. */
  placements: readonly CurrentPlacement[];
  /** Shown as the fleet version of the current side. */
  version?: string;
}

/** A change to simulate. */
export interface WhatIfProposal {
  /** Replace the policies of the same name; others are added. */
  policies?: readonly PolicyInfo[];
  /** Names of current policies to drop. */
  removePolicies?: readonly string[];
  /** The whole fleet to simulate on (replaces the current one). */
  fleet?: readonly ClusterSnapshot[];
  /** Replace the templates of the same group, kind, namespace and name; others are added. */
  templates?: readonly KubeObject[];
}

/** Options of simulate(). */
export interface WhatIfOptions {
  /** Epoch ms the decisions are taken at. */
  now: number;
  model?: CostModel;
  registry?: Registry;
  /** Include each template's explanation of the proposed decision (as `fedgate explain` shows it). */
  explanations?: boolean;
}

/** How a template is (or would be) placed. */
export type PlacementStatus =
  | 'Scheduled'
  | 'Unschedulable'
  | 'NoMatchingPolicy'
  /** A ConfigMap/Secret/ServiceAccount/PVC placed only because workloads referencing it run there. */
  | 'FollowsWorkload'
  /** Has no placement yet (new template, or a Binding without clusters). */
  | 'NotPlaced';

/** One side (before or after) of a template's simulation. */
export interface SideOutcome {
  status: PlacementStatus;
  policy?: string;
  clusters: TargetCluster[];
  /** Estimated cost per month (USD) of this placement, when the template declares requests. */
  costPerMonth?: number;
  /** Unschedulable: the scheduler's reason and message. */
  reason?: string;
  message?: string;
  /** Unschedulable, and its current placement (`clusters`) is kept until it can be scheduled. */
  kept?: boolean;
}

/** A cluster of the current placement that the proposal's constraints reject. */
export interface ConstraintViolation {
  cluster: string;
  /** The filter plugin that rejects it (or `Fleet` when it left the fleet). */
  plugin: string;
  reason: string;
}

/** The simulation of one template. */
export interface TemplateWhatIf {
  template: ObjectRef & { replicas?: number };
  /** What runs now: from its Binding (`binding`), or what the current inputs give (`computed`). */
  before: SideOutcome & { source: 'binding' | 'computed' | 'none' };
  after: SideOutcome;
  diff: PlacementDiff;
  /** True when the clusters or replicas differ between before and after. */
  changed: boolean;
  /** The proposal leaves it without a placement it had, or unschedulable where it was not. */
  becomesUnschedulable: boolean;
  /** The current inputs alone would already change the running placement (a pending decision). */
  pendingWithoutProposal: boolean;
  violations: ConstraintViolation[];
  notes: string[];
  /** The scheduler's explanation of the proposed decision, when asked for (WhatIfOptions.explanations). */
  explanation?: Explanation;
}

/** Sums over every template. */
export interface WhatIfTotals {
  templates: number;
  changed: number;
  /** Replicas of replicated workloads that move from one cluster to another. */
  movedReplicas: number;
  addedReplicas: number;
  removedReplicas: number;
  /** Over the templates priced on both sides. */
  costPerMonth: { before: number; after: number; delta: number };
  /** Templates without requests (or on unpriced clusters) left out of the cost. */
  unpricedTemplates: number;
  becomeUnschedulable: number;
  violations: number;
}

/** The result of a simulation. */
export interface WhatIfResult {
  templates: TemplateWhatIf[];
  totals: WhatIfTotals;
  /**
   * Where the compute price of every cluster of a before or after placement came from (the
   * proposed fleet's price, else the current one's). Present only when some cluster is not priced
   * by its region's list price alone (instance mix, override, provider average).
   */
  prices?: Record<string, PriceSource>;
}
