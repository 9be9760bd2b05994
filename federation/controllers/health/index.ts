import { type Controller, defineController } from '../../controller/controller.js';
import { jobIds } from '../../controller/job-ids.js';
import { type MaintenanceJob, QUEUE_NAMES } from '../../queue/queues.js';
import { HealthReconciler } from '../../reconcile/health-reconciler.js';
import { MEMBER_CLUSTER_TYPE } from '../../resources/kinds.js';
import { perClusterJobs } from '../fan-out.js';
import { type ControllerSettings, maintenanceConcurrency } from '../settings.js';

/** Probes member clusters: when one is registered or changed, and every probe interval. */
export function healthController(s: ControllerSettings): Controller {
  return defineController({
    name: 'health',
    queues: [
      { name: QUEUE_NAMES.maintenance, jobs: ['probe', 'probe-all'], concurrency: maintenanceConcurrency(s) },
    ],
    watches: [
      {
        types: (t) => t === MEMBER_CLUSTER_TYPE,
        map: (ev) =>
          ev.type === 'DELETED'
            ? []
            : [
                {
                  queue: QUEUE_NAMES.maintenance,
                  name: 'probe',
                  data: { kind: 'probe', cluster: ev.key.name } satisfies MaintenanceJob,
                  id: jobIds.maintenance('probe', ev.key.name, [
                    { kind: 'cluster', resourceVersion: ev.resourceVersion },
                  ]),
                },
              ],
      },
    ],
    schedules: [
      {
        id: 'probe-all',
        queue: QUEUE_NAMES.maintenance,
        everyMs: s.probeIntervalMs ?? 10_000,
        job: { name: 'probe-all', data: { kind: 'probe-all' } satisfies MaintenanceJob },
      },
    ],
    async reconcile(job, ctx) {
      const d = job.data as MaintenanceJob;
      if (d.kind === 'probe')
        return new HealthReconciler({
          ...ctx,
          ...(s.failureThreshold !== undefined ? { failureThreshold: s.failureThreshold } : {}),
        }).probe(d.cluster);
      const probes = await perClusterJobs(ctx, 'probe', job);
      return { result: probes.length, followUps: probes };
    },
  });
}
