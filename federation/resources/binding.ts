import { createHash } from 'node:crypto';
import { isBuiltinGroup } from './kube-schema.js';
import type { Condition } from './member-cluster.js';

/** One cluster chosen for a template, with its replicas (absent for objects without replicas). */
export interface TargetCluster {
  name: string;
  replicas?: number;
}

/** The spec of a Binding: the scheduler's decision for one template. */
export interface BindingSpec {
  resource: {
    apiVersion: string;
    kind: string;
    namespace: string;
    name: string;
    generation: number;
    type: string;
  };
  /** The PlacementPolicy that decided, absent when none matched. */
  policy?: string;
  clusters: TargetCluster[];
  /**
   * Clusters being left, listed until their old copy is gone: graceful failover keeps it until the
   * new copies are ready (or the grace period ends), purge mode Never keeps it for good.
   */
  evictions?: BindingEviction[];
  /** ConfigMaps, Secrets, ServiceAccounts and PVCs (same namespace) this workload references: they follow it. */
  dependencies?: { kind: string; name: string }[];
  /** For a dependency: the bindings of the workloads it follows. */
  requiredBy?: string[];
  /** What one replica requests, for capacity accounting of replicas not running yet. */
  podRequests?: { cpuMilli: number; memoryBytes: number };
}

/** A cluster a Binding is leaving, and how its old copy goes. */
export interface BindingEviction {
  cluster: string;
  reason: string;
  /** When the cluster was first evicted. */
  since: string;
  /** Immediately: pruned at once; Graciously: once the new copies are ready; Never: left in place. */
  purgeMode?: 'Immediately' | 'Graciously' | 'Never';
  /** Graciously: prune at the latest this long after `since`. */
  gracePeriodSeconds?: number;
}

/** What fedgate observed of the template in one member cluster. */
export interface BindingClusterStatus {
  cluster: string;
  /** Applied: the cluster holds the manifest of `appliedGeneration`. */
  phase: 'Pending' | 'Applied' | 'Failed' | 'Pruned';
  appliedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  /** Since when fewer than `replicas` are ready (absent when all are): how long they wait to run. */
  unreadySince?: string;
  message?: string;
  /** Hash of the manifest last applied to the cluster: a different desired hash means a change is pending, not drift. */
  appliedHash?: string;
  /** The latest drift found in the cluster: fields changed there since fedgate applied them. */
  drift?: ClusterDrift;
  lastUpdateTime: string;
}

/** Drift of the placed object in one member cluster. */
export interface ClusterDrift {
  /** JSON pointers of the fields that differ from what fedgate applied (at most 50). */
  paths: string[];
  detectedAt: string;
  /** The policy's drift mode when detected. */
  mode: 'Restore' | 'Report';
  /** True once fedgate re-applied its manifest; false while the drift is left in place (Report). */
  restored: boolean;
  /**
   * The object's resourceVersion right after the restore. Found unchanged yet still different, the
   * difference is one re-applying cannot fix (a webhook, a normalization): not re-applied again.
   */
  restoredVersion?: string;
}

/** The status of a Binding. */
export interface BindingStatus {
  observedGeneration?: number;
  conditions: Condition[];
  /** The scheduler's structured explanation of the decision. */
  explanation?: unknown;
  /** Per-cluster status, kept apart from the object in the store so propagation workers never contend. */
  clusters?: BindingClusterStatus[];
}

/**
 * The Binding name for a template. Templates of the groups Kubernetes serves itself (core, apps,
 * batch, networking.k8s.io, …) keep the name fedgate always gave them, `<name>-<kind>`, so existing
 * Bindings stay where they are. A template of any other group (a custom resource) gets
 * `<name>-<kind>-<10 hex of the group's hash>`: a `squatter.example.com` Deployment can no longer
 * take the name of the `apps` one. The two forms cannot meet: a built-in kind is a word the schema
 * knows, never a hash. Shortened with a hash when too long for a Kubernetes name. Deterministic, so
 * every worker derives the same one.
 */
export function bindingNameFor(kind: string, name: string, group = ''): string {
  const base = `${name}-${kind.toLowerCase()}`;
  return fitName(isBuiltinGroup(group) ? base : `${base}-${shortHash(group)}`);
}

/**
 * The name a custom resource's Binding had before names carried the group, `<name>-<kind>`;
 * undefined for built-in groups, whose name did not change. A Binding found there for the same type
 * is adopted where it is (see the placement reconciler), so upgrading moves nothing.
 */
export function legacyBindingNameFor(kind: string, name: string, group: string): string | undefined {
  return isBuiltinGroup(group) ? undefined : fitName(`${name}-${kind.toLowerCase()}`);
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 10);
}

function fitName(full: string): string {
  if (full.length <= 253) return full;
  return `${full.slice(0, 242)}-${shortHash(full)}`;
}
