import type { Logger } from 'pino';
import { retainIgnored } from '../../placement/drift/diff.js';
import {
  type ManifestObject,
  type ObjectRef,
  workloadStatusOf,
} from '../../providers/member-cluster-client.js';
import { isProviderError } from '../../providers/provider-error.js';
import type { PropagationJob, Queues } from '../queue/queues.js';
import { ALL_TARGET_CLUSTERS, jobIds } from '../queue/queues.js';
import type { BindingClusterStatus } from '../resources/binding.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { ClusterClients } from './cluster-clients.js';
import { toClusterSnapshot } from './cluster-snapshot.js';
import { updateClusterStatus } from './cluster-status-update.js';
import { WATCHED_WORKLOADS } from './cluster-workload-watch.js';
import { type DriftDetector, manifestHash } from './drift-detector.js';
import { FleetView } from './fleet-view.js';
import { bindingHash, FIELD_MANAGER, OWNERSHIP } from './ownership.js';
import type { BindingObject } from './placement-reconciler.js';
import { renderManifest } from './render-manifest.js';

/** What a propagation pass did. */
export type PropagationOutcome = 'applied' | 'ready' | 'pruned' | 'kept' | 'skipped';

/** Follow-up status reads of a workload that is not ready yet: how many, and the longest wait between them. */
const STATUS_CHECKS = 40;
const STATUS_CHECK_MAX_DELAY_MS = 10_000;
/**
 * The first delay of status checks backing up current watches (see PropagationOptions.watching):
 * the watch reports readiness as it changes, so a check only catches what a watch might miss.
 */
const WATCHED_CHECK_DELAY_MS = 15_000;

/** Options of the propagation reconciler. */
export interface PropagationOptions {
  readonly now?: () => number;
  /** Compares what is already in place with its manifest; without it, every pass re-applies. */
  readonly drift?: DriftDetector;
  /** Follow-up status reads of a workload not ready yet (the watches see later changes of Deployments and StatefulSets). Default 40. */
  readonly statusChecks?: number;
  /**
   * Whether every one of these clusters' workload watches is current (listed and connected): their
   * watch reports readiness of Deployments and StatefulSets as it changes, so status checks of
   * those only back it up, at a slower pace.
   */
  readonly watching?: (clusters: readonly string[]) => Promise<boolean>;
  /**
   * First delay of a status check backing up current watches, doubled per check up to four times
   * it. Default 15 s; 0 checks watched workloads at the usual pace.
   */
  readonly watchedCheckDelayMs?: number;
}

/**
 * Brings one member cluster in line with one Binding: applies the rendered manifest where the
 * template is placed, prunes it where it no longer is (only objects fedgate labelled as its own),
 * and records what the cluster reports in the binding's per-cluster status.
 */
export class PropagationReconciler {
  constructor(
    private readonly store: ResourceStore,
    private readonly fleet: FleetView,
    private readonly clients: ClusterClients,
    private readonly queues: Queues,
    private readonly log: Logger,
    opts: PropagationOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.drift = opts.drift;
    this.statusChecks = opts.statusChecks ?? STATUS_CHECKS;
    this.watching = opts.watching;
    this.watchedCheckDelayMs = opts.watchedCheckDelayMs ?? WATCHED_CHECK_DELAY_MS;
  }

  private readonly now: () => number;
  private readonly drift: DriftDetector | undefined;
  private readonly statusChecks: number;
  private readonly watching: PropagationOptions['watching'];
  private readonly watchedCheckDelayMs: number;

  /** Status checks this worker added, by job id, with the time each is due. */
  private readonly scheduled = new Map<string, number>();

  /** Reconciles the binding × cluster named by the job (or checks every target cluster's readiness). */
  async reconcile(job: PropagationJob): Promise<PropagationOutcome> {
    return job.cluster === ALL_TARGET_CLUSTERS ? this.checkTargets(job) : this.pass(job, true);
  }

