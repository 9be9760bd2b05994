import { type Controller, defineController } from '../../controller/controller.js';
import { type MaintenanceJob, QUEUE_NAMES } from '../../queue/queues.js';
import { placeAllTemplates } from '../../reconcile/template-jobs.js';
import { BINDING_TYPE } from '../../resources/kinds.js';
import { perClusterJobs } from '../fan-out.js';
import { type ControllerSettings, maintenanceConcurrency } from '../settings.js';

/**
 * The periodic resync that heals anything missed: every template placed again, every cluster
 * garbage-collected, the dependency index rebuilt if Redis lost it.
 */
export function resyncController(s: ControllerSettings): Controller {
  return defineController({
    name: 'resync',
    queues: [{ name: QUEUE_NAMES.maintenance, jobs: ['resync'], concurrency: maintenanceConcurrency(s) }],
    schedules: [
      {
        id: 'resync',
        queue: QUEUE_NAMES.maintenance,
        everyMs: s.resyncIntervalMs ?? 300_000,
        job: { name: 'resync', data: { kind: 'resync' } satisfies MaintenanceJob },
      },
    ],
    async setup(ctx) {
      // A store written by an earlier fedgate has Bindings without their dependency index yet.
      const reindexed = await ctx.store.indexReferences([BINDING_TYPE]);
      if (reindexed > 0)
        ctx.log.info({ bindings: reindexed }, 'indexed the dependencies of existing bindings');
    },
    async reconcile(job, ctx) {
      const gc = await perClusterJobs(ctx, 'gc', job);
      // Also after Redis lost its data (no persistence) while this worker ran: one EXISTS when complete.
      await ctx.store.indexReferences([BINDING_TYPE]);
      const place = await placeAllTemplates(ctx.store, { kind: 'resync', at: job.timestamp });
      return { result: place.length, followUps: [...gc, ...place] };
    },
  });
}
