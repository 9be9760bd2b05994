import type { Logger } from 'pino';
import { retainIgnored } from '../../placement/drift/diff.js';
import type { PlacementPolicySpec } from '../../placement/index.js';
import {
  type ManifestObject,
  type MemberClusterClient,
  type ObjectRef,
  type WorkloadStatus,
  workloadStatusOf,
} from '../../providers/member-cluster-client.js';
import type { Clock } from '../controller/context.js';
import type { JobRequest, Outcome } from '../controller/controller.js';
import type { PropagationJob } from '../queue/queues.js';
import { ALL_TARGET_CLUSTERS } from '../queue/queues.js';
import type { BindingClusterStatus, TargetCluster } from '../resources/binding.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { ClusterClients } from './cluster-clients.js';
import { type MemberClusterObject, toClusterSnapshot } from './cluster-snapshot.js';
import { updateClusterStatus } from './cluster-status-update.js';
import { type DriftDetector, manifestHash } from './drift-detector.js';
import { keepEvictedCopy, pruneOwned } from './evicted-copy.js';
import { FleetView } from './fleet-view.js';
import { FIELD_MANAGER, OWNERSHIP } from './ownership.js';
import type { BindingObject } from './placement-reconciler.js';
import { renderManifest } from './render-manifest.js';
import { nextStatusCheck, type StatusCheckPace, statusCheckJob } from './status-checks.js';
import { withUnreadySince } from './unready-since.js';
import type { WatchedStatusChecks } from './watched-status-checks.js';

/** What a propagation pass did. */
export type PropagationOutcome = 'applied' | 'ready' | 'pruned' | 'kept' | 'skipped';

/** Follow-up status reads of a workload that is not ready yet. */
const STATUS_CHECKS = 40;
/**
 * The first delay of status checks backing up current watches (see StatusCheckPace.watching):
 * the watch reports readiness as it changes, so a check only catches what a watch might miss.
 */
const WATCHED_CHECK_DELAY_MS = 15_000;

/** What the propagation reconciler works with. */
export interface PropagationDeps {
  readonly store: ResourceStore;
  readonly fleet: FleetView;
  readonly clients: ClusterClients;
  readonly clock: Clock;
  readonly log: Logger;
  /** Compares what is already in place with its manifest; without it, every pass re-applies. */
  readonly drift?: DriftDetector;
  /** Follow-up status reads of a workload not ready yet (the watches see later changes of Deployments and StatefulSets). Default 40. */
  readonly statusChecks?: number;
  /** See StatusCheckPace.watching. */
  readonly watching?: (clusters: readonly string[]) => Promise<boolean>;
  /** First delay of a status check backing up current watches. Default 15 s; 0: the usual pace. */
  readonly watchedCheckDelayMs?: number;
  /** Where a pass's check backing up its cluster's current watch waits (see StatusCheckPace.deferred). */
  readonly deferredChecks?: WatchedStatusChecks;
}

/** What a pass reads first: the binding and the hinted template, the cluster's status, the fleet's version. */
interface Prefetched {
  readonly objects: readonly (KubeObject | undefined)[];
  readonly clusterStatus: BindingClusterStatus | undefined;
  readonly typeVersions: readonly string[];
}

/** One binding placed in one reachable cluster: what every step of a pass works on. */
interface Placed {
  readonly job: PropagationJob;
  readonly key: ObjectKey;
  readonly binding: BindingObject;
  readonly target: TargetCluster;
  readonly ref: ObjectRef;
  readonly cluster: MemberClusterObject;
  readonly client: MemberClusterClient;
  readonly policy: PlacementPolicySpec | undefined;
  readonly read: Prefetched;
}

/** The manifest a cluster should hold, and its hash (absent when the template is gone). */
interface Desired {
  readonly manifest: ManifestObject | undefined;
  readonly hash: string | undefined;
}

/** What a pass found and did. */
interface PassResult {
  readonly outcome: PropagationOutcome;
  readonly followUps: readonly JobRequest[];
}

/**
 * Brings one member cluster in line with one Binding: applies the rendered manifest where the
 * template is placed, prunes it where it no longer is (only objects fedgate labelled as its own),
 * and records what the cluster reports in the binding's per-cluster status. A pass runs in steps:
 * read, render, apply, observe, detect drift, record, then follow up.
 */
export class PropagationReconciler {
  private readonly statusChecks: number;
  private readonly pace: StatusCheckPace;