  /**
   * A status check of a binding: reads, in each target cluster whose recorded status is not ready
   * yet, the workload's status (one check per binding, however many clusters its copies went to),
   * and checks again later while any is still not ready.
   */
  private async checkTargets(job: PropagationJob): Promise<PropagationOutcome> {
    const key: ObjectKey = { type: BINDING_TYPE, namespace: job.namespace, name: job.binding };
    // One round trip for every cluster's pass: the binding, its template, all statuses, the fleet's version.
    const hinted = templateHint(job);
    const read = await this.store.readMany<BindingClusterStatus>({
      objects: hinted ? [key, hinted] : [key],
      clusterStatuses: key,
      typeVersions: FleetView.TYPES,
    });
    const binding = read.objects[0] as BindingObject | undefined;
    if (!binding) return 'skipped';
    const byCluster = new Map(read.clusterStatuses.map((s) => [s.cluster, s]));
    const pending = binding.spec.clusters.filter((c) => {
      const s = byCluster.get(c.name);
      return c.replicas !== undefined && !(s?.phase === 'Applied' && (s.readyReplicas ?? 0) >= c.replicas);
    });
    const results = await Promise.allSettled(
      pending.map((c) =>
        this.pass({ ...job, cluster: c.name }, false, {
          objects: read.objects,
          clusterStatus: byCluster.get(c.name),
          typeVersions: read.typeVersions,
        }),
      ),
    );
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    // Every cluster failed: let the queue retry as for any failed pass.
    if (failed.length > 0 && failed.length === results.length) throw failed[0];
    for (const err of failed) this.log.debug({ binding: job.binding, err }, 'status check failed');
    const ready = results.every((r) => r.status === 'fulfilled' && r.value !== 'applied');
    if (!ready && (job.statusCheck ?? 0) < this.statusChecks) await this.scheduleStatusCheck(job, binding);
    return ready ? 'ready' : 'applied';
  }

  /** One binding in one cluster; `followUp`: schedule a status check when the workload is not ready. */
  private async pass(
    job: PropagationJob,
    followUp: boolean,
    prefetched?: Prefetched,
  ): Promise<PropagationOutcome> {
    const bindingKey: ObjectKey = { type: BINDING_TYPE, namespace: job.namespace, name: job.binding };
    // One round trip: the binding, its template (by the job's hint), this cluster's status, the fleet's version.
    const hinted = templateHint(job);
    const read =
      prefetched ??
      (await this.store.readMany<BindingClusterStatus>({
        objects: hinted ? [bindingKey, hinted] : [bindingKey],
        clusterStatus: { key: bindingKey, cluster: job.cluster },
        typeVersions: FleetView.TYPES,
      }));
    const binding = read.objects[0] as BindingObject | undefined;
    const state = await this.fleet.currentAt(read.typeVersions);
    const cluster = state.clusters.get(job.cluster);
    if (!cluster) return 'skipped'; // unregistered: nothing to reach; its objects stay as they are
    const client = this.clients.get(cluster);
    const target = binding?.spec.clusters.find((c) => c.name === job.cluster);
    const resource = binding?.spec.resource;

    if (!binding || !target || !resource) {
      if (binding && resource && (await this.keepEvictedCopy(binding, job))) return 'kept';
      const ref = resource ? toRef(resource) : job.resource;
      if (ref) await this.prune(client, ref, job);
      if (binding) await this.store.setClusterStatus(bindingKey, job.cluster, undefined);
      return 'pruned';
    }
    const ref = toRef(resource);
    const templateKey = { type: resource.type, namespace: resource.namespace, name: resource.name };
    const template =
      hinted && sameKey(hinted, templateKey) ? read.objects[1] : await this.store.get(templateKey);
    if (!template && !job.statusCheck) return 'skipped'; // the placement pass for the deletion prunes
    const policy = state.policies.find((p) => p.name === binding.spec.policy);
    const manifest =
      template &&
      renderManifest(template, policy?.spec, toClusterSnapshot(cluster), target.replicas, {
        namespace: job.namespace,
        name: job.binding,
      });
    const hash = manifest && manifestHash(manifest);
    // The status as recorded; kept current through this pass, so it is read once.
    let prev = read.clusterStatus;
    // The cluster already got this very manifest: whatever differs now was changed there (drift).
    const inPlace =
      this.drift !== undefined &&
      hash !== undefined &&
      prev?.phase === 'Applied' &&
      prev.appliedHash === hash;
    let observed = inPlace || job.statusCheck ? await client.readStatus(ref) : undefined;
    let applied = false;
    if (!job.statusCheck && manifest && !(inPlace && observed?.exists)) {
      // Ignored fields keep what the cluster has (an HPA's replicas): read it first, only then.
      const ignore = policy?.spec.drift?.ignoreFields ?? [];
      if (ignore.length > 0) observed ??= await client.readStatus(ref);
      const body = observed?.object ? retainIgnored(manifest, observed.object, ignore) : manifest;
      let answer: ManifestObject | undefined;
      try {
        [answer] = await client.apply([body], { fieldManager: FIELD_MANAGER });
        applied = true;
      } catch (err) {
        await this.record(bindingKey, job.cluster, prev, {
          phase: 'Failed',
          message: err instanceof Error ? err.message : String(err),
        });
        throw err;
      }
      // The apply answers with the object as stored, status included: no read after it.
      observed = answer ? workloadStatusOf(answer) : await client.readStatus(ref);
    } else if (inPlace && manifest && observed?.object && this.drift) {
      const checked = await this.drift.examine(
        {
          bindingKey,
          cluster: job.cluster,
          client,
          manifest,
          live: observed.object,
          policy: policy?.spec.drift,
        },
        prev,
      );
      prev = checked.status;
      if (checked.outcome === 'restored')
        observed = checked.restored ? workloadStatusOf(checked.restored) : await client.readStatus(ref);
    }
    observed ??= await client.readStatus(ref);
    const generation =
      Number(observed.object?.metadata.annotations?.[OWNERSHIP.templateGenerationAnnotation] ?? 0) ||
      undefined;
    const wantReplicas = target.replicas;
    const ready = wantReplicas === undefined || (observed.readyReplicas ?? 0) >= wantReplicas;
    await this.record(
      bindingKey,
      job.cluster,
      prev,
      {
        phase: observed.exists ? 'Applied' : 'Pending',
        ...(generation !== undefined ? { appliedGeneration: generation } : {}),
        ...(wantReplicas !== undefined
          ? { replicas: wantReplicas, readyReplicas: observed.readyReplicas ?? 0 }
          : {}),
        ...(applied && hash ? { appliedHash: hash } : {}),
      },
      applied,
    );
    if (!ready && followUp && (job.statusCheck ?? 0) < this.statusChecks)
      await this.scheduleStatusCheck(job, binding);
    return ready ? 'ready' : 'applied';
  }

