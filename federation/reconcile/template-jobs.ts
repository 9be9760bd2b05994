import type { JobRequest } from '../controller/controller.js';
import { encodeTriggers, jobIds, type Trigger } from '../controller/job-ids.js';
import type { PlacementJob, PropagationJob } from '../queue/queues.js';
import { QUEUE_NAMES } from '../queue/queues.js';
import { isFedgateType, parseTypeKey } from '../resources/resource-type.js';
import type { ResourceStore } from '../store/resource-store.js';

/** The type keys of workload templates the store holds (every non-fedgate type). */
export async function templateTypes(store: ResourceStore): Promise<string[]> {
  return (await store.types()).filter((t) => !isFedgateType(parseTypeKey(t)));
}

/** A placement pass of one template at one revision, tagged with what else triggered it. */
export function placementJob(
  data: Omit<PlacementJob, 'trigger'>,
  revision: { uid?: string; generation: number },
  triggers: readonly Trigger[] | string = [],
  opts: { name?: string; delayMs?: number } = {},
): JobRequest<PlacementJob> {
  const trigger = typeof triggers === 'string' ? triggers : encodeTriggers(triggers);
  const payload: PlacementJob = trigger ? { ...data, trigger } : { ...data };
  return {
    queue: QUEUE_NAMES.placement,
    name: opts.name ?? 'place',
    data: payload,
    id: jobIds.placement(data, revision, trigger),
    ...(opts.delayMs !== undefined ? { delayMs: opts.delayMs } : {}),
  };
}

/** A propagation pass of one binding in one cluster at one binding generation. */
export function propagationJob(
  data: PropagationJob,
  generation: number,
  triggers: readonly Trigger[] | string = [],
  opts: { name?: string; delayMs?: number } = {},
): JobRequest<PropagationJob> {
  return {
    queue: QUEUE_NAMES.propagation,
    name: opts.name ?? 'propagate',
    data,
    id: jobIds.propagation(
      data,
      generation,
      typeof triggers === 'string' ? triggers : encodeTriggers(triggers),
    ),
    ...(opts.delayMs !== undefined ? { delayMs: opts.delayMs } : {}),
  };
}

/**
 * A placement pass for every template, tagged with what triggered it (a policy or cluster change,
 * a resync), so the job ids differ from the template's own change jobs.
 */
export async function placeAllTemplates(
  store: ResourceStore,
  trigger: Trigger,
): Promise<JobRequest<PlacementJob>[]> {
  const out: JobRequest<PlacementJob>[] = [];
  for (const type of await templateTypes(store)) {
    const { items } = await store.list(type);
    for (const t of items) {
      out.push(
        placementJob(
          { type, namespace: t.metadata.namespace ?? '', name: t.metadata.name },
          { uid: t.metadata.uid ?? '', generation: t.metadata.generation ?? 1 },
          [trigger],
        ),
      );
    }
  }
  return out;
}
