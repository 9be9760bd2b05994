import { type Controller, defineController } from '../../controller/controller.js';
import { type MaintenanceJob, QUEUE_NAMES } from '../../queue/queues.js';
import { GarbageCollector } from '../../reconcile/garbage-collector.js';
import { type ControllerSettings, maintenanceConcurrency } from '../settings.js';

/** Deletes what fedgate placed in a member cluster that no Binding places there any more. */
export function gcController(s: ControllerSettings): Controller {
  return defineController({
    name: 'gc',
    queues: [{ name: QUEUE_NAMES.maintenance, jobs: ['gc'], concurrency: maintenanceConcurrency(s) }],
    async reconcile(job, ctx) {
      const d = job.data as Extract<MaintenanceJob, { kind: 'gc' }>;
      return { result: await new GarbageCollector(ctx).collect(d.cluster) };
    },
  });
}
