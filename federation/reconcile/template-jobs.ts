import type { PlacementJob, Queues } from '../queue/queues.js';
import { jobIds } from '../queue/queues.js';
import { isFedgateType, parseTypeKey } from '../resources/resource-type.js';
import type { ResourceStore } from '../store/resource-store.js';

/** The type keys of workload templates the store holds (every non-fedgate type). */
export async function templateTypes(store: ResourceStore): Promise<string[]> {
  return (await store.types()).filter((t) => !isFedgateType(parseTypeKey(t)));
}

/**
 * Enqueues a placement pass for every template, tagged with what triggered it (a policy or
 * cluster change, a resync), so the job ids differ from the template's own change jobs.
 */
export async function enqueueAllTemplates(
  store: ResourceStore,
  queues: Queues,
  trigger: string,
): Promise<number> {
  let n = 0;
  for (const type of await templateTypes(store)) {
    const { items } = await store.list(type);
    for (let i = 0; i < items.length; i += 1_000) {
      const batch = items.slice(i, i + 1_000).map((t) => {
        const data: PlacementJob = {
          type,
          namespace: t.metadata.namespace ?? '',
          name: t.metadata.name,
          trigger,
        };
        return {
          name: 'place',
          data,
          opts: { jobId: jobIds.placement(data, t.metadata.uid ?? '', t.metadata.generation ?? 1, trigger) },
        };
      });
      await queues.placement.addBulk(batch);
      n += batch.length;
    }
  }
  return n;
}