  constructor(private readonly deps: PropagationDeps) {
    this.statusChecks = deps.statusChecks ?? STATUS_CHECKS;
    this.pace = {
      ...(deps.watching ? { watching: deps.watching } : {}),
      watchedCheckDelayMs: deps.watchedCheckDelayMs ?? WATCHED_CHECK_DELAY_MS,
      ...(deps.deferredChecks ? { deferred: deps.deferredChecks } : {}),
      now: () => deps.clock.now(),
      log: deps.log,
    };
  }

  /** Reconciles the binding × cluster named by the job (or checks every target cluster's readiness). */
  async reconcile(job: PropagationJob): Promise<Outcome<PropagationOutcome>> {
    const r = job.cluster === ALL_TARGET_CLUSTERS ? await this.checkTargets(job) : await this.pass(job, true);
    return { result: r.outcome, followUps: r.followUps };
  }

  /**
   * A status check of a binding: reads, in each target cluster whose recorded status is not ready
   * yet, the workload's status (one check per binding, however many clusters its copies went to),
   * and checks again later while any is still not ready.
   */
  private async checkTargets(job: PropagationJob): Promise<PassResult> {
    const key = bindingKeyOf(job);
    // One round trip for every cluster's pass: the binding, all statuses, the fleet's version; the
    // template only when some cluster is still to be read (usually none: the watches reported).
    const read = await this.deps.store.readMany<BindingClusterStatus>({
      objects: [key],
      clusterStatuses: key,
      typeVersions: FleetView.TYPES,
    });
    const binding = read.objects[0] as BindingObject | undefined;
    if (!binding) return { outcome: 'skipped', followUps: [] };
    const byCluster = new Map(read.clusterStatuses.map((s) => [s.cluster, s]));
    const pending = binding.spec.clusters.filter((c) => {
      const s = byCluster.get(c.name);
      return c.replicas !== undefined && !(s?.phase === 'Applied' && (s.readyReplicas ?? 0) >= c.replicas);
    });
    const hinted = templateHint(job);
    const objects =
      hinted && pending.length > 0 ? [binding, await this.deps.store.get(hinted)] : read.objects;
    const results = await Promise.allSettled(
      pending.map((c) =>
        this.pass({ ...job, cluster: c.name }, false, {
          objects,
          clusterStatus: byCluster.get(c.name),
          typeVersions: read.typeVersions,
        }),
      ),
    );
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    // Every cluster failed: let the queue retry as for any failed pass.
    if (failed.length > 0 && failed.length === results.length) throw failed[0];
    for (const err of failed) this.deps.log.debug({ binding: job.binding, err }, 'status check failed');
    const ready = results.every((r) => r.status === 'fulfilled' && r.value.outcome !== 'applied');
    const followUps = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.followUps : []));
    if (!ready && (job.statusCheck ?? 0) < this.statusChecks)
      followUps.push(await statusCheckJob(job, binding, this.pace));
    return { outcome: ready ? 'ready' : 'applied', followUps };
  }

  /** One binding in one cluster; `followUp`: schedule a status check when the workload is not ready. */
  private async pass(job: PropagationJob, followUp: boolean, prefetched?: Prefetched): Promise<PassResult> {
    const read = prefetched ?? (await this.read(job));
    const binding = read.objects[0] as BindingObject | undefined;
    const state = await this.deps.fleet.currentAt(read.typeVersions);
    const cluster = state.clusters.get(job.cluster);
    if (!cluster) return { outcome: 'skipped', followUps: [] }; // unregistered: its objects stay as they are
    const client = this.deps.clients.get(cluster);
    const target = binding?.spec.clusters.find((c) => c.name === job.cluster);
    if (!binding || !target) return this.remove(job, binding, client);

    const p: Placed = {
      job,
      key: bindingKeyOf(job),
      binding,
      target,
      ref: toRef(binding.spec.resource),
      cluster,
      client,
      policy: state.policies.find((x) => x.name === binding.spec.policy)?.spec,
      read,
    };
    const desired = await this.render(p);
    if (!desired.manifest && !job.statusCheck) return { outcome: 'skipped', followUps: [] }; // the placement pass for the deletion prunes
    // The status as recorded; kept current through this pass, so it is read once.
    let prev = read.clusterStatus;
    // The cluster already got this very manifest: whatever differs now was changed there (drift).
    const inPlace =
      this.deps.drift !== undefined &&
      desired.hash !== undefined &&
      prev?.phase === 'Applied' &&
      prev.appliedHash === desired.hash;
    let observed = inPlace || job.statusCheck ? await client.readStatus(p.ref) : undefined;
    const apply = !job.statusCheck && desired.manifest !== undefined && !(inPlace && observed?.exists);
    if (apply) observed = await this.apply(p, desired.manifest!, observed, prev);
    else if (inPlace) ({ prev, observed } = await this.detectDrift(p, desired.manifest!, observed, prev));
    observed ??= await client.readStatus(p.ref);
    const ready = isReady(target, observed);
    // The record and the pace of the next status check (which reads the watches' marks) are
    // independent: one round trip for both. A failed record fails the pass as before.
    const [, followUps] = await Promise.all([
      this.record(p, observed, prev, apply ? desired.hash : undefined),
      !ready && followUp && (job.statusCheck ?? 0) < this.statusChecks
        ? nextStatusCheck(job, binding, this.pace)
        : [],
    ]);
    return { outcome: ready ? 'ready' : 'applied', followUps };
  }

  /** Step read: the binding, the template by the job's hint, this cluster's status, the fleet's version (one round trip). */
  private async read(job: PropagationJob): Promise<Prefetched> {
    const key = bindingKeyOf(job);
    const hinted = templateHint(job);
    return this.deps.store.readMany<BindingClusterStatus>({
      objects: hinted ? [key, hinted] : [key],
      clusterStatus: { key, cluster: job.cluster },
      typeVersions: FleetView.TYPES,
    });
  }

  /** Step render: the manifest this cluster gets (the template read with the binding, when the hint was right). */
  private async render(p: Placed): Promise<Desired> {
    const r = p.binding.spec.resource;
    const templateKey = { type: r.type, namespace: r.namespace, name: r.name };
    const hinted = templateHint(p.job);
    const template =
      hinted && sameKey(hinted, templateKey) ? p.read.objects[1] : await this.deps.store.get(templateKey);
    if (!template) return { manifest: undefined, hash: undefined };
    const manifest = renderManifest(template, p.policy, toClusterSnapshot(p.cluster), p.target.replicas, {
      namespace: p.job.namespace,
      name: p.job.binding,
    });
    return { manifest, hash: manifestHash(manifest) };
  }

  /**
   * Step apply: server-side applies the manifest (ignored fields keep what the cluster has, an
   * HPA's replicas); a failure is recorded as the cluster's status before the job fails. Returns
   * the object as the apply answered it, status included: no read after it.
   */
  private async apply(
    p: Placed,
    manifest: ManifestObject,
    observed: WorkloadStatus | undefined,
    prev: BindingClusterStatus | undefined,
  ): Promise<WorkloadStatus> {
    const ignore = p.policy?.drift?.ignoreFields ?? [];
    let live = observed;
    if (ignore.length > 0) live ??= await p.client.readStatus(p.ref);
    const body = live?.object ? retainIgnored(manifest, live.object, ignore) : manifest;
    let answer: ManifestObject | undefined;
    try {
      [answer] = await p.client.apply([body], { fieldManager: FIELD_MANAGER });
    } catch (err) {
      await this.write(p.key, p.job.cluster, prev, {
        phase: 'Failed',
        message: err instanceof Error ? err.message : String(err),
      });
      throw err;
    }
    return answer ? workloadStatusOf(answer) : p.client.readStatus(p.ref);
  }

  /** Step detect drift: compares what is in place with the manifest, and restores it as the policy says. */
  private async detectDrift(
    p: Placed,
    manifest: ManifestObject,
    observed: WorkloadStatus | undefined,
    prev: BindingClusterStatus | undefined,
  ): Promise<{ prev: BindingClusterStatus | undefined; observed: WorkloadStatus | undefined }> {
    const { drift } = this.deps;
    if (!drift || !observed?.object) return { prev, observed };
    const checked = await drift.examine(
      {
        bindingKey: p.key,
        cluster: p.job.cluster,
        client: p.client,
        manifest,
        live: observed.object,
        policy: p.policy?.drift,
      },
      prev,
    );
    if (checked.outcome !== 'restored') return { prev: checked.status, observed };
    const after = checked.restored ? workloadStatusOf(checked.restored) : await p.client.readStatus(p.ref);
    return { prev: checked.status, observed: after };
  }

  /** Step record: what the cluster reports, in the binding's status of that cluster. */
  private async record(
    p: Placed,
    observed: WorkloadStatus,
    prev: BindingClusterStatus | undefined,
    appliedHash: string | undefined,
  ): Promise<void> {
    const generation =
      Number(observed.object?.metadata.annotations?.[OWNERSHIP.templateGenerationAnnotation] ?? 0) ||
      undefined;
    const want = p.target.replicas;
    await this.write(
      p.key,
      p.job.cluster,
      prev,
      {
        phase: observed.exists ? 'Applied' : 'Pending',
        ...(generation !== undefined ? { appliedGeneration: generation } : {}),
        ...(want !== undefined ? { replicas: want, readyReplicas: observed.readyReplicas ?? 0 } : {}),
        ...(appliedHash ? { appliedHash } : {}),
      },
      appliedHash !== undefined,
    );
  }

  /** The binding no longer places its template here (or is gone): keep an evicted copy, or prune. */
  private async remove(
    job: PropagationJob,
    binding: BindingObject | undefined,
    client: MemberClusterClient,
  ): Promise<PassResult> {
    const resource = binding?.spec.resource;
    let overdue: string | undefined;
    if (binding) {
      const verdict = await keepEvictedCopy(this.deps, bindingKeyOf(job), binding, job, () =>
        statusCheckJob({ ...job, statusCheck: 0 }, binding, this.pace, true),
      );
      if (verdict.keep) return { outcome: 'kept', followUps: verdict.followUps };
      overdue = verdict.overdue;
    }
    const ref = resource ? toRef(resource) : job.resource;
    if (ref) await pruneOwned(client, ref, job, this.deps.log);
    if (binding) await this.recordPruned(job, overdue);
    return { outcome: 'pruned', followUps: [] };
  }

  /**
   * Forgets the cluster's status once its copy is pruned; a copy pruned because the grace period
   * ran out before the new copies were ready is recorded instead (phase Pruned, with why), so the
   * Binding shows that make-before-break could not be kept.
   */
  private async recordPruned(job: PropagationJob, overdue: string | undefined): Promise<void> {
    const key = bindingKeyOf(job);
    if (overdue === undefined) {
      await this.deps.store.setClusterStatus(key, job.cluster, undefined);
      return;
    }
    this.deps.log.warn(
      { binding: job.binding, cluster: job.cluster, reason: overdue },
      'pruned before replacement ready',
    );
    const lastUpdateTime = new Date(this.deps.clock.now()).toISOString();
    await this.deps.store.setClusterStatus(key, job.cluster, {
      cluster: job.cluster,
      phase: 'Pruned',
      message: overdue,
      lastUpdateTime,
    } satisfies BindingClusterStatus);
  }

  /**
   * Writes a cluster's status (`prev`: as this pass read it). The hash of the manifest in place
   * and its drift carry over from the status as stored (a drift scan may have written it since
   * `prev` was read) unless `applied` says a new manifest replaced them.
   */
  private async write(
    key: ObjectKey,
    cluster: string,
    prev: BindingClusterStatus | undefined,
    s: Omit<BindingClusterStatus, 'cluster' | 'lastUpdateTime'>,
    applied = false,
  ): Promise<void> {
    const lastUpdateTime = new Date(this.deps.clock.now()).toISOString();
    await updateClusterStatus(this.deps.store, key, cluster, prev, (current) => {
      const kept =
        applied || !current
          ? {}
          : {
              ...(current.appliedHash ? { appliedHash: current.appliedHash } : {}),
              ...(current.drift ? { drift: current.drift } : {}),
            };
      const status = withUnreadySince(
        { cluster, ...s, ...kept, lastUpdateTime },
        current,
        this.deps.clock.now(),
      );
      // lastUpdateTime alone would make every write a change.
      return current && sameStatus(current, status) ? undefined : status;
    });
  }
}

function isReady(target: TargetCluster, observed: WorkloadStatus): boolean {
  return target.replicas === undefined || (observed.readyReplicas ?? 0) >= target.replicas;
}

function bindingKeyOf(job: PropagationJob): ObjectKey {
  return { type: BINDING_TYPE, namespace: job.namespace, name: job.binding };
}

function toRef(r: { apiVersion: string; kind: string; namespace: string; name: string }): ObjectRef {
  return {
    apiVersion: r.apiVersion,
    kind: r.kind,
    ...(r.namespace ? { namespace: r.namespace } : {}),
    name: r.name,
  };
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
