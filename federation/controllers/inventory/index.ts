import { type Controller, defineController } from '../../controller/controller.js';
import { encodeTriggers } from '../../controller/job-ids.js';
import { MEMBER_CLUSTER_TYPE } from '../../resources/kinds.js';
import { discoverInventory } from './discover.js';

/** The queue of cloud inventory discovery. */
export const INVENTORY_QUEUE = 'inventory';

/** Payload of a discovery job. */
export interface DiscoverJob {
  readonly cluster: string;
}

/**
 * Discovers what a member cluster with a cloud side runs on, through its provider's adapter: the
 * instances behind its nodes (zones, instance types, vCPU and memory) and its network (CIDRs,
 * subnets). Runs when a MemberCluster is registered or changed, and every `everyMs` (default 10
 * minutes); writes `status.cloud` and the CloudInventory condition.
 */
export function inventoryController(opts: { everyMs?: number } = {}): Controller {
  return defineController({
    name: 'inventory',
    queues: [
      {
        name: INVENTORY_QUEUE,
        concurrency: 4,
        jobOptions: {
          attempts: 5,
          backoff: { type: 'exponential', delay: 2_000 },
          removeOnComplete: { age: 600, count: 500 },
          removeOnFail: { age: 24 * 3600, count: 500 },
        },
      },
    ],
    watches: [
      {
        types: (t) => t === MEMBER_CLUSTER_TYPE,
        map: (ev) =>
          ev.type === 'DELETED'
            ? []
            : [
                {
                  queue: INVENTORY_QUEUE,
                  name: 'discover',
                  data: { cluster: ev.key.name } satisfies DiscoverJob,
                  id: `discover/${ev.key.name}${encodeTriggers([{ kind: 'cluster', resourceVersion: ev.resourceVersion }])}`,
                },
              ],
      },
    ],
    schedules: [
      {
        id: 'discover-all',
        queue: INVENTORY_QUEUE,
        everyMs: opts.everyMs ?? 600_000,
        job: { name: 'discover-all', data: {} },
      },
    ],
    async reconcile(job, ctx) {
      if (job.name === 'discover')
        return { result: await discoverInventory((job.data as DiscoverJob).cluster, ctx) };
      const { items } = await ctx.store.list(MEMBER_CLUSTER_TYPE);
      return {
        result: items.length,
        followUps: items
          .filter((c) => (c.spec as { cloud?: unknown } | undefined)?.cloud !== undefined)
          .map((c) => ({
            queue: INVENTORY_QUEUE,
            name: 'discover',
            data: { cluster: c.metadata.name } satisfies DiscoverJob,
            id: `discover/${c.metadata.name}${encodeTriggers([{ kind: 'scheduled', jobId: job.id ?? '' }])}`,
          })),
      };
    },
  });
}
