import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import {
  type BindingDecision,
  DEFAULT_UNSCHEDULABLE_SECONDS,
  DEPENDENCY_KINDS,
  type Descheduled,
  decideBinding,
  descheduled,
  keptOnFailure,
  type PlacedCopy,
  type PolicyInfo,
  type ScheduleResult,
  schedule,
  templateInfoFromManifest,
} from '../../placement/index.js';
import type { Clock } from '../controller/context.js';
import type { JobRequest, Outcome } from '../controller/controller.js';
import type { PlacementJob, PropagationJob } from '../queue/queues.js';
import {
  type BindingClusterStatus,
  type BindingEviction,
  type BindingSpec,
  type BindingStatus,
  bindingNameFor,
  legacyBindingNameFor,
  type TargetCluster,
} from '../resources/binding.js';
import { BINDING_TYPE, FEDGATE_API_VERSION } from '../resources/kinds.js';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import type { Condition } from '../resources/member-cluster.js';
import { parseTypeKey } from '../resources/resource-type.js';
import { generationBasis } from '../store/generation.js';
import { dependencyReference } from '../store/references.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { MemberClusterObject } from './cluster-snapshot.js';
import { FleetView } from './fleet-view.js';
import { copyOf, ledgerKey } from './reservation-ledger.js';
import { placementJob, propagationJob } from './template-jobs.js';

/** A Binding as stored. */
export type BindingObject = KubeObject & { spec: BindingSpec; status?: BindingStatus };

/**
 * The evictions a binding lists after a decision: the scheduler's new ones (keeping the date of an
 * eviction already listed), plus earlier ones whose old copy is still there. An old copy is gone
 * once propagation pruned it (the binding then has no status for that cluster) or the cluster left
 * the fleet; purge mode Never keeps it for good. A cluster placed again is no longer evicted.
 */
export function mergeEvictions(
  decided: readonly Omit<BindingEviction, 'since'>[],
  existing: readonly BindingEviction[],
  placed: ReadonlySet<string>,
  hasCopy: (cluster: string) => boolean,
  now: string,
): BindingEviction[] {
  const out = new Map<string, BindingEviction>();
  for (const e of existing) {
    if (placed.has(e.cluster)) continue;
    if (e.purgeMode === 'Never' || hasCopy(e.cluster)) out.set(e.cluster, e);
  }
  for (const e of decided) {
    out.set(e.cluster, { ...e, since: out.get(e.cluster)?.since ?? now });
  }
  return [...out.values()].sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
}

/**
 * The generation a Binding has once `spec` is saved over `existing`: the store bumps it when the
 * spec changes. Spec and status are written together, so the status can say it observed it.
 */
export function nextGeneration(
  key: ObjectKey,
  existing: BindingObject | undefined,
  spec: BindingSpec,
): number {
  if (!existing) return 1;
  const generation = existing.metadata.generation ?? 1;
  const next = { ...existing, spec };
  return isDeepStrictEqual(generationBasis(key, existing), generationBasis(key, next))
    ? generation
    : generation + 1;
}

/**
 * Whether a Binding's stored status is one the placement controller wrote for it: it observed the
 * Binding's generation, with one Scheduled condition of that generation, and holds no per-cluster
 * statuses (those are kept apart). A status written by anyone else (straight into Redis: the API
 * refuses it) usually fails this and is re-decided at once; any other is rewritten by the resync.
 */
export function bindingStatusIsCurrent(binding: KubeObject): boolean {
  const b = binding as BindingObject;
  const generation = b.metadata.generation ?? 1;
  const status = b.status;
  if (!status || status.observedGeneration !== generation || status.clusters !== undefined) return false;
  const scheduled = (status.conditions ?? []).filter((c) => c.type === 'Scheduled');
  return scheduled.length === 1 && scheduled[0]!.observedGeneration === generation;
}

/** How long a cluster may leave replicas unready with no room for them, by the policy that placed them. */
function unschedulableTimeoutMs(policies: readonly PolicyInfo[], policy: string | undefined): number {
  const spec = policies.find((p) => p.name === policy)?.spec;
  return (spec?.failover?.unschedulableSeconds ?? DEFAULT_UNSCHEDULABLE_SECONDS) * 1000;
}

