import type { ControllerContext } from '../../controller/context.js';
import { type Controller, defineController, type JobRequest } from '../../controller/controller.js';
import { QUEUE_NAMES } from '../../queue/queues.js';
import { bindingStatusIsCurrent, PlacementReconciler } from '../../reconcile/placement-reconciler.js';
import { placeAllTemplates, placementJob } from '../../reconcile/template-jobs.js';
import type { BindingSpec } from '../../resources/binding.js';
import { BINDING_TYPE, MEMBER_CLUSTER_TYPE, PLACEMENT_POLICY_TYPE } from '../../resources/kinds.js';
import { isFedgateType, parseTypeKey } from '../../resources/resource-type.js';
import type { ChangeEvent } from '../../store/resource-store.js';
import type { ControllerSettings } from '../settings.js';

/** Workload templates: every type that is not fedgate's own. */
export function isTemplateType(typeKey: string): boolean {
  return !isFedgateType(parseTypeKey(typeKey));
}

/** A template's own change: one job per template uid and generation (and per deletion). */
function changeJob(ev: ChangeEvent): JobRequest {
  return placementJob(
    { type: ev.key.type, namespace: ev.key.namespace, name: ev.key.name },
    { uid: ev.object.metadata.uid ?? '', generation: ev.object.metadata.generation ?? 1 },
    ev.type === 'DELETED' ? [{ kind: 'deleted', resourceVersion: ev.resourceVersion }] : [],
  );
}

/**
 * A Binding whose status the placement controller did not write (forged straight into Redis):
 * decide its template again, which rewrites the status. The controller's own writes pass the check
 * and map to nothing, so this adds no job in normal operation.
 */
function repairJob(ev: ChangeEvent): JobRequest[] {
  // Status writes only: a whole Binding written (created, or its spec changed) is the placement
  // controller's own, or adopted as it is (one an earlier release named), and the resync checks it.
  if (ev.type === 'DELETED' || ev.subresource !== 'status' || bindingStatusIsCurrent(ev.object)) return [];
  const r = (ev.object.spec as BindingSpec | undefined)?.resource;
  if (!r?.type) return [];
  return [
    placementJob(
      { type: r.type, namespace: r.namespace, name: r.name },
      { uid: 'binding', generation: ev.object.metadata.generation ?? 1 },
      [{ kind: 'other', token: `+b${ev.resourceVersion}` }],
    ),
  ];
}

/**
 * Places workload templates: a template's change, and any policy or cluster change (which can move
 * any template), becomes a placement pass that writes the template's Binding; so does a Binding
 * whose status someone else wrote.
 */
export function placementController(s: ControllerSettings): Controller {
  // One reconciler per context (the manager hands every job the same one): it keeps no job's state.
  let built: { ctx: ControllerContext; reconciler: PlacementReconciler } | undefined;
  return defineController({
    name: 'placement',
    queues: [{ name: QUEUE_NAMES.placement, concurrency: s.concurrency?.placement ?? 16 }],
    watches: [
      { types: isTemplateType, map: (ev) => [changeJob(ev)] },
      {
        types: (t) => t === PLACEMENT_POLICY_TYPE,
        map: (ev, ctx) =>
          placeAllTemplates(ctx.store, { kind: 'policy', resourceVersion: ev.resourceVersion }),
      },
      { types: (t) => t === BINDING_TYPE, statusChanges: true, map: repairJob },
      {
        types: (t) => t === MEMBER_CLUSTER_TYPE,
        map: (ev, ctx) =>
          placeAllTemplates(ctx.store, { kind: 'cluster', resourceVersion: ev.resourceVersion }),
      },
    ],
    reconcile: (job, ctx) => {
      if (built?.ctx !== ctx) built = { ctx, reconciler: new PlacementReconciler(ctx) };
      return built.reconciler.reconcile(job.data);
    },
  });
}
