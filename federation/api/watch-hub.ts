import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { FedgateError } from '../errors/fedgate-error.js';
import { duplicateRedis } from '../redis/connection-factory.js';
import type { ChangeEvent, ResourceStore } from '../store/resource-store.js';

/** What a watcher wants to see. */
export interface WatchFilter {
  readonly type?: string;
  readonly namespace?: string;
}

/** Where a watcher's events go. */
export interface WatchSink {
  event(ev: ChangeEvent): void;
  /** The watch ended for a reason (e.g. `Expired`); no event follows. */
  error(err: FedgateError): void;
}

/** Options of the hub. */
export interface WatchHubProps {
  readonly store: ResourceStore;
  readonly logger: Logger;
  /** How long one blocking read waits (ms); bounds how long a stopping tail loop lingers. Default 5,000. */
  readonly blockMs?: number;
}

interface Subscriber {
  readonly filter: WatchFilter;
  readonly sink: WatchSink;
  /** Highest resourceVersion delivered (events at or below it are dropped). */
  last: number;
  /** Live events buffered while the subscriber catches up from its starting version. */
  buffer: ChangeEvent[] | undefined;
}

/**
 * One tail loop per API process over the store's change feed, on one dedicated blocking Redis
 * connection, fanned out to every watcher. A watcher starting from an older resourceVersion first
 * catches up with ordinary (non-blocking) reads while live events are buffered, then goes live.
 */
export class WatchHub {
  private readonly subs = new Set<Subscriber>();
  private conn: Redis | undefined;
  private loop: Promise<void> | undefined;
  /** Resolves to the position the loop started from. */
  private started: Promise<number> | undefined;
  private closed = false;
  private readonly blockMs: number;

  constructor(private readonly props: WatchHubProps) {
    this.blockMs = props.blockMs ?? 5_000;
  }

  /** Number of open watches. */
  get size(): number {
    return this.subs.size;
  }

  /**
   * Starts delivering events after `fromResourceVersion` that match `filter`. Returns the function
   * that stops it. Errors of the catch-up (e.g. `Expired`) go to `sink.error`.
   */
  async subscribe(fromResourceVersion: string, filter: WatchFilter, sink: WatchSink): Promise<() => void> {
    if (this.closed) throw new FedgateError('Unavailable', 'the API server is shutting down');
    const sub: Subscriber = { filter, sink, last: Number(fromResourceVersion), buffer: [] };
    this.subs.add(sub);
    const unsubscribe = () => {
      this.subs.delete(sub);
    };
    try {
      await this.ensureLoop();
      // Catch up from the requested version to the end of the feed; the loop started at or before it.
      for (;;) {
        const batch = await this.props.store.readEvents(String(sub.last), { count: 500 });
        if (!this.subs.has(sub)) return unsubscribe;
        for (const ev of batch) this.deliver(sub, ev);
        if (batch.length === 0) break;
      }
      const buffered = sub.buffer ?? [];
      sub.buffer = undefined;
      for (const ev of buffered) this.deliver(sub, ev);
    } catch (err) {
      unsubscribe();
      sink.error(asFedgateError(err));
    }
    return unsubscribe;
  }

  /** Stops the loop, ends every watch and closes the dedicated connection. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.subs)
      s.sink.error(new FedgateError('Unavailable', 'the API server is shutting down'));
    this.subs.clear();
    this.conn?.disconnect();
    await this.loop?.catch(() => undefined);
  }

  private ensureLoop(): Promise<number> {
    if (this.loop === undefined || this.started === undefined) {
      this.conn ??= duplicateRedis(this.props.store.redis, { maxRetriesPerRequest: null }, this.props.logger);
      let resolveStart!: (rv: number) => void;
      let rejectStart!: (err: unknown) => void;
      this.started = new Promise<number>((res, rej) => {
        resolveStart = res;
        rejectStart = rej;
      });
      this.loop = this.run(resolveStart, rejectStart);
    }
    return this.started;
  }

  /** Forgets the loop; called synchronously where it decides to stop, so no subscriber can join a dead loop. */
  private stopped(): void {
    this.loop = undefined;
    this.started = undefined;
  }

  private async run(resolveStart: (rv: number) => void, rejectStart: (err: unknown) => void): Promise<void> {
    let pos: number;
    try {
      pos = Number(await this.props.store.currentResourceVersion());
    } catch (err) {
      this.stopped();
      rejectStart(err);
      return;
    }
    resolveStart(pos);
    const log = this.props.logger;
    while (!this.closed && this.subs.size > 0) {
      try {
        const events = await this.props.store.readEvents(String(pos), {
          blockMs: this.blockMs,
          count: 1000,
          connection: this.conn!,
        });
        for (const ev of events) {
          pos = Number(ev.resourceVersion);
          for (const s of this.subs) {
            if (s.buffer) s.buffer.push(ev);
            else this.deliver(s, ev);
          }
        }
      } catch (err) {
        if (this.closed) break;
        if (err instanceof FedgateError && err.code === 'Expired') {
          // The loop fell behind the feed's retention: every watcher must re-list.
          log.warn({ pos }, 'watch tail loop fell behind the change feed; ending all watches');
          for (const s of this.subs) s.sink.error(err);
          this.subs.clear();
          break;
        }
        log.warn({ err }, 'watch tail loop: read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.stopped();
  }

  private deliver(sub: Subscriber, ev: ChangeEvent): void {
    const rv = Number(ev.resourceVersion);
    if (rv <= sub.last) return;
    sub.last = rv;
    if (sub.filter.type !== undefined && ev.key.type !== sub.filter.type) return;
    if (sub.filter.namespace !== undefined && ev.key.namespace !== sub.filter.namespace) return;
    try {
      sub.sink.event(ev);
    } catch (err) {
      this.props.logger.warn({ err }, 'watch sink failed; ending that watch');
      this.subs.delete(sub);
    }
  }
}

function asFedgateError(err: unknown): FedgateError {
  return err instanceof FedgateError ? err : new FedgateError('Internal', 'watch failed', [], { cause: err });
}
