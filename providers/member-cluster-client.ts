import type { KubeObject } from '../placement/types.js';
import type { ProviderError } from './provider-error.js';

/**
 * A Kubernetes-shaped object as sent to or read from a member cluster: the product's one object
 * shape (a type, so the seam still depends on no other layer at run time).
 */
export type ManifestObject = KubeObject;

/** Identifies one object in a member cluster. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One node as the cluster reports it (raw Kubernetes quantities). */
export interface NodeReport {
  readonly name: string;
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly allocatable: Readonly<Record<string, string>>;
}

/** What a health probe saw. */
export interface ClusterProbe {
  /** The uid of the kube-system namespace: stable for a cluster's life, new when it is rebuilt. */
  readonly clusterID: string;
  readonly kubernetesVersion: string;
  readonly nodes: readonly NodeReport[];
  /** For every scheduled pod that holds capacity (not Succeeded/Failed): its containers' requests, raw quantities. */
  readonly podRequests: readonly (readonly Readonly<Record<string, string>>[])[];
}

/** What a workload reports back. */
export interface WorkloadStatus {
  readonly exists: boolean;
  readonly generation?: number;
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  /** Labels and annotations as they stand in the member cluster. */
  readonly object?: ManifestObject;
}

/**
 * The status an object reports, as read or as a server-side apply answered it (the object the
 * server stored, with the status it had then).
 */
export function workloadStatusOf(obj: ManifestObject & { status?: unknown }): WorkloadStatus {
  const st = (obj.status ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const meta = obj.metadata as { generation?: number };
  return {
    exists: true,
    generation: meta.generation,
    observedGeneration: num(st.observedGeneration),
    replicas: num(st.replicas),
    readyReplicas: num(st.readyReplicas) ?? (num(st.replicas) === undefined ? undefined : 0),
    availableReplicas: num(st.availableReplicas),
    object: obj,
  };
}

/** Which workloads a watch follows: one type, objects carrying all the given labels, in every namespace. */
export interface WorkloadWatchSpec {
  readonly apiVersion: string;
  readonly kind: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * One change to a watched workload. After every (re)list the watch reports each listed object as
 * ADDED and each object it knew of but no longer lists as DELETED, so a consumer that treats ADDED
 * and MODIFIED alike misses nothing across a reconnect.
 */
export interface WorkloadEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: ManifestObject & { status?: unknown };
}

/** A running watch. */
export interface WatchHandle {
  /** Ends the watch: no event is delivered after it returns. */
  stop(): void;
  /** True while the watch is caught up: listed, and a watch request is open. */
  readonly current: boolean;
}

/**
 * How the control plane talks to one member cluster's Kubernetes API. The Kubernetes adapter
 * implements it with @kubernetes/client-node; every error it throws is a ProviderError.
 */
export interface MemberClusterClient {
  /** Reads version, nodes and requested capacity. */
  probe(): Promise<ClusterProbe>;
  /**
   * Server-side applies the objects (creating namespaces they need) with the given field manager;
   * returns each object as the server stored it, status included.
   */
  apply(
    objects: readonly ManifestObject[],
    opts: { fieldManager: string; dryRun?: boolean },
  ): Promise<ManifestObject[]>;
  /** Reads an object's status; `exists: false` when absent. */
  readStatus(ref: ObjectRef): Promise<WorkloadStatus>;
  /** Lists objects of one type that carry all the given labels. */
  listByLabels(
    apiVersion: string,
    kind: string,
    labels: Readonly<Record<string, string>>,
  ): Promise<ManifestObject[]>;
  /** Deletes an object; false when it was already gone. */
  delete(ref: ObjectRef): Promise<boolean>;
  /**
   * Watches workloads of one type (list, then watch from the list's version), re-listing when the
   * version expired and reconnecting with capped backoff after errors, until stopped. `onError`
   * hears each failure (the watch keeps retrying).
   */
  watchWorkloads(
    spec: WorkloadWatchSpec,
    onEvent: (event: WorkloadEvent) => void,
    onError: (err: ProviderError) => void,
  ): WatchHandle;
}
