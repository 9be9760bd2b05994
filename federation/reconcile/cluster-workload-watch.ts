import type { Logger } from 'pino';
import {
  type ManifestObject,
  type MemberClusterClient,
  type WatchHandle,
  type WorkloadEvent,
  workloadStatusOf,
} from '../../providers/member-cluster-client.js';
import type { JobRequest } from '../controller/controller.js';
import type { BindingClusterStatus } from '../resources/binding.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import type { ObjectKey } from '../resources/kube-object.js';
import type { ResourceStore } from '../store/resource-store.js';
import { updateClusterStatus } from './cluster-status-update.js';
import { healJob } from './heal-job.js';
import { OWNERSHIP } from './ownership.js';
import type { BindingObject } from './placement-reconciler.js';
import { withUnreadySince } from './unready-since.js';

/** The workload types watched: those that report readyReplicas. Other kinds keep the status checks. */
export const WATCHED_WORKLOADS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
] as const;

/** What one cluster's watch needs. */
export interface ClusterWatchDeps {
  readonly store: ResourceStore;
  /** Adds the propagation passes that heal objects deleted in the cluster. */
  readonly submit: (requests: readonly JobRequest[]) => Promise<void>;
  readonly log: Logger;
  readonly now: () => number;
  /** Called after each status this watch changed. */
  readonly onUpdate?: (cluster: string) => void;
}

/**
 * Watches the workloads fedgate placed in one member cluster and records, in the binding's
 * status of that cluster, the ready replicas each reports, as soon as they change. Events are
 * coalesced per object (only the latest of a burst is written) and handled one at a time, so a
 * status never goes back to an older event's value. A placed object deleted there gets a
 * propagation pass, which re-creates it (as a drift scan does for an object it finds missing).
 */
export class ClusterWorkloadWatch {
  private readonly handles: WatchHandle[];
  private readonly pending = new Map<string, WorkloadEvent>();
  private draining = false;
  private stopped = false;

  constructor(
    readonly cluster: string,
    client: MemberClusterClient,
    private readonly deps: ClusterWatchDeps,
  ) {
    const labels = {
      [OWNERSHIP.managedByLabel]: OWNERSHIP.managedByValue,
      [OWNERSHIP.clusterLabel]: cluster,
    };
    this.handles = WATCHED_WORKLOADS.map((w) =>
      client.watchWorkloads(
        { ...w, labels },
        (event) => this.enqueue(event),
        (err) =>
          deps.log.warn({ cluster, kind: w.kind, err: err.message }, 'workload watch failed, retrying'),
      ),
    );
  }

  /** Whether every watch of this cluster is caught up (listed and connected). */
  get current(): boolean {
    return !this.stopped && this.handles.every((h) => h.current);
  }

  /** Stops the watches; events not handled yet are dropped (the next holder re-lists). */
  stop(): void {
    this.stopped = true;
    for (const h of this.handles) h.stop();
    this.pending.clear();
  }

  private enqueue(event: WorkloadEvent): void {
    if (this.stopped) return;
    const m = event.object.metadata;
    const key = `${event.object.kind}/${m.namespace ?? ''}/${m.name}`;
    this.pending.delete(key); // re-inserted last: handled in arrival order of latest events
    this.pending.set(key, event);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (const [key, event] of this.pending) {
        this.pending.delete(key);
        if (this.stopped) break;
        try {
          await this.handle(event);
        } catch (err) {
          // The status checks and the resync still cover this object.
          this.deps.log.warn(
            { cluster: this.cluster, object: key, err: (err as Error).message },
            'could not record a watched status',
          );
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async handle(event: WorkloadEvent): Promise<void> {
    const key = bindingKeyOf(event.object);
    if (!key) return;
    const { store, submit, now } = this.deps;
    // Most events repeat a readiness the status already records (the object's ADDED and status
    // events after each apply): one small read tells, without reading and decoding the binding.
    // That status is what the update below starts from: its compare-and-set fails, and recomputes
    // from the status stored then, should another writer have changed it since.
    let recorded: BindingClusterStatus | undefined;
    if (event.type !== 'DELETED') {
      recorded = await store.clusterStatus<BindingClusterStatus>(key, this.cluster);
      if (withReadiness(recorded, event.object, now()) === undefined) return;
    }
    // A deletion reads the binding and its status together; an update has the status already.
    const read =
      event.type === 'DELETED'
        ? await store.readMany<BindingClusterStatus>({
            objects: [key],
            clusterStatus: { key, cluster: this.cluster },
          })
        : { objects: [await store.get(key)], clusterStatus: recorded };
    const binding = read.objects[0] as BindingObject | undefined;
    const resource = binding?.spec.resource;
    const placedHere = binding?.spec.clusters.some((c) => c.name === this.cluster) ?? false;
    if (!resource || !placedHere || !sameObject(resource, event.object)) return;
    if (event.type === 'DELETED') {
      if (read.clusterStatus?.phase === 'Applied') await submit([healJob(key, this.cluster, 'watch', now())]);
      return;
    }
    let changed = false;
    await updateClusterStatus(store, key, this.cluster, recorded, (current) => {
      const next = withReadiness(current, event.object, now());
      changed = next !== undefined;
      return next;
    });
    if (changed) this.deps.onUpdate?.(this.cluster);
  }
}

/**
 * A cluster status with the ready replicas the object reports, or undefined when nothing changes.
 * Only a workload the propagation pass recorded as Applied with replicas is updated; the phase,
 * desired replicas, applied hash and drift stay as the pass and the drift scan set them.
 */
export function withReadiness(
  current: BindingClusterStatus | undefined,
  object: ManifestObject & { status?: unknown },
  now: number,
): BindingClusterStatus | undefined {
  if (current?.phase !== 'Applied' || current.replicas === undefined) return undefined;
  const ready = workloadStatusOf(object).readyReplicas ?? 0;
  if (current.readyReplicas === ready) return undefined;
  return withUnreadySince(
    { ...current, readyReplicas: ready, lastUpdateTime: new Date(now).toISOString() },
    current,
    now,
  );
}

/** The binding named by an object's `fedgate.dev/binding` annotation (`namespace/name`). */
function bindingKeyOf(object: ManifestObject): ObjectKey | undefined {
  const value = object.metadata.annotations?.[OWNERSHIP.bindingAnnotation];
  const slash = value?.indexOf('/') ?? -1;
  if (!value || slash < 0) return undefined;
  return { type: BINDING_TYPE, namespace: value.slice(0, slash), name: value.slice(slash + 1) };
}

function sameObject(
  r: { apiVersion: string; kind: string; namespace: string; name: string },
  o: ManifestObject,
): boolean {
  return (
    r.apiVersion === o.apiVersion &&
    r.kind === o.kind &&
    r.name === o.metadata.name &&
    (r.namespace || undefined) === (o.metadata.namespace || undefined)
  );
}
