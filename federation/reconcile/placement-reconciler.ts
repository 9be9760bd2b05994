import type { Logger } from 'pino';
import {
  DEPENDENCY_KINDS,
  referencedDependencies,
  type ScheduleResult,
  schedule,
  templateInfoFromManifest,
} from '../../placement/index.js';
import type { PlacementJob, PropagationJob, Queues } from '../queue/queues.js';
import { jobIds } from '../queue/queues.js';
import {
  type BindingClusterStatus,
  type BindingEviction,
  type BindingSpec,
  type BindingStatus,
  bindingNameFor,
  type TargetCluster,
} from '../resources/binding.js';
import { BINDING_TYPE, FEDGATE_API_VERSION } from '../resources/kinds.js';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import type { Condition } from '../resources/member-cluster.js';
import { dependencyReference } from '../store/references.js';
import type { ResourceStore } from '../store/resource-store.js';
import { FleetView } from './fleet-view.js';

/** A Binding as stored. */
export type BindingObject = KubeObject & { spec: BindingSpec; status?: BindingStatus };

/**
 * Adds what dependency-following contributes to a binding spec: a dependency also goes wherever
 * the workloads that reference it run; a workload records what it references.
 */
function withFollowed(
  spec: BindingSpec,
  followed: readonly BindingObject[],
  dependencies: BindingSpec['dependencies'],
): BindingSpec {
  const out: BindingSpec = { ...spec, ...(dependencies && dependencies.length > 0 ? { dependencies } : {}) };
  if (followed.length === 0) return out;
  const clusters = new Map(spec.clusters.map((c) => [c.name, c]));
  for (const b of followed)
    for (const c of b.spec.clusters) if (!clusters.has(c.name)) clusters.set(c.name, { name: c.name });
  return {
    ...out,
    clusters: [...clusters.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    requiredBy: followed.map((b) => b.metadata.name).sort(),
  };
}

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

/** Where the Binding of a template lives. */
export function bindingKeyFor(template: PlacementJob): ObjectKey {
  const kind = template.type.split('.')[0] ?? '';
  return { type: BINDING_TYPE, namespace: template.namespace, name: bindingNameFor(kind, template.name) };
}

/** What one placement pass decided, for callers and tests. */
export interface PlacementOutcome {
  readonly binding: ObjectKey;
  readonly result: ScheduleResult['status'] | 'Deleted';
  readonly clusters: readonly TargetCluster[];
  readonly propagations: number;
}

/**
 * Schedules one template: reads it, the fleet and the policies, runs the pure scheduler, writes
 * the Binding (compare-and-set), and enqueues one propagation job per cluster that is, was, or is
 * being evicted from it. Level-triggered: running it twice, or late, gives the same result.
 */
export class PlacementReconciler {
  constructor(
    private readonly store: ResourceStore,
    private readonly fleet: FleetView,
    private readonly queues: Queues,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reconciles the template named by the job. */
  async reconcile(job: PlacementJob): Promise<PlacementOutcome> {
    const bindingKey = bindingKeyFor(job);
    // One round trip: the template, its binding and the fleet's version.
    const read = await this.store.readMany({
      objects: [{ type: job.type, namespace: job.namespace, name: job.name }, bindingKey],
      typeVersions: FleetView.TYPES,
    });
    const template = read.objects[0];
    const existing = read.objects[1] as BindingObject | undefined;
    if (existing && existing.spec.resource.type !== job.type) {
      throw new Error(
        `binding ${bindingKey.namespace}/${bindingKey.name} belongs to ${existing.spec.resource.type}, not ${job.type}`,
      );
    }
    if (!template) return this.removeBinding(bindingKey, existing);

    const state = await this.fleet.currentAt(read.typeVersions);
    const info = templateInfoFromManifest(template);
    const result = schedule({
      template: info,
      policies: state.policies,
      fleet: state.fleet,
      ...(existing
        ? {
            previous: {
              ...(existing.spec.policy ? { policy: existing.spec.policy } : {}),
              clusters: existing.spec.clusters,
            },
          }
        : {}),
      now: this.now(),
    });
    const generation = template.metadata.generation ?? 1;
    const policy =
      result.status === 'Scheduled' ? state.policies.find((p) => p.name === result.policy) : undefined;
    const dependencies =
      result.status === 'Scheduled' && policy?.spec.propagateDependencies !== false
        ? referencedDependencies(template).map((d) => ({ kind: d.kind, name: d.name }))
        : [];
    const followed = DEPENDENCY_KINDS.has(template.kind)
      ? await this.workloadsRequiring(job, template.kind)
      : [];
    const statuses =
      (existing?.spec.evictions?.length ?? 0) > 0
        ? await this.store.clusterStatuses<BindingClusterStatus>(bindingKey)
        : [];
    const hasCopy = (cluster: string) =>
      state.clusters.has(cluster) && statuses.some((s) => s.cluster === cluster);
    const spec = withFollowed(
      this.bindingSpec(job, template, result, existing, hasCopy),
      followed,
      dependencies,
    );
    const status = this.bindingStatus(result, generation, existing, followed);
    const saved = await this.saveBinding(bindingKey, existing, spec, status);
    await this.enqueueDependencies(
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
    await this.enqueuePropagation(
      bindingKey,
      [...clusters],
      `${saved.metadata.generation ?? 1}${job.trigger ?? ''}`,
      undefined,
      { type: job.type, name: job.name },
    );
    if (result.status === 'Scheduled' && result.requeueAt !== undefined) {
      const delay = Math.max(0, result.requeueAt - this.now());
      const data: PlacementJob = {
        type: job.type,
        namespace: job.namespace,
        name: job.name,
        trigger: `-t${result.requeueAt}`,
      };
      await this.queues.placement.add('requeue', data, {
        jobId: jobIds.placement(data, template.metadata.uid ?? '', generation, data.trigger),
        delay,
      });
    }
    this.log.debug({ template: job, result: result.status, clusters: spec.clusters }, 'placed');
    return {
      binding: bindingKey,
      result: result.status,
      clusters: spec.clusters,
      propagations: clusters.size,
    };
  }

  private bindingSpec(
    job: PlacementJob,
    template: KubeObject,
    result: ScheduleResult,
    existing: BindingObject | undefined,
    hasCopy: (cluster: string) => boolean,
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
    // Unschedulable or no policy: place nowhere new, and keep nothing (pruning follows).
    return {
      resource,
      ...(result.status === 'Unschedulable' ? { policy: result.policy } : {}),
      clusters: [],
    };
  }

  private bindingStatus(
    result: ScheduleResult,
    generation: number,
    existing: BindingObject | undefined,
    followed: readonly BindingObject[],
  ): BindingStatus {
    const scheduled: Omit<Condition, 'lastTransitionTime'> =
      result.status !== 'Scheduled' && followed.length > 0
        ? {
            type: 'Scheduled',
            status: 'True',
            reason: 'FollowsWorkload',
            message: `placed with the workloads that reference it: ${followed.map((b) => b.metadata.name).join(', ')}`,
          }
        : result.status === 'Scheduled'
          ? {
              type: 'Scheduled',
              status: 'True',
              reason: 'Scheduled',
              message: `placed by policy ${result.policy}`,
            }
          : result.status === 'Unschedulable'
            ? { type: 'Scheduled', status: 'False', reason: result.reason, message: result.message }
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
  ): Promise<PlacementOutcome> {
    if (!existing) return { binding: key, result: 'Deleted', clusters: [], propagations: 0 };
    const clusters = [
      ...new Set([
        ...existing.spec.clusters.map((c) => c.name),
        ...(existing.spec.evictions ?? []).map((e) => e.cluster),
      ]),
    ];
    // Prune jobs first: if this worker dies after deleting the binding, the periodic garbage collection still finds the objects.
    const r = existing.spec.resource;
    const resource = {
      apiVersion: r.apiVersion,
      kind: r.kind,
      ...(r.namespace ? { namespace: r.namespace } : {}),
      name: r.name,
    };
    await this.enqueuePropagation(key, clusters, `del${existing.metadata.resourceVersion}`, resource);
    await this.store
      .delete(key, { resourceVersion: existing.metadata.resourceVersion! })
      .catch((err: unknown) => {
        if ((err as { code?: string }).code !== 'NotFound') throw err;
      });
    return { binding: key, result: 'Deleted', clusters: [], propagations: clusters.length };
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
  private async enqueueDependencies(
    namespace: string,
    deps: readonly { kind: string; name: string }[],
    trigger: string,
  ): Promise<void> {
    const unique = new Map(deps.map((d) => [`${d.kind}/${d.name}`, d]));
    if (unique.size === 0) return;
    await this.queues.placement.addBulk(
      [...unique.values()].map((d) => {
        const data: PlacementJob = { type: `${d.kind}.v1`, namespace, name: d.name, trigger: `-w${trigger}` };
        return { name: 'place', data, opts: { jobId: jobIds.placement(data, 'dep', 0, data.trigger) } };
      }),
    );
  }

  private async enqueuePropagation(
    binding: ObjectKey,
    clusters: readonly string[],
    generation: number | string,
    resource?: PropagationJob['resource'],
    template?: PropagationJob['template'],
  ): Promise<void> {
    if (clusters.length === 0) return;
    await this.queues.propagation.addBulk(
      clusters.map((cluster) => {
        const data: PropagationJob = {
          namespace: binding.namespace,
          binding: binding.name,
          cluster,
          ...(resource ? { resource } : {}),
          ...(template ? { template } : {}),
        };
        return { name: 'propagate', data, opts: { jobId: jobIds.propagation(data, generation) } };
      }),
    );
  }
}
