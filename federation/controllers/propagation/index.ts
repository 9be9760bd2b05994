import type { ControllerContext } from '../../controller/context.js';
import { type Controller, defineController } from '../../controller/controller.js';
import { QUEUE_NAMES } from '../../queue/queues.js';
import { PropagationReconciler } from '../../reconcile/propagation-reconciler.js';
import { recentWatching } from '../../reconcile/status-checks.js';
import { driftDetector } from '../drift/index.js';
import type { ControllerSettings } from '../settings.js';

/** Brings member clusters in line with Bindings: one job per binding × cluster, and status checks. */
export function propagationController(s: ControllerSettings): Controller {
  // Built on the first job and kept: the manager hands every job of this controller the same
  // context, and the reconciler keeps no state of a job (the watch marks it reads once for the
  // passes of a moment are meant to be shared).
  let built: { ctx: ControllerContext; reconciler: PropagationReconciler } | undefined;
  return defineController({
    name: 'propagation',
    queues: [{ name: QUEUE_NAMES.propagation, concurrency: s.concurrency?.propagation ?? 64 }],
    reconcile: (job, ctx) => {
      if (built?.ctx !== ctx) {
        const watching = recentWatching(
          (clusters) => ctx.leases.allCurrent(clusters),
          () => ctx.clock.now(),
        );
        const reconciler = new PropagationReconciler({
          ...ctx,
          drift: driftDetector(ctx),
          watching,
          ...(s.statusChecks !== undefined ? { statusChecks: s.statusChecks } : {}),
          ...(s.watchedCheckDelayMs !== undefined ? { watchedCheckDelayMs: s.watchedCheckDelayMs } : {}),
        });
        built = { ctx, reconciler };
      }
      return built.reconciler.reconcile(job.data);
    },
  });
}