  /**
   * Whether the old copy in an evicted cluster stays: purge mode Never keeps it for good; graceful
   * failover keeps it until every target cluster reports its replicas ready, or the grace period
   * ends; Immediately removes it at once.
   */
  private async keepEvictedCopy(binding: BindingObject, job: PropagationJob): Promise<boolean> {
    const eviction = binding.spec.evictions?.find((e) => e.cluster === job.cluster);
    if (!eviction || eviction.purgeMode === 'Immediately') return false;
    if (eviction.purgeMode === 'Never') return true;
    const graceEnds = Date.parse(eviction.since) + (eviction.gracePeriodSeconds ?? 600) * 1000;
    if (this.now() >= graceEnds) return false;
    const statuses = await this.store.clusterStatuses<BindingClusterStatus>({
      type: BINDING_TYPE,
      namespace: job.namespace,
      name: job.binding,
    });
    const byCluster = new Map(statuses.map((s) => [s.cluster, s]));
    const replacementReady = binding.spec.clusters.every((c) => {
      const s = byCluster.get(c.name);
      return s?.phase === 'Applied' && (c.replicas === undefined || (s.readyReplicas ?? 0) >= c.replicas);
    });
    if (replacementReady) return false;
    await this.scheduleStatusCheck({ ...job, statusCheck: 0 }, binding, true);
    return true;
  }

  private async prune(
    client: ReturnType<ClusterClients['get']>,
    ref: ObjectRef,
    job: PropagationJob,
  ): Promise<void> {
    try {
      const current = await client.readStatus(ref);
      const ours =
        current.object?.metadata.labels?.[OWNERSHIP.bindingHashLabel] ===
        bindingHash(job.namespace, job.binding);
      if (current.exists && ours) {
        await client.delete(ref);
        this.log.info({ cluster: job.cluster, object: ref }, 'pruned');
      }
    } catch (err) {
      if (!isProviderError(err, 'NotFound')) throw err;
    }
  }

