import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import type { JobRequest } from '../controller/controller.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { ClusterClients } from './cluster-clients.js';
import type { ClusterLeases } from './cluster-leases.js';
import type { MemberClusterObject } from './cluster-snapshot.js';
import { ClusterWorkloadWatch } from './cluster-workload-watch.js';
import type { FleetView } from './fleet-view.js';
import type { WatchedStatusChecks } from './watched-status-checks.js';

/** The metrics of the watches, registered once per metrics registry. */
export interface WatchMetrics {
  /** Member clusters this worker watches. */
  readonly clusters: Gauge;
  /** Binding statuses changed from watch events, by cluster. */
  readonly updates: Counter<'cluster'>;
}

/** What the watcher works with. */
export interface WorkloadStatusWatcherDeps {
  readonly store: ResourceStore;
  readonly fleet: FleetView;
  readonly clients: ClusterClients;
  readonly leases: ClusterLeases;
  /** The status checks backing up the watches: each round takes the due ones of the clusters held. */
  readonly checks?: WatchedStatusChecks;
  /** Adds jobs (heals of objects deleted in a cluster, status passes of due checks). */
  readonly submit: (requests: readonly JobRequest[]) => Promise<void>;
  readonly log: Logger;
  readonly metrics?: WatchMetrics;
  readonly now?: () => number;
}

interface Held {
  /** The cluster's connection the watch was opened with. */
  readonly connection: string;
  readonly watch: ClusterWorkloadWatch;
  /** When the lease was last renewed (or taken). */
  renewedAt: number;
}

/**
 * Run by every worker: for each Ready member cluster, tries to take the cluster's lease and, while
 * it holds it, watches the workloads fedgate placed there (ClusterWorkloadWatch), so exactly one
 * worker watches each cluster. Leases are renewed every third of their TTL; a cluster that is
 * removed, not Ready, or whose connection changed is let go, and a lease that could not be renewed
 * for a whole TTL (Redis unreachable) stops the watch, since another worker may hold it by then.
 * Each round also takes the due status checks of the clusters held (see WatchedStatusChecks).
 */
export class WorkloadStatusWatcher {
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly deps: WorkloadStatusWatcherDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Starts the periodic lease round. */
  start(): void {
    this.timer = setInterval(() => void this.round(), Math.max(50, this.deps.leases.ttlMs / 3));
    void this.round();
  }

  /** One round: renew what is held, let go of what must go, take what is free (never two rounds at once). */
  async round(): Promise<void> {
    if (this.closed) return;
    this.running ??= this.reconcile()
      .catch((err: unknown) =>
        this.deps.log.warn({ err: (err as Error).message }, 'workload watch leases: round failed'),
      )
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }

  /** Stops every watch and releases its lease. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
    await Promise.all([...this.held.keys()].map((c) => this.letGo(c, true)));
  }

  private async reconcile(): Promise<void> {
    await this.renewAll();
    const ready = new Map<string, MemberClusterObject>();
    for (const mc of (await this.deps.fleet.current()).clusters.values()) {
      if (mc.status?.conditions.find((c) => c.type === 'Ready')?.status === 'True')
        ready.set(mc.metadata.name, mc);
    }
    for (const [name, h] of this.held) {
      const mc = ready.get(name);
      if (!mc || connectionOf(mc) !== h.connection) await this.letGo(name, true);
    }
    for (const [name, mc] of ready) {
      if (this.closed || this.held.has(name)) continue;
      if (!(await this.deps.leases.acquire(name))) continue;
      const watch = new ClusterWorkloadWatch(name, this.deps.clients.get(mc), {
        store: this.deps.store,
        submit: this.deps.submit,
        log: this.deps.log,
        now: this.now,
        onUpdate: (cluster) => this.deps.metrics?.updates.inc({ cluster }),
      });
      this.held.set(name, { connection: connectionOf(mc), watch, renewedAt: this.now() });
      this.deps.log.info({ cluster: name }, 'watching workloads');
    }
    // Mark which watches are caught up: propagation passes check those clusters less often.
    for (const [name, h] of this.held) await this.deps.leases.markCurrent(name, h.watch.current);
    this.deps.metrics?.clusters.set(this.held.size);
    await Promise.all([...this.held.keys()].map((name) => this.takeDueChecks(name)));
  }

  /** Takes a held cluster's due status checks; a failure leaves them for the next round. */
  private async takeDueChecks(cluster: string): Promise<void> {
    const { checks, submit, log } = this.deps;
    if (!checks || this.closed) return;
    try {
      const due = await checks.takeDue(cluster, this.now());
      if (!due) return;
      if (due.jobs.length > 0) await submit(due.jobs);
      await due.settle();
    } catch (err) {
      log.warn({ cluster, err: (err as Error).message }, 'status checks backing up the watch: round failed');
    }
  }

  /**
   * Renews every lease held, first and whatever else fails: a lease lost to another worker stops
   * its watch, and so does one Redis could not renew for a whole TTL (another may hold it by now).
   */
  private async renewAll(): Promise<void> {
    const { leases } = this.deps;
    for (const [name, h] of this.held) {
      const renewed = await leases.renew(name).catch(() => undefined);
      if (renewed) h.renewedAt = this.now();
      else if (renewed === false || this.now() - h.renewedAt >= leases.ttlMs) await this.letGo(name, false);
    }
  }

  private async letGo(cluster: string, release: boolean): Promise<void> {
    const h = this.held.get(cluster);
    if (!h) return;
    h.watch.stop();
    this.held.delete(cluster);
    await this.deps.leases.markCurrent(cluster, false).catch(() => undefined);
    this.deps.metrics?.clusters.set(this.held.size);
    this.deps.log.info({ cluster }, 'stopped watching workloads');
    if (release) await this.deps.leases.release(cluster).catch(() => undefined);
  }
}

function connectionOf(mc: MemberClusterObject): string {
  return JSON.stringify(mc.spec.connection);
}
