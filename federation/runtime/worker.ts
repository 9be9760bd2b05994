import { hostname } from 'node:os';
import { type ConnectionOptions, type Job, type Processor, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { isProviderError } from '../../providers/provider-error.js';
import { isFedgateError } from '../errors/fedgate-error.js';
import {
  type MaintenanceJob,
  openQueues,
  type PlacementJob,
  type PropagationJob,
  QUEUE_NAMES,
  type Queues,
} from '../queue/queues.js';
import { ChangeDispatcher } from '../reconcile/change-dispatcher.js';
import { type ClusterClientFactory, ClusterClients } from '../reconcile/cluster-clients.js';
import { ClusterLeases } from '../reconcile/cluster-leases.js';
import { type DriftCounter, DriftDetector } from '../reconcile/drift-detector.js';
import { FleetView } from '../reconcile/fleet-view.js';
import { GarbageCollector } from '../reconcile/garbage-collector.js';
import { HealthReconciler } from '../reconcile/health-reconciler.js';
import { PlacementReconciler } from '../reconcile/placement-reconciler.js';
import { PropagationReconciler } from '../reconcile/propagation-reconciler.js';
import { enqueueAllTemplates } from '../reconcile/template-jobs.js';
import { type WatchMetrics, WorkloadStatusWatcher } from '../reconcile/workload-status-watcher.js';
import { BINDING_TYPE, MEMBER_CLUSTER_TYPE } from '../resources/kinds.js';
import { ResourceStore } from '../store/resource-store.js';
import { connectRedis, redisOptions } from './redis-connection.js';

/** Settings of a control-plane worker. */
export interface WorkerProps {
  readonly redisUrl: string;
  /** Store key prefix (default `fg`) and BullMQ prefix (default `{fgq}`). */
  readonly storePrefix?: string;
  readonly queuePrefix?: string;
  readonly clientFactory: ClusterClientFactory;
  readonly log: Logger;
  readonly metrics?: Registry;
  readonly concurrency?: { placement?: number; propagation?: number; maintenance?: number };
  /** How often every member cluster is probed. Default 10 s. */
  readonly probeIntervalMs?: number;
  /** How often every template is re-placed and every cluster garbage-collected. Default 5 min. */
  readonly resyncIntervalMs?: number;
  /**
   * How often every member cluster is scanned for drift (objects changed there directly). Default
   * 60 s; 0 stops the periodic scan (propagation passes still compare what they read).
   */
  readonly driftIntervalMs?: number;
  /** How long a job may go without its lock being renewed before another worker takes it over. Default 30 s. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** Consecutive failed probes before a cluster is Unknown. Default 2. */
  readonly failureThreshold?: number;
  /**
   * TTL of the lease that makes one worker watch a member cluster's workloads (renewed every third
   * of it); a worker that dies is replaced after at most this long. Default 15 s.
   */
  readonly watchLeaseMs?: number;
  /** Follow-up status reads of a workload not ready yet after a pass. Default 40. */
  readonly statusChecks?: number;
  /**
   * First delay of those reads for a Deployment or StatefulSet whose clusters' watches are all
   * current (they report readiness themselves), doubled per read up to four times it. Default
   * 15 s; 0 reads at the usual pace (500 ms doubling to 10 s).
   */
  readonly watchedCheckDelayMs?: number;
}

/** A running worker. */
export interface ControlPlaneWorker {
  readonly queues: Queues;
  readonly store: ResourceStore;
  /** Whether every one of these member clusters' workload watches is current (by whichever worker holds it). */
  watchesCurrent(clusters: readonly string[]): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Starts a control-plane worker: BullMQ workers for placement, propagation and maintenance, the
 * change-feed dispatcher, and the job schedulers for health probes and resync. Any number may run
 * against one Redis; job ids, compare-and-set writes and level-triggered reconcilers make that safe.
 */
export async function startWorker(props: WorkerProps): Promise<ControlPlaneWorker> {
  const { log } = props;
  const storeConn = connectRedis(props.redisUrl, false, log);
  const feedConn = connectRedis(props.redisUrl, true, log);
  const store = new ResourceStore(storeConn, props.storePrefix ? { prefix: props.storePrefix } : {});
  const queues = openQueues(storeConn, props.queuePrefix ? { prefix: props.queuePrefix } : {});
  const clients = new ClusterClients(props.clientFactory);
  const fleet = new FleetView(store);
  const m = workerMetrics(props.metrics);
  const drift = new DriftDetector(store, fleet, clients, queues, log.child({ c: 'drift' }), m?.drift);
  const workerId = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const leases = new ClusterLeases(
    storeConn,
    `${store.prefix}:lease:workload-watch`,
    workerId,
    props.watchLeaseMs ?? 15_000,
  );
  const placement = new PlacementReconciler(store, fleet, queues, log.child({ c: 'placement' }));
  const propagation = new PropagationReconciler(
    store,
    fleet,
    clients,
    queues,
    log.child({ c: 'propagation' }),
    {
      drift,
      ...(props.statusChecks !== undefined ? { statusChecks: props.statusChecks } : {}),
      ...(props.watchedCheckDelayMs !== undefined ? { watchedCheckDelayMs: props.watchedCheckDelayMs } : {}),
      watching: (clusters) => leases.allCurrent(clusters),
    },
  );
  const health = new HealthReconciler(store, clients, queues, log.child({ c: 'health' }), Date.now, {
    ...(props.failureThreshold !== undefined ? { failureThreshold: props.failureThreshold } : {}),
  });
  const gc = new GarbageCollector(store, clients, log.child({ c: 'gc' }));

  const maintenance = async (job: Job<MaintenanceJob>) => {
    const d = job.data as MaintenanceJob | { kind: 'probe-all' };
    switch (d.kind) {
      case 'probe':
        return health.probe(d.cluster);
      case 'gc':
        return gc.collect(d.cluster);
      case 'drift':
        return drift.scan(d.cluster);
      case 'probe-all':
      case 'drift-all':
      case 'resync': {
        const { items } = await store.list(MEMBER_CLUSTER_TYPE);
        const kind = d.kind === 'resync' ? 'gc' : d.kind === 'drift-all' ? 'drift' : 'probe';
        await queues.maintenance.addBulk(
          items.map((c) => ({
            name: kind,
            data: { kind, cluster: c.metadata.name },
            // A failed scan is not retried: the next one comes soon enough.
            opts: {
              jobId: `${kind}-${c.metadata.name}-${job.id}`,
              ...(kind === 'drift' ? { attempts: 1 } : {}),
            },
          })),
        );
        if (d.kind !== 'resync') return items.length;
        // Also after Redis lost its data (no persistence) while this worker ran: one EXISTS when complete.
        await store.indexReferences([BINDING_TYPE]);
        return enqueueAllTemplates(store, queues, `-r${job.timestamp}`);
      }
    }
  };

  const common = {
    // BullMQ opens (and closes) its own blocking connections from these options.
    connection: redisOptions(props.redisUrl, true) as ConnectionOptions,
    prefix: props.queuePrefix ?? '{fgq}',
    lockDuration: props.lockDurationMs ?? 30_000,
    stalledInterval: props.stalledIntervalMs ?? 15_000,
    maxStalledCount: 5,
  };
  const c = props.concurrency ?? {};
  const workers = [
    new Worker<PlacementJob>(
      QUEUE_NAMES.placement,
      instrument(m, QUEUE_NAMES.placement, (j) => placement.reconcile(j.data)),
      {
        ...common,
        concurrency: c.placement ?? 16,
      },
    ),
    new Worker<PropagationJob>(
      QUEUE_NAMES.propagation,
      instrument(m, QUEUE_NAMES.propagation, (j) => propagation.reconcile(j.data)),
      {
        ...common,
        concurrency: c.propagation ?? 64,
      },
    ),
    new Worker<MaintenanceJob>(QUEUE_NAMES.maintenance, instrument(m, QUEUE_NAMES.maintenance, maintenance), {
      ...common,
      concurrency: c.maintenance ?? 8,
    }),
  ];
  for (const w of workers) {
    w.on('failed', (job, err) =>
      log.warn({ queue: w.name, job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    w.on('error', (err) => log.error({ queue: w.name, err: err.message }, 'worker error'));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // A store written by an earlier fedgate has Bindings without their dependency index yet.
  const reindexed = await store.indexReferences([BINDING_TYPE]);
  if (reindexed > 0) log.info({ bindings: reindexed }, 'indexed the dependencies of existing bindings');

  await queues.maintenance.upsertJobScheduler(
    'probe-all',
    { every: props.probeIntervalMs ?? 10_000 },
    { name: 'probe-all', data: { kind: 'probe-all' } as unknown as MaintenanceJob },
  );
  if (props.driftIntervalMs === 0) await queues.maintenance.removeJobScheduler('drift-all');
  else
    await queues.maintenance.upsertJobScheduler(
      'drift-all',
      { every: props.driftIntervalMs ?? 60_000 },
      { name: 'drift-all', data: { kind: 'drift-all' } },
    );
  await queues.maintenance.upsertJobScheduler(
    'resync',
    { every: props.resyncIntervalMs ?? 300_000 },
    { name: 'resync', data: { kind: 'resync' } },
  );

  const dispatcher = new ChangeDispatcher(store, queues, feedConn, workerId, log.child({ c: 'dispatch' }));
  await dispatcher.start();
  const watcher = new WorkloadStatusWatcher({
    store,
    fleet,
    clients,
    queues,
    leases,
    log: log.child({ c: 'watch' }),
    ...(m ? { metrics: m.watch } : {}),
  });
  watcher.start();
  log.info({ pid: process.pid }, 'worker started');

  return {
    queues,
    store,
    watchesCurrent: (clusters) => leases.allCurrent(clusters),
    async close() {
      await watcher.close();
      await dispatcher.stop();
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      storeConn.disconnect();
      feedConn.disconnect();
    },
  };
}

interface WorkerMetrics {
  readonly jobs: Counter<'queue' | 'outcome'>;
  readonly duration: Histogram<'queue'>;
  readonly drift: DriftCounter;
  readonly watch: WatchMetrics;
}

function workerMetrics(registry: Registry | undefined): WorkerMetrics | undefined {
  if (!registry) return undefined;
  return {
    jobs: new Counter({
      name: 'fedgate_jobs_total',
      help: 'Jobs processed by queue and outcome',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'fedgate_job_duration_seconds',
      help: 'Time to process one job',
      labelNames: ['queue'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    drift: new Counter({
      name: 'fedgate_drift_detected_total',
      help: 'Objects found changed in a member cluster since fedgate applied them, by cluster and drift mode',
      labelNames: ['cluster', 'mode'],
      registers: [registry],
    }),
    watch: {
      clusters: new Gauge({
        name: 'fedgate_workload_watch_clusters',
        help: 'Member clusters whose workloads this worker watches (it holds their watch lease)',
        registers: [registry],
      }),
      updates: new Counter({
        name: 'fedgate_workload_watch_status_updates_total',
        help: 'Binding cluster statuses changed from workload watch events, by cluster',
        labelNames: ['cluster'],
        registers: [registry],
      }),
    },
  };
}

/** Wraps a processor with metrics, and marks errors that no retry can fix as unrecoverable. */
function instrument<T, R>(
  m: WorkerMetrics | undefined,
  queue: string,
  fn: (job: Job<T>) => Promise<R>,
): Processor<T, R> {
  return async (job) => {
    const end = m?.duration.startTimer({ queue });
    try {
      const r = await fn(job);
      m?.jobs.inc({ queue, outcome: 'completed' });
      return r;
    } catch (err) {
      m?.jobs.inc({ queue, outcome: 'failed' });
      const permanent = (isProviderError(err) || isFedgateError(err)) && !err.retryable;
      if (permanent) throw new UnrecoverableError((err as Error).message);
      throw err;
    } finally {
      end?.();
    }
  };
}
