import type { ControllerContext } from '../../controller/context.js';
import { type Controller, defineController } from '../../controller/controller.js';
import { counterOf } from '../../controller/metrics.js';
import { type MaintenanceJob, QUEUE_NAMES } from '../../queue/queues.js';
import { DriftDetector } from '../../reconcile/drift-detector.js';
import { perClusterJobs } from '../fan-out.js';
import { type ControllerSettings, maintenanceConcurrency } from '../settings.js';

/** The drift detector of a context, counting detections in its metrics registry. */
export function driftDetector(ctx: ControllerContext): DriftDetector {
  const counter = ctx.metrics
    ? counterOf(ctx.metrics, {
        name: 'fedgate_drift_detected_total',
        help: 'Objects found changed in a member cluster since fedgate applied them, by cluster and drift mode',
        labelNames: ['cluster', 'mode'] as const,
      })
    : undefined;
  return new DriftDetector({ ...ctx, ...(counter ? { counter } : {}) });
}

/** Scans member clusters for objects changed there directly: one scan per cluster, periodically. */
export function driftController(s: ControllerSettings): Controller {
  return defineController({
    name: 'drift',
    queues: [
      { name: QUEUE_NAMES.maintenance, jobs: ['drift', 'drift-all'], concurrency: maintenanceConcurrency(s) },
    ],
    schedules: [
      {
        id: 'drift-all',
        queue: QUEUE_NAMES.maintenance,
        everyMs: s.driftIntervalMs ?? 60_000,
        job: { name: 'drift-all', data: { kind: 'drift-all' } satisfies MaintenanceJob },
      },
    ],
    async reconcile(job, ctx) {
      const d = job.data as MaintenanceJob;
      if (d.kind === 'drift') return driftDetector(ctx).scan(d.cluster);
      // A failed scan is not retried: the next one comes soon enough.
      const scans = await perClusterJobs(ctx, 'drift', job, { attempts: 1 });
      return { result: scans.length, followUps: scans };
    },
  });
}
