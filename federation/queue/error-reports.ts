import type { Logger } from 'pino';
import { isRedisUnavailable } from '../redis/connection-factory.js';

/** What emits BullMQ's 'error' events: a Queue, a Worker, a QueueEvents. */
export interface ErrorEmitter {
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** Where an error came from, for the log line. */
export interface ErrorSource {
  readonly queue: string;
  readonly role: 'queue' | 'worker' | 'events';
}

/** Options of a QueueErrorReporter. */
export interface QueueErrorReporterProps {
  readonly log: Logger;
  /** An outage ends once this long passed without a connection error; the next is reported again. Default 30 s. */
  readonly quietMs?: number;
  /** Any other error is logged at most once per message per this long. Default 60 s. */
  readonly repeatMs?: number;
  readonly now?: () => number;
}

/** Errors of a connection dropped mid-write, besides those `isRedisUnavailable` knows. */
const DROPPED = /\bEPIPE\b/;

/** Distinct messages of other errors remembered at most (the oldest is forgotten first). */
const MAX_MESSAGES = 100;

/**
 * Reports the errors of a process's BullMQ queues, workers and queue events through its logger
 * without flooding it. While Redis is away BullMQ emits an error for every failed reconnect of
 * every connection (and prints each on the console when nothing listens, or fails on an
 * unhandled 'error'). A connection error is logged once per outage, by whichever queue saw it
 * first; the outage lasts until `quietMs` pass without one. Any other error is logged once per
 * message per `repeatMs`, with how many were left out before it.
 */
export class QueueErrorReporter {
  private readonly log: Logger;
  private readonly quietMs: number;
  private readonly repeatMs: number;
  private readonly now: () => number;
  /** Connection errors before this time belong to the outage already reported. */
  private outageUntil = 0;
  private outageErrors = 0;
  private readonly messages = new Map<string, { at: number; left: number }>();

  constructor(props: QueueErrorReporterProps) {
    this.log = props.log;
    this.quietMs = props.quietMs ?? 30_000;
    this.repeatMs = props.repeatMs ?? 60_000;
    this.now = props.now ?? Date.now;
  }

  /** Listens to the errors of a queue, worker or queue events. */
  watch(emitter: ErrorEmitter, source: ErrorSource): void {
    emitter.on('error', (err) => this.report(err, source));
  }

  /** Logs one error, or counts it when it repeats what was logged. */
  report(err: Error, source: ErrorSource): void {
    const now = this.now();
    const { message } = err; // (the guard below narrows err away in its else branch)
    if (isRedisUnavailable(err) || DROPPED.test(message)) {
      const ongoing = now < this.outageUntil;
      this.outageUntil = now + this.quietMs;
      if (ongoing) {
        this.outageErrors++;
        return;
      }
      const before = this.outageErrors;
      this.outageErrors = 0;
      this.log.warn(
        { ...source, err: err.message, ...(before > 0 ? { suppressedLastOutage: before } : {}) },
        'Redis unreachable for the job queues; BullMQ reconnects, jobs wait',
      );
      return;
    }
    const seen = this.messages.get(message);
    if (seen && now - seen.at < this.repeatMs) {
      seen.left++;
      return;
    }
    this.messages.delete(message);
    if (this.messages.size >= MAX_MESSAGES) this.messages.delete(this.messages.keys().next().value!);
    this.messages.set(message, { at: now, left: 0 });
    this.log.error(
      { ...source, err: message, ...(seen?.left ? { repeated: seen.left } : {}) },
      'queue error',
    );
  }
}
