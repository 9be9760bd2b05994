import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CloudAdapters } from '../cloud/cloud-adapters.js';
import type { Queues } from '../queue/queues.js';
import type { ClusterClients } from '../reconcile/cluster-clients.js';
import type { ClusterLeases } from '../reconcile/cluster-leases.js';
import type { FleetView } from '../reconcile/fleet-view.js';
import type { WatchedStatusChecks } from '../reconcile/watched-status-checks.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { JobRequest } from './controller.js';

/** Where time comes from (tests pass their own). */
export interface Clock {
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * What every controller works with, built once per worker process and handed to each: the store,
 * the queues, the member-cluster clients, the cached fleet, the watch leases and the status checks
 * backing the watches up, the clock, a logger and the metrics registry.
 */
export interface ControllerContext {
  readonly store: ResourceStore;
  /** The store's Redis connection (for controllers' own keys, such as leases). */
  readonly redis: Redis;
  readonly queues: Queues;
  readonly clients: ClusterClients;
  readonly fleet: FleetView;
  readonly leases: ClusterLeases;
  /** Status checks backing up current workload watches, per cluster, taken by the watch's lease holder. */
  readonly deferredChecks: WatchedStatusChecks;
  readonly clock: Clock;
  readonly log: Logger;
  /** Absent: no metrics are kept. */
  readonly metrics: Registry | undefined;
  /** The cloud adapters of member clusters with a cloud side; absent when the worker has no cloud providers. */
  readonly cloud?: CloudAdapters;
  /** This worker process, unique among the workers of one Redis. */
  readonly workerId: string;
  /** Adds jobs outside a reconcile (a watch event, say); a reconcile returns them instead. */
  submit(requests: readonly JobRequest[]): Promise<void>;
}

/** The context a controller sees: its own logger. */
export function contextFor(ctx: ControllerContext, controller: string): ControllerContext {
  return { ...ctx, log: ctx.log.child({ c: controller }) };
}
