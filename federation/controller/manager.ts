import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Histogram } from 'prom-client';
import { isProviderError } from '../../providers/provider-error.js';
import { isFedgateError } from '../errors/fedgate-error.js';
import { QueueErrorReporter } from '../queue/error-reports.js';
import { ChangeDispatcher } from './change-dispatcher.js';
import { type ControllerContext, contextFor } from './context.js';
import type { Controller, JobRequest, Outcome, QueueDeclaration, Running } from './controller.js';

/** How the manager runs the BullMQ workers. */
export interface ManagerProps {
  /** Options BullMQ opens its own blocking connections from. */
  readonly connection: ConnectionOptions;
  readonly prefix: string;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  /** A connection of its own for the change feed (it blocks). */
  readonly feedConnection: Redis;
  /** Reports the workers' errors, rate-limited (shared with the queues'); default: one of the manager's own. */
  readonly errors?: QueueErrorReporter;
}

/** Jobs added at once (BullMQ's addBulk is one round trip). */
const BULK = 1_000;

/** Where a queue's jobs go: the controller owning each job name, or the queue's only controller. */
interface Route {
  readonly byName: Map<string, Controller>;
  any: Controller | undefined;
  concurrency: number | undefined;
}

/**
 * Runs a list of controllers: one BullMQ worker per queue they declare, each job routed to the
 * controller owning its name; the change feed routed by their watches; their schedules; their
 * long-running parts. Applies what each reconcile returns (a requeue, follow-up jobs), counts jobs,
 * and marks errors no retry can fix as unrecoverable.
 */
export class ControllerManager {
  private readonly routes = new Map<string, Route>();
  private readonly workers: Worker[] = [];
  private readonly running: Running[] = [];
  private dispatcher: ChangeDispatcher | undefined;
  /** Each controller's context (its own logger), built once: a job must not pay for a child logger. */
  private readonly contexts = new Map<Controller, ControllerContext>();
  /** Delayed jobs this process added, by id, with when each is due (it need not ask the queue again). */
  private readonly delayed = new Map<string, number>();
  private readonly metrics;
  private readonly errors: QueueErrorReporter;

  constructor(
    private readonly controllers: readonly Controller[],
    private readonly ctx: ControllerContext,
    private readonly props: ManagerProps,
  ) {
    ControllerManager.check(controllers);
    for (const c of controllers) for (const q of c.queues ?? []) addRoute(this.routes, c, q);
    for (const c of controllers) this.contexts.set(c, contextFor(ctx, c.name));
    this.errors = props.errors ?? new QueueErrorReporter({ log: ctx.log });
    const registry = ctx.metrics;
    this.metrics = registry && {
      jobs: new Counter({
        name: 'fedgate_jobs_total',
        help: 'Jobs processed by queue and outcome',
        labelNames: ['queue', 'outcome'] as const,
        registers: [registry],
      }),
      duration: new Histogram({
        name: 'fedgate_job_duration_seconds',
        help: 'Time to process one job',
        labelNames: ['queue'] as const,
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      }),
    };
  }

  /** Throws when the controllers' declarations clash (a name, a job of a queue, a concurrency). */
  static check(controllers: readonly Controller[]): void {
    const routes = new Map<string, Route>();
    const names = new Set<string>();
    for (const c of controllers) {
      if (names.has(c.name)) throw new Error(`controller ${c.name} is registered twice`);
      names.add(c.name);
      for (const q of c.queues ?? []) addRoute(routes, c, q);
    }
  }

  /** The queues the controllers declare, with their job options (to open the producers). */
  static queueDeclarations(controllers: readonly Controller[]): QueueDeclaration[] {
    return controllers.flatMap((c) => c.queues ?? []);
  }