  /**
   * Records a cluster's status (`prev`: as this pass read it). The hash of the manifest in place
   * and its drift carry over from the status as stored (a drift scan may have written it since
   * `prev` was read) unless `applied` says a new manifest replaced them.
   */
  private async record(
    key: ObjectKey,
    cluster: string,
    prev: BindingClusterStatus | undefined,
    s: Omit<BindingClusterStatus, 'cluster' | 'lastUpdateTime'>,
    applied = false,
  ): Promise<void> {
    const lastUpdateTime = new Date(this.now()).toISOString();
    await updateClusterStatus(this.store, key, cluster, prev, (current) => {
      const kept =
        applied || !current
          ? {}
          : {
              ...(current.appliedHash ? { appliedHash: current.appliedHash } : {}),
              ...(current.drift ? { drift: current.drift } : {}),
            };
      const status: BindingClusterStatus = { cluster, ...s, ...kept, lastUpdateTime };
      // lastUpdateTime alone would make every write a change.
      return current && sameStatus(current, status) ? undefined : status;
    });
  }

  private async scheduleStatusCheck(
    job: PropagationJob,
    binding: BindingObject,
    graceful = false,
  ): Promise<void> {
    const n = (job.statusCheck ?? 0) + 1;
    const watchedDelay = this.watchedCheckDelayMs;
    const delay =
      !graceful && watchedDelay > 0 && (await this.watched(binding))
        ? Math.min(watchedDelay * 2 ** Math.min(n - 1, 10), watchedDelay * 4)
        : Math.min(250 * 2 ** Math.min(n, 10), STATUS_CHECK_MAX_DELAY_MS);
    const data: PropagationJob = graceful
      ? {
          namespace: job.namespace,
          binding: job.binding,
          cluster: job.cluster,
          ...(job.template ? { template: job.template } : {}),
        }
      : {
          // One check per binding: its copies' passes name the same job, so it is added once.
          namespace: job.namespace,
          binding: job.binding,
          cluster: ALL_TARGET_CLUSTERS,
          statusCheck: n,
          ...(job.template ? { template: job.template } : {}),
        };
    const jobId = jobIds.propagation(
      data,
      binding.metadata.generation ?? 1,
      `-s${n}-${Math.floor(this.now() / delay)}`,
    );
    // The queue ignores an id it holds; this worker does not even ask again while the check waits.
    if (this.scheduled.has(jobId)) return;
    this.forgetScheduled();
    this.scheduled.set(jobId, this.now() + delay);
    try {
      await this.queues.propagation.add('status', data, { jobId, delay });
    } catch (err) {
      this.scheduled.delete(jobId);
      throw err;
    }
  }

  /**
   * Whether the binding's workload reports its readiness through watches in every one of its target
   * clusters right now (a Deployment or StatefulSet, every cluster's watch caught up).
   */
  private async watched(binding: BindingObject): Promise<boolean> {
    const r = binding.spec.resource;
    if (!this.watching || !WATCHED_WORKLOADS.some((w) => w.apiVersion === r.apiVersion && w.kind === r.kind))
      return false;
    try {
      return await this.watching(binding.spec.clusters.map((c) => c.name));
    } catch (err) {
      this.log.debug(
        { binding: binding.metadata.name, err },
        'watch marks unreadable; status checks at the usual pace',
      );
      return false;
    }
  }

  /** Drops the ids of checks that are due by now (bounded: the map never outgrows the checks in wait). */
  private forgetScheduled(): void {
    if (this.scheduled.size < 1_000) return;
    const now = this.now();
    for (const [id, due] of this.scheduled) if (due <= now) this.scheduled.delete(id);
  }
}

function toRef(r: { apiVersion: string; kind: string; namespace: string; name: string }): ObjectRef {
  return {
    apiVersion: r.apiVersion,
    kind: r.kind,
    ...(r.namespace ? { namespace: r.namespace } : {}),
    name: r.name,
  };
}

/** What a pass reads first: the binding and the hinted template, the cluster's status, the fleet's version. */
interface Prefetched {
  readonly objects: readonly (KubeObject | undefined)[];
  readonly clusterStatus: BindingClusterStatus | undefined;
  readonly typeVersions: readonly string[];
}

/** The key of the template a job names as a hint (read with the binding), if any. */
function templateHint(job: PropagationJob): ObjectKey | undefined {
  return job.template
    ? { type: job.template.type, namespace: job.namespace, name: job.template.name }
    : undefined;
}

function sameKey(a: ObjectKey, b: ObjectKey): boolean {
  return a.type === b.type && a.namespace === b.namespace && a.name === b.name;
}

function sameStatus(a: BindingClusterStatus, b: BindingClusterStatus): boolean {
  const { lastUpdateTime: _a, ...x } = a;
  const { lastUpdateTime: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
}