/** A decision's copies for the reservation ledger, with what each cluster reports. */
function copiesOf(
  clusters: readonly { name: string; replicas?: number }[],
  statuses: readonly BindingClusterStatus[],
  requests: { cpuMilli: number; memoryBytes: number } | undefined,
): PlacedCopy[] {
  const byCluster = new Map(statuses.map((st) => [st.cluster, st]));
  return clusters
    .filter((c) => c.replicas !== undefined && c.replicas > 0)
    .map((c) => copyOf(c.name, c.replicas!, byCluster.get(c.name), requests));
}

/** When each cluster's capacity was last probed (epoch ms). */
function probeTimes(clusters: ReadonlyMap<string, MemberClusterObject>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, mc] of clusters) {
    const at = Date.parse(mc.status?.lastProbeTime ?? '');
    if (Number.isFinite(at)) out.set(name, at);
  }
  return out;
}

/** Where the Binding of a template lives. */
export function bindingKeyFor(template: PlacementJob): ObjectKey {
  const t = parseTypeKey(template.type);
  return {
    type: BINDING_TYPE,
    namespace: template.namespace,
    name: bindingNameFor(t.kind, template.name, t.group),
  };
}

/** Where a custom resource's Binding lived before names carried the group; undefined for built-in kinds. */
function legacyBindingKeyFor(template: PlacementJob): ObjectKey | undefined {
  const t = parseTypeKey(template.type);
  const name = legacyBindingNameFor(t.kind, template.name, t.group);
  return name === undefined ? undefined : { type: BINDING_TYPE, namespace: template.namespace, name };
}

/** What one placement pass decided, for callers and tests. */
export interface PlacementOutcome {
  readonly binding: ObjectKey;
  readonly result: ScheduleResult['status'] | 'Deleted';
  readonly clusters: readonly TargetCluster[];
  readonly propagations: number;
}

/** What the placement reconciler works with. */
export interface PlacementDeps {
  readonly store: ResourceStore;
  readonly fleet: FleetView;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Schedules one template: reads it, the fleet and the policies, runs the pure scheduler, writes
 * the Binding (compare-and-set), and asks for one propagation job per cluster that is, was, or is
 * being evicted from it. Level-triggered: running it twice, or late, gives the same result.
 */
export class PlacementReconciler {
  private readonly store: ResourceStore;
  private readonly fleet: FleetView;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(deps: PlacementDeps) {
    this.store = deps.store;
    this.fleet = deps.fleet;
    this.log = deps.log;
    this.now = () => deps.clock.now();
  }