  /** Starts the workers, runs the setups, installs the schedules, follows the feed, starts the rest. */
  async start(): Promise<void> {
    for (const [queue, route] of this.routes) {
      const w = new Worker(queue, (job) => this.process(queue, route, job), {
        connection: this.props.connection,
        prefix: this.props.prefix,
        lockDuration: this.props.lockDurationMs,
        stalledInterval: this.props.stalledIntervalMs,
        maxStalledCount: 5,
        concurrency: route.concurrency ?? 8,
      });
      w.on('failed', (job, err) =>
        this.ctx.log.warn(
          { queue, job: job?.id, attempt: job?.attemptsMade, err: err.message },
          'job failed',
        ),
      );
      this.errors.watch(w, { queue, role: 'worker' });
      this.workers.push(w);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    for (const c of this.controllers) await c.setup?.(this.contextOf(c));
    for (const c of this.controllers) {
      for (const s of c.schedules ?? []) {
        const q = this.ctx.queues.get(s.queue);
        if (s.everyMs <= 0) await q.removeJobScheduler(s.id);
        else await q.upsertJobScheduler(s.id, { every: s.everyMs }, { name: s.job.name, data: s.job.data });
      }
    }
    const watches = this.controllers.flatMap((c) =>
      (c.watches ?? []).map((watch) => ({ watch, ctx: this.contextOf(c) })),
    );
    this.dispatcher = new ChangeDispatcher({
      store: this.ctx.store,
      connection: this.props.feedConnection,
      consumer: this.ctx.workerId,
      log: this.ctx.log.child({ c: 'dispatch' }),
      watches,
      submit: (requests) => this.submit(requests),
    });
    await this.dispatcher.start();
    for (const c of this.controllers) {
      if (c.start) this.running.push(await c.start(this.contextOf(c)));
    }
  }

  /** Stops in reverse: the long-running parts, the feed, the workers. */
  async close(): Promise<void> {
    for (const r of this.running.reverse()) await r.stop();
    await this.dispatcher?.stop();
    await Promise.all(this.workers.map((w) => w.close()));
  }

  /**
   * Adds jobs, grouped per queue and in bulk. A delayed job this process already added and that is
   * not due yet is not asked for again (the queue would ignore its id anyway).
   */
  async submit(requests: readonly JobRequest[]): Promise<void> {
    const now = this.ctx.clock.now();
    const byQueue = new Map<string, JobRequest[]>();
    for (const r of requests) {
      if (r.delayMs !== undefined && r.delayMs > 0) {
        if ((this.delayed.get(r.id) ?? 0) > now) continue;
        this.forgetDue(now);
        this.delayed.set(r.id, now + r.delayMs);
      }
      const list = byQueue.get(r.queue);
      if (list) list.push(r);
      else byQueue.set(r.queue, [r]);
    }
    try {
      for (const [queue, list] of byQueue) {
        const q = this.ctx.queues.get(queue);
        for (let i = 0; i < list.length; i += BULK) {
          await q.addBulk(
            list.slice(i, i + BULK).map((r) => ({
              name: r.name,
              data: r.data,
              opts: {
                jobId: r.id,
                ...(r.delayMs ? { delay: r.delayMs } : {}),
                ...(r.attempts !== undefined ? { attempts: r.attempts } : {}),
              },
            })),
          );
        }
      }
    } catch (err) {
      for (const r of requests) if (r.delayMs) this.delayed.delete(r.id);
      throw err;
    }
  }

  private async process(queue: string, route: Route, job: Job): Promise<unknown> {
    const controller = route.byName.get(job.name) ?? route.any;
    if (!controller?.reconcile)
      throw new UnrecoverableError(`no controller handles job ${job.name} of queue ${queue}`);
    const end = this.metrics?.duration.startTimer({ queue });
    try {
      const outcome = await controller.reconcile(job, this.contextOf(controller));
      await this.apply(queue, job, outcome);
      this.metrics?.jobs.inc({ queue, outcome: 'completed' });
      return outcome.result;
    } catch (err) {
      this.metrics?.jobs.inc({ queue, outcome: 'failed' });
      const permanent = (isProviderError(err) || isFedgateError(err)) && !err.retryable;
      if (permanent) throw new UnrecoverableError((err as Error).message);
      throw err;
    } finally {
      end?.();
    }
  }

  private async apply(queue: string, job: Job, outcome: Outcome): Promise<void> {
    const again = outcome.requeue;
    const requests = [
      ...(again
        ? [
            {
              queue,
              name: again.name ?? job.name,
              data: again.data ?? job.data,
              id: again.id,
              delayMs: again.afterMs,
            },
          ]
        : []),
      ...(outcome.followUps ?? []),
    ];
    if (requests.length > 0) await this.submit(requests);
    await outcome.afterFollowUps?.();
  }

  private contextOf(c: Controller): ControllerContext {
    return this.contexts.get(c) ?? contextFor(this.ctx, c.name);
  }

  /** Drops the ids of delayed jobs due by now (bounded: never more than the jobs still waiting). */
  private forgetDue(now: number): void {
    if (this.delayed.size < 1_000) return;
    for (const [id, due] of this.delayed) if (due <= now) this.delayed.delete(id);
  }
}

/** Records which controller takes which jobs of a queue; throws on a clash. */
function addRoute(routes: Map<string, Route>, c: Controller, q: QueueDeclaration): void {
  let route = routes.get(q.name);
  if (!route) {
    route = { byName: new Map(), any: undefined, concurrency: undefined };
    routes.set(q.name, route);
  }
  if (q.concurrency !== undefined) {
    if (route.concurrency !== undefined && route.concurrency !== q.concurrency)
      throw new Error(`queue ${q.name}: controllers declare different concurrencies`);
    route.concurrency = q.concurrency;
  }
  if (!q.jobs) {
    if (route.any) throw new Error(`queue ${q.name} is owned by ${route.any.name} and ${c.name}`);
    route.any = c;
    return;
  }
  for (const name of q.jobs) {
    const owner = route.byName.get(name);
    if (owner) throw new Error(`job ${name} of queue ${q.name} is owned by ${owner.name} and ${c.name}`);
    route.byName.set(name, c);
  }
}
