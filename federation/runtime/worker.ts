import { hostname } from 'node:os';
import type { ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CloudAdapters } from '../cloud/cloud-adapters.js';
import type { ControllerContext } from '../controller/context.js';
import { systemClock } from '../controller/context.js';
import type { Controller } from '../controller/controller.js';
import { ControllerManager } from '../controller/manager.js';
import { builtinControllers } from '../controllers/index.js';
import { type PeeringControllerProps, peeringController } from '../controllers/peering/index.js';
import { QueueErrorReporter } from '../queue/error-reports.js';
import { openQueues, type Queues } from '../queue/queues.js';
import { type ClusterClientFactory, ClusterClients } from '../reconcile/cluster-clients.js';
import { ClusterLeases } from '../reconcile/cluster-leases.js';
import { FleetView } from '../reconcile/fleet-view.js';
import { WatchedStatusChecks } from '../reconcile/watched-status-checks.js';
import type { ObjectCodec } from '../store/codec.js';
import { ResourceStore } from '../store/resource-store.js';
import { connectRedis, redisOptions } from './redis-connection.js';

/** Settings of a control-plane worker. */
export interface WorkerProps {
  readonly redisUrl: string;
  /** Store key prefix (default `fg`) and BullMQ prefix (default `{fgq}`). */
  readonly storePrefix?: string;
  readonly queuePrefix?: string;
  /** How Secrets are kept at rest: the API's keys, to read sealed Secrets. Default: as they are. */
  readonly secrets?: ObjectCodec;
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
  /** How often the cloud inventory of clusters with a cloud side is discovered again. Default 10 min. */
  readonly inventoryIntervalMs?: number;
  /**
   * Cloud adapters for member clusters with a cloud side (inventory discovery, peering), or how to
   * make them from the worker's store (which holds the CloudCredentials).
   */
  readonly cloud?: CloudAdapters | ((store: ResourceStore) => CloudAdapters);
  /** Runs the peering controller with these (tunnel-key vault, verifier): Peerings are set up only then. */
  readonly peering?: PeeringControllerProps;
  /** Controllers to run besides the built-in ones (each worker needs its own list). */
  readonly controllers?: readonly Controller[];
}

/** A running worker. */
export interface ControlPlaneWorker {
  readonly queues: Queues;
  readonly store: ResourceStore;
  /** Whether every one of these member clusters' workload watches is current (by whichever worker holds it). */
  watchesCurrent(clusters: readonly string[]): Promise<boolean>;
  /** Status checks backing up current workload watches, waiting in each member cluster for their time. */
  readonly deferredChecks: WatchedStatusChecks;
  close(): Promise<void>;
}

/**
 * Starts a control-plane worker: the built-in controllers (and any given) on one manager, which
 * runs their queues, the change-feed dispatch, their job schedulers and their watches. Any number
 * may run against one Redis; job ids, compare-and-set writes and level-triggered reconcilers make
 * that safe.
 */
export async function startWorker(props: WorkerProps): Promise<ControlPlaneWorker> {
  const { log } = props;
  const controllers = [
    ...builtinControllers(props),
    ...(props.peering ? [peeringController(props.peering)] : []),
    ...(props.controllers ?? []),
  ];
  // Checks the declarations (a job name owned twice, say) before anything is opened.
  ControllerManager.check(controllers);
  const storeConn = connectRedis(props.redisUrl, false, log);
  const feedConn = connectRedis(props.redisUrl, true, log);
  const store = new ResourceStore(storeConn, {
    prefix: props.storePrefix || 'fg',
    ...(props.secrets && { codec: props.secrets }),
  });
  // One reporter for the queues and the workers: an outage of Redis is logged once, not per queue.
  const errors = new QueueErrorReporter({ log });
  const queues = openQueues(storeConn, {
    ...(props.queuePrefix ? { prefix: props.queuePrefix } : {}),
    extra: ControllerManager.queueDeclarations(controllers),
    errors,
  });
  const workerId = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const leases = new ClusterLeases(
    storeConn,
    `${store.prefix}:lease:workload-watch`,
    workerId,
    props.watchLeaseMs ?? 15_000,
  );
  const deferredChecks = new WatchedStatusChecks(storeConn, store.keys);
  const cloud = typeof props.cloud === 'function' ? props.cloud(store) : props.cloud;
  let manager: ControllerManager | undefined;
  const ctx: ControllerContext = {
    store,
    redis: storeConn,
    queues,
    clients: new ClusterClients(props.clientFactory),
    fleet: new FleetView(store),
    leases,
    deferredChecks,
    clock: systemClock,
    log,
    metrics: props.metrics,
    ...(cloud ? { cloud } : {}),
    workerId,
    submit: (requests) => manager!.submit(requests),
  };
  manager = new ControllerManager(controllers, ctx, {
    // BullMQ opens (and closes) its own blocking connections from these options.
    connection: redisOptions(props.redisUrl, true) as ConnectionOptions,
    prefix: props.queuePrefix ?? '{fgq}',
    lockDurationMs: props.lockDurationMs ?? 30_000,
    stalledIntervalMs: props.stalledIntervalMs ?? 15_000,
    feedConnection: feedConn,
    errors,
  });
  try {
    await manager.start();
  } catch (err) {
    await manager.close().catch(() => undefined);
    await queues.close().catch(() => undefined);
    storeConn.disconnect();
    feedConn.disconnect();
    throw err;
  }
  log.info({ pid: process.pid, controllers: controllers.map((c) => c.name) }, 'worker started');

  return {
    queues,
    store,
    watchesCurrent: (clusters) => leases.allCurrent(clusters),
    deferredChecks,
    async close() {
      await manager.close();
      await queues.close();
      await cloud?.close();
      storeConn.disconnect();
      feedConn.disconnect();
    },
  };
}
