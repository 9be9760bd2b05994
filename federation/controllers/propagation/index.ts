import { type Controller, defineController } from '../../controller/controller.js';
import { QUEUE_NAMES } from '../../queue/queues.js';
import { PropagationReconciler } from '../../reconcile/propagation-reconciler.js';
import { recentWatching } from '../../reconcile/status-checks.js';
import { driftDetector } from '../drift/index.js';
import type { ControllerSettings } from '../settings.js';

/** Brings member clusters in line with Bindings: one job per binding × cluster, and status checks. */
export function propagationController(s: ControllerSettings): Controller {
  // The watch marks, read once for the passes of a moment (one worker process: one controller).
  let watching: ((clusters: readonly string[]) => Promise<boolean>) | undefined;
  return defineController({
    name: 'propagation',
    queues: [{ name: QUEUE_NAMES.propagation, concurrency: s.concurrency?.propagation ?? 64 }],
    reconcile: (job, ctx) => {
      watching ??= recentWatching(
        (clusters) => ctx.leases.allCurrent(clusters),
        () => ctx.clock.now(),
      );
      return new PropagationReconciler({
        ...ctx,
        drift: driftDetector(ctx),
        watching,
        ...(s.statusChecks !== undefined ? { statusChecks: s.statusChecks } : {}),
        ...(s.watchedCheckDelayMs !== undefined ? { watchedCheckDelayMs: s.watchedCheckDelayMs } : {}),
      }).reconcile(job.data);
    },
  });
}