  /** Reconciles the template named by the job. */
  async reconcile(job: PlacementJob): Promise<Outcome<PlacementOutcome>> {
    let bindingKey = bindingKeyFor(job);
    const legacyKey = legacyBindingKeyFor(job);
    // One round trip: the template, its binding (and where it lived before) and the fleet's version.
    const read = await this.store.readMany<BindingClusterStatus>({
      objects: [
        { type: job.type, namespace: job.namespace, name: job.name },
        bindingKey,
        ...(legacyKey ? [legacyKey] : []),
      ],
      clusterStatuses: bindingKey,
      typeVersions: FleetView.TYPES,
    });
    let statuses = read.clusterStatuses;
    const template = read.objects[0];
    let existing = read.objects[1] as BindingObject | undefined;
    const legacy = read.objects[2] as BindingObject | undefined;
    if (!existing && legacyKey && legacy?.spec.resource.type === job.type) {
      // Placed before names carried the group: keep that Binding where it is rather than move work.
      bindingKey = legacyKey;
      existing = legacy;
      statuses = await this.store.clusterStatuses<BindingClusterStatus>(bindingKey);
    }
    if (existing && existing.spec.resource.type !== job.type) {
      throw new Error(
        `binding ${bindingKey.namespace}/${bindingKey.name} belongs to ${existing.spec.resource.type}, not ${job.type}`,
      );
    }
    if (!template) return this.removeBinding(bindingKey, existing);

    const state = await this.fleet.currentAt(read.typeVersions);
    const ledger = this.fleet.reservations;
    await ledger.fresh(state.version, probeTimes(state.clusters));
    const info = templateInfoFromManifest(template);
    const reports = new Map(
      statuses.map((st) => [
        st.cluster,
        { ready: st.readyReplicas ?? 0, ...(st.unreadySince ? { unreadySince: st.unreadySince } : {}) },
      ]),
    );
    // Replicas a cluster leaves unready while it has no room for them are placed anew elsewhere.
    const moved = existing
      ? descheduled(
          existing.spec.clusters,
          reports,
          (c) => state.fleet.byName.get(c)?.available,
          info.podRequests,
          this.now(),
          unschedulableTimeoutMs(state.policies, existing.spec.policy),
        )
      : undefined;
    // From here to ledger.record, nothing awaits: concurrent decisions of this worker see each
    // other's reservations.
    const result = schedule({
      template: info,
      policies: state.policies,
      fleet: state.fleet,
      ...(existing
        ? {
            previous: {
              ...(existing.spec.policy ? { policy: existing.spec.policy } : {}),
              clusters: moved?.clusters ?? existing.spec.clusters,
            },
          }
        : {}),
      reserved: ledger.reserved(),
      now: this.now(),
    });
    ledger.record(
      ledgerKey(bindingKey.namespace, bindingKey.name),
      copiesOf(
        result.status === 'Scheduled'
          ? result.clusters
          : keptOnFailure(result, existing?.spec.clusters, (c) => state.clusters.has(c)),
        statuses,
        info.podRequests,
      ),
    );
    const descheduledNote = (moved?.descheduled ?? []).filter(
      (d) =>
        result.status === 'Scheduled' &&
        (result.clusters.find((c) => c.name === d.cluster)?.replicas ?? 0) <
          (existing?.spec.clusters.find((c) => c.name === d.cluster)?.replicas ?? 0),
    );
    const generation = template.metadata.generation ?? 1;
    // Only a dependency kind follows workloads: no index read for the others.
    const followed = DEPENDENCY_KINDS.has(template.kind)
      ? await this.workloadsRequiring(job, template.kind)
      : [];
    const decision = decideBinding({
      template,
      result,
      policies: state.policies,
      referrers: followed
        .map((b) => ({ name: b.metadata.name, clusters: b.spec.clusters }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
      ...(existing ? { previous: existing.spec.clusters } : {}),
      inFleet: (cluster) => state.clusters.has(cluster),
    });
    const { dependencies } = decision;
    // A status of phase Pruned records a copy already removed (see the propagation reconciler).
    const hasCopy = (cluster: string) =>
      state.clusters.has(cluster) && statuses.some((s) => s.cluster === cluster && s.phase !== 'Pruned');
    const spec: BindingSpec = {
      ...this.bindingSpec(job, template, result, existing, hasCopy, decision),
      clusters: [...decision.clusters],
      ...(dependencies.length > 0 ? { dependencies: [...dependencies] } : {}),
      ...(decision.requiredBy.length > 0 ? { requiredBy: [...decision.requiredBy] } : {}),
      ...(info.replicas !== undefined && info.podRequests ? { podRequests: info.podRequests } : {}),
    };
    const status = this.bindingStatus(
      result,
      nextGeneration(bindingKey, existing, spec),
      existing,
      decision,
      descheduledNote,
    );
    const saved = await this.saveBinding(bindingKey, existing, spec, status);
    const followUps: JobRequest[] = this.dependencyJobs(
      job.namespace,
      [...(existing?.spec.dependencies ?? []), ...dependencies],
      saved.metadata.resourceVersion ?? '',
    );

    // Evicted clusters get a job on every pass: a cluster that came back prunes its old copy now.
    const clusters = new Set<string>([
      ...spec.clusters.map((c) => c.name),
      ...(existing?.spec.clusters ?? []).map((c) => c.name),
      ...(spec.evictions ?? []).map((e) => e.cluster),
      ...(existing?.spec.evictions ?? []).map((e) => e.cluster),
    ]);
    followUps.push(
      ...this.propagationJobs(
        bindingKey,
        [...clusters],
        saved.metadata.generation ?? 1,
        job.trigger ?? '',
        undefined,
        { type: job.type, name: job.name },
      ),
    );
    this.log.debug({ template: job, result: result.status, clusters: spec.clusters }, 'placed');
    const outcome = {
      result: {
        binding: bindingKey,
        result: result.status,
        clusters: spec.clusters,
        propagations: clusters.size,
      },
      followUps,
    };
    if (result.status !== 'Scheduled' || result.requeueAt === undefined) return outcome;
    // Decide again when a toleration runs out.
    const again = placementJob(
      { type: job.type, namespace: job.namespace, name: job.name },
      { uid: template.metadata.uid ?? '', generation },
      [{ kind: 'requeue', at: result.requeueAt }],
      { name: 'requeue' },
    );
    return {
      ...outcome,
      requeue: {
        afterMs: Math.max(0, result.requeueAt - this.now()),
        id: again.id,
        name: again.name,
        data: again.data,
      },
    };
  }

  private bindingSpec(
    job: PlacementJob,
    template: KubeObject,
    result: ScheduleResult,
    existing: BindingObject | undefined,
    hasCopy: (cluster: string) => boolean,
    decision: BindingDecision,
  ): BindingSpec {
    const resource = {
      apiVersion: template.apiVersion,
      kind: template.kind,
      namespace: job.namespace,
      name: job.name,
      generation: template.metadata.generation ?? 1,
      type: job.type,
    };
    if (result.status === 'Scheduled') {
      const evictions = mergeEvictions(
        result.evictions,
        existing?.spec.evictions ?? [],
        new Set(result.clusters.map((c) => c.name)),
        hasCopy,
        new Date(this.now()).toISOString(),
      );
      return { resource, policy: result.policy, clusters: result.clusters, evictions };
    }
    if (result.status === 'Unschedulable' && decision.kept) {
      // Keeps its current placement (Karmada keeps its last schedule): nothing is pruned, and
      // copies still being left stay listed until they go.
      const evictions = mergeEvictions(
        [],
        existing?.spec.evictions ?? [],
        new Set(decision.clusters.map((c) => c.name)),
        hasCopy,
        new Date(this.now()).toISOString(),
      );
      return { resource, policy: result.policy, clusters: [...decision.clusters], evictions };
    }
    // Unschedulable with nothing placed, or no policy: place nowhere, keep nothing (pruning follows).
    return {
      resource,
      ...(result.status === 'Unschedulable' ? { policy: result.policy } : {}),
      clusters: [],
    };
  }

  /** `generation`: the Binding's own, as this save leaves it (status.observedGeneration says the status is current). */
  private bindingStatus(
    result: ScheduleResult,
    generation: number,
    existing: BindingObject | undefined,
    decision: BindingDecision,
    descheduled: readonly Descheduled[] = [],
  ): BindingStatus {
    const scheduled: Omit<Condition, 'lastTransitionTime'> =
      decision.placement === 'FollowsWorkload'
        ? {
            type: 'Scheduled',
            status: 'True',
            reason: 'FollowsWorkload',
            message: `placed with the workloads that reference it: ${decision.requiredBy.join(', ')}`,
          }
        : result.status === 'Scheduled'
          ? {
              type: 'Scheduled',
              status: 'True',
              reason: 'Scheduled',
              message: `placed by policy ${result.policy}${descheduled
                .map(
                  (d) =>
                    `; moved ${d.replicas} replica(s) off ${d.cluster}: unready since ${d.since} and no room there`,
                )
                .join('')}`,
            }
          : result.status === 'Unschedulable'
            ? {
                type: 'Scheduled',
                status: 'False',
                reason: result.reason,
                message: decision.kept
                  ? `${result.message}; keeping the current placement (${decision.clusters.map((c) => c.name).join(', ')}) until it can be scheduled`
                  : result.message,
              }
            : {
                type: 'Scheduled',
                status: 'False',
                reason: 'NoMatchingPolicy',
                message: 'no PlacementPolicy selects this template',
              };
    const prev = existing?.status?.conditions.find((c) => c.type === 'Scheduled');
    const unchanged = prev && prev.status === scheduled.status && prev.reason === scheduled.reason;
    const lastTransitionTime = unchanged ? prev.lastTransitionTime : new Date(this.now()).toISOString();
    return {
      observedGeneration: generation,
      conditions: [{ ...scheduled, lastTransitionTime, observedGeneration: generation }],
      explanation: result.explanation,
    };
  }

  private async saveBinding(
    key: ObjectKey,
    existing: BindingObject | undefined,
    spec: BindingSpec,
    status: BindingStatus,
  ): Promise<KubeObject> {
    const object: KubeObject = {
      apiVersion: FEDGATE_API_VERSION,
      kind: 'Binding',
      metadata: {
        name: key.name,
        ...(key.namespace ? { namespace: key.namespace } : {}),
        labels: { 'fedgate.dev/resource-kind': spec.resource.kind.toLowerCase() },
      },
      spec,
    };
    // Compare-and-set against the binding we read: a concurrent worker's write makes this one retry.
    // Spec and status go in one write.
    return this.store.save(key, { ...object, status }, existing);
  }

  private async removeBinding(
    key: ObjectKey,
    existing: BindingObject | undefined,
  ): Promise<Outcome<PlacementOutcome>> {
    if (!existing) return { result: { binding: key, result: 'Deleted', clusters: [], propagations: 0 } };
    const clusters = [
      ...new Set([
        ...existing.spec.clusters.map((c) => c.name),
        ...(existing.spec.evictions ?? []).map((e) => e.cluster),
      ]),
    ];
    // Prune jobs first, the deletion once they are queued: if this worker dies after deleting the
    // binding, the prune jobs still run (and the periodic garbage collection finds anything left).
    const r = existing.spec.resource;
    const resource = {
      apiVersion: r.apiVersion,
      kind: r.kind,
      ...(r.namespace ? { namespace: r.namespace } : {}),
      name: r.name,
    };
    const rv = existing.metadata.resourceVersion ?? '';
    return {
      result: { binding: key, result: 'Deleted', clusters: [], propagations: clusters.length },
      followUps: this.propagationJobs(
        key,
        clusters,
        0,
        [{ kind: 'binding-deleted', resourceVersion: rv }],
        resource,
      ),
      afterFollowUps: async () => {
        await this.store.delete(key, { resourceVersion: rv }).catch((err: unknown) => {
          if ((err as { code?: string }).code !== 'NotFound') throw err;
        });
      },
    };
  }

  /** The bindings of workloads in the template's namespace that reference it as a dependency. */
  private async workloadsRequiring(job: PlacementJob, kind: string): Promise<BindingObject[]> {
    const referrers = await this.store.referrers(
      BINDING_TYPE,
      job.namespace,
      dependencyReference(kind, job.name),
    );
    return (referrers as BindingObject[]).filter((b) => b.spec.clusters.length > 0);
  }

  /** Re-places the dependencies a workload references (or referenced), so they follow its clusters. */
  private dependencyJobs(
    namespace: string,
    deps: readonly { kind: string; name: string }[],
    bindingVersion: string,
  ): JobRequest[] {
    const unique = new Map(deps.map((d) => [`${d.kind}/${d.name}`, d]));
    return [...unique.values()].map((d) =>
      placementJob({ type: `${d.kind}.v1`, namespace, name: d.name }, { uid: 'dep', generation: 0 }, [
        { kind: 'dependency', resourceVersion: bindingVersion },
      ]),
    );
  }

  private propagationJobs(
    binding: ObjectKey,
    clusters: readonly string[],
    generation: number,
    triggers: Parameters<typeof propagationJob>[2],
    resource?: PropagationJob['resource'],
    template?: PropagationJob['template'],
  ): JobRequest[] {
    return clusters.map((cluster) =>
      propagationJob(
        {
          namespace: binding.namespace,
          binding: binding.name,
          cluster,
          ...(resource ? { resource } : {}),
          ...(template ? { template } : {}),
        },
        generation,
        triggers,
      ),
    );
  }
}
