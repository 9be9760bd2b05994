import { type Controller, defineController } from '../../controller/controller.js';
import { counterOf, gaugeOf } from '../../controller/metrics.js';
import { WorkloadStatusWatcher } from '../../reconcile/workload-status-watcher.js';

/**
 * Watches the workloads fedgate placed in each Ready member cluster (one worker per cluster, by
 * lease) and records their readiness as it changes; with each lease round, takes the cluster's
 * due status checks that back the watch up.
 */
export function workloadWatchController(): Controller {
  return defineController({
    name: 'workload-watch',
    start(ctx) {
      const m = ctx.metrics;
      const watcher = new WorkloadStatusWatcher({
        store: ctx.store,
        fleet: ctx.fleet,
        clients: ctx.clients,
        leases: ctx.leases,
        checks: ctx.deferredChecks,
        log: ctx.log,
        now: () => ctx.clock.now(),
        submit: (requests) => ctx.submit(requests),
        ...(m
          ? {
              metrics: {
                clusters: gaugeOf(m, {
                  name: 'fedgate_workload_watch_clusters',
                  help: 'Member clusters whose workloads this worker watches (it holds their watch lease)',
                }),
                updates: counterOf(m, {
                  name: 'fedgate_workload_watch_status_updates_total',
                  help: 'Binding cluster statuses changed from workload watch events, by cluster',
                  labelNames: ['cluster'] as const,
                }),
              },
            }
          : {}),
      });
      watcher.start();
      return { stop: () => watcher.close() };
    },
  });
}
