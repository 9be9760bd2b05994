/**
 * Plain data types shared by the whole placement engine: what the control plane hands the scheduler
 * (clusters, templates, policies) and what it gets back. Everything here is JSON-serialisable.
 */
import type { Explanation } from './explain/types.js';
import type { FleetSnapshot } from './fleet/snapshot.js';
import type { CostOverrides, Provider } from './model-types.js';
import type { PlacementPolicySpec } from './policy/schema.js';

export type { Provider } from './model-types.js';

/** A taint on a member cluster, with Kubernetes semantics. */
export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** ISO timestamp when a NoExecute taint was added; starts the tolerationSeconds clock. */
  timeAdded?: string;
}

/** Resource amounts of one cluster in canonical units. */
export interface ResourceAmounts {
  cpuMilli: number;
  memoryBytes: number;
  pods: number;
}

/** Cloud instances of one type in one zone behind a cluster's nodes, as cloud inventory found them. */
export interface InstanceGroup {
  zone: string;
  /** `m6i.xlarge`, `e2-standard-4`, `Standard_D4s_v5`. */
  instanceType: string;
  /** Running instances of this type in this zone. */
  count: number;
  /** vCPUs of one instance. */
  vcpus: number;
  /** Memory of one instance, MiB. */
  memoryMiB: number;
}

/** What the scheduler knows about one member cluster at one fleet version. */
export interface ClusterSnapshot {
  name: string;
  provider: Provider;
  region: string;
  zone?: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** Last health probe. NotReady clusters also carry a NoExecute not-ready/unreachable taint. */
  ready: boolean;
  allocatable?: ResourceAmounts;
  /** Allocatable minus what already runs (including this template's own replicas, if any). */
  available?: ResourceAmounts;
  costOverrides?: CostOverrides;
  /**
   * The cloud instances behind its nodes (MemberCluster `status.cloud`), by zone and type. Sets its
   * price from the instance mix, caps its capacity at what the instances have, gives its capacity
   * when the probe reports none, and its zone when all instances are in one (see fleet/inventory.ts).
   */
  instances?: InstanceGroup[];
}

/** The facts about a workload template the scheduler needs (see templateInfoFromManifest). */
export interface TemplateInfo {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Desired replicas; undefined for objects that are not replicated workloads. */
  replicas?: number;
  /** Effective requests of one pod (init containers included, Kubernetes rules). */
  podRequests?: { cpuMilli: number; memoryBytes: number };
  /** Holds user data (PVCs, StatefulSet volume claims, annotation): residency applies. */
  dataBearing: boolean;
}

/** A reference to a namespaced Kubernetes object. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** A PlacementPolicy as loaded from the store. */
export interface PolicyInfo {
  name: string;
  spec: PlacementPolicySpec;
  /** When present, compiled forms are cached by (name, resourceVersion). */
  resourceVersion?: string;
}

/** One cluster of a placement and its replica count (undefined for non-replicated objects). */
export interface TargetCluster {
  name: string;
  replicas?: number;
}

/** A previous decision for the same template, used for stability and failover. */
export interface PreviousPlacement {
  policy?: string;
  clusters: readonly TargetCluster[];
}

/** Everything one scheduling decision depends on. */
export interface ScheduleInput {
  template: TemplateInfo;
  policies: readonly PolicyInfo[];
  /** The fleet; pass a prebuilt FleetSnapshot (buildFleetSnapshot) to share indexes across decisions. */
  fleet: readonly ClusterSnapshot[] | FleetSnapshot;
  previous?: PreviousPlacement;
  /**
   * Capacity of each cluster already committed but not yet in its reported `available`: replicas
   * placed there (by any template, this one included) that the cluster does not run yet. Taken off
   * `available` before any room is computed, so a burst of decisions never schedules past what is
   * free. Absent: none.
   */
  reserved?: ReadonlyMap<string, ResourceAmounts>;
  /** Epoch milliseconds; the engine never reads the clock. */
  now: number;
}

/** A workload copy to remove from a cluster, and how. */
export interface Eviction {
  cluster: string;
  reason: string;
  /** How the old copy is removed (policy failover.purgeMode). */
  purgeMode: 'Immediately' | 'Graciously' | 'Never';
  /** Graciously: remove once the replacement is ready, or at the latest after this many seconds. */
  gracePeriodSeconds?: number;
}

/** The outcome of one scheduling decision. */
export type ScheduleResult =
  | {
      status: 'Scheduled';
      policy: string;
      clusters: TargetCluster[];
      evictions: Eviction[];
      /** Re-run the decision at this epoch ms (a NoExecute toleration expires); absent if none. */
      requeueAt?: number;
      explanation: Explanation;
    }
  | {
      status: 'Unschedulable';
      policy: string;
      reason: UnschedulableReason;
      message: string;
      explanation: Explanation;
    }
  | { status: 'NoMatchingPolicy'; explanation: Explanation };

/** Stable CamelCase reasons of an Unschedulable result. */
export type UnschedulableReason =
  | 'NoClusterFits'
  | 'ResidencyUnsatisfiable'
  | 'SpreadConstraintUnsatisfiable'
  | 'InsufficientCapacity'
  | 'NoWeightedCluster'
  | 'InvalidPolicy';

/** Metadata of a Kubernetes-shaped object (the server-owned fields are set by whoever stores it). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  [extra: string]: unknown;
}

/**
 * Any Kubernetes-shaped object: a workload template as the app team wrote it, a fedgate resource,
 * or an object as a member cluster holds it. The one definition of that shape in the product.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Metadata fields the server that stores an object owns: never taken from input, never sent on. */
export const SERVER_OWNED_METADATA: readonly string[] = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
];
