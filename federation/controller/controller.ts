/**
 * The controller contract. A controller declares what it owns and what it reacts to; the manager
 * (manager.ts) runs the queues, the change feed, the schedules and the retries around it:
 * - the queue(s) it takes jobs from, and which job names there are its own;
 * - what it watches: which kinds' changes in the store become which jobs;
 * - its schedules (BullMQ job schedulers);
 * - `reconcile(job, ctx)`, which returns an outcome naming what to do next (run again later,
 *   follow-up jobs) instead of adding jobs itself;
 * - optionally a long-running part (`start`), such as the workload watches.
 * Adding a controller is a folder under federation/controllers/ and one line in its index.
 */
import type { Job, JobsOptions } from 'bullmq';
import type { ChangeEvent } from '../store/resource-store.js';
import type { ControllerContext } from './context.js';

/** A queue a controller takes jobs from. */
export interface QueueDeclaration {
  readonly name: string;
  /** Job names on this queue that are this controller's; absent: every job of the queue. */
  readonly jobs?: readonly string[];
  /** Jobs one worker process runs at once (controllers sharing a queue must agree, or leave it to one). */
  readonly concurrency?: number;
  /** Default options of jobs added to this queue (retries, retention). */
  readonly jobOptions?: JobsOptions;
}

/** A job to add: to which queue, under which name and id, with what payload. */
export interface JobRequest<T = unknown> {
  readonly queue: string;
  readonly name: string;
  readonly data: T;
  /** Deduplicates (see job-ids.ts): a job whose id the queue still holds is not added again. */
  readonly id: string;
  /** Runs it after this long. */
  readonly delayMs?: number;
  /** Overrides the queue's retries (1: a failure is not retried). */
  readonly attempts?: number;
}

/** What a reconcile asks for next; the manager adds the jobs after it returns. */
export interface Outcome<R = unknown> {
  /** The job's result (kept by BullMQ as its return value, and returned to tests). */
  readonly result: R;
  /** Run this job again after a delay, under a new id (the payload may be changed). */
  readonly requeue?: {
    readonly afterMs: number;
    readonly id: string;
    readonly name?: string;
    readonly data?: unknown;
  };
  /** Jobs to add now (or delayed). */
  readonly followUps?: readonly JobRequest[];
  /**
   * Work that must only happen once the follow-ups are queued (deleting a Binding after its prune
   * jobs are safe in the queue: a crash in between leaves them to run).
   */
  readonly afterFollowUps?: () => Promise<void>;
}

/** One change of the store a controller reacts to. */
export interface Watch {
  /** Whether changes of this type key concern the watch (tested before the event is decoded). */
  readonly types: (typeKey: string) => boolean;
  /** Also status-only writes (default: spec changes only). */
  readonly statusChanges?: boolean;
  /** The jobs a change becomes. */
  map(event: ChangeEvent, ctx: ControllerContext): readonly JobRequest[] | Promise<readonly JobRequest[]>;
}

/** A job added periodically by a BullMQ job scheduler (one per id, whatever the number of workers). */
export interface Schedule {
  /** The scheduler's id. */
  readonly id: string;
  readonly queue: string;
  /** Period; 0 removes the scheduler. */
  readonly everyMs: number;
  readonly job: { readonly name: string; readonly data: unknown };
}

/** A long-running part of a controller (a watch of member clusters, say). */
export interface Running {
  stop(): Promise<void>;
}

/** A controller: declarations and a reconcile function. */
export interface Controller {
  /** Unique; used in logs and metrics. */
  readonly name: string;
  readonly queues?: readonly QueueDeclaration[];
  readonly watches?: readonly Watch[];
  readonly schedules?: readonly Schedule[];
  /** Reconciles one job of a queue it owns. */
  reconcile?(job: Job, ctx: ControllerContext): Promise<Outcome>;
  /** Runs once the queues are up, before the change feed is followed (an index to build, say). */
  setup?(ctx: ControllerContext): Promise<void>;
  /** Starts the long-running part, after setup. */
  start?(ctx: ControllerContext): Running | Promise<Running>;
}

/** Declares a controller (typed identity: the declaration is checked where it is written). */
export function defineController<C extends Controller>(controller: C): C {
  return controller;
}

/** An outcome with nothing to do next. */
export function done<R>(result: R, followUps: readonly JobRequest[] = []): Outcome<R> {
  return followUps.length > 0 ? { result, followUps } : { result };
}
