import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type ChangeEvent, type ResourceStore, streamEntries } from '../store/resource-store.js';
import type { ControllerContext } from './context.js';
import type { JobRequest, Watch } from './controller.js';

const GROUP = 'dispatch';

/** What the dispatcher works with. */
export interface ChangeDispatcherDeps {
  readonly store: ResourceStore;
  /** A connection of its own: reads block. */
  readonly connection: Redis;
  /** This worker's name in the consumer group. */
  readonly consumer: string;
  readonly log: Logger;
  /** The controllers' watches, each with its controller's context. */
  readonly watches: readonly { readonly watch: Watch; readonly ctx: ControllerContext }[];
  /** Adds the jobs the changes became. */
  submit(requests: readonly JobRequest[]): Promise<void>;
  /** How long an entry a dead worker claimed waits before another takes it over. Default 30 s. */
  readonly claimIdleMs?: number;
}

/**
 * Turns the store's change feed into jobs, as the controllers' watches declare. Workers share one
 * consumer group, so each change is dispatched once; entries a dead worker had claimed are taken
 * over after `claimIdleMs`. Job ids make a repeated dispatch harmless.
 */
export class ChangeDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly claimIdleMs: number;

  constructor(private readonly deps: ChangeDispatcherDeps) {
    this.claimIdleMs = deps.claimIdleMs ?? 30_000;
  }

  /** Starts following the feed. */
  async start(): Promise<void> {
    if (!(await this.groupExists())) {
      try {
        await this.deps.connection.xgroup('CREATE', this.deps.store.streamKey, GROUP, '0', 'MKSTREAM');
      } catch (err) {
        // Another worker created it meanwhile: that is what we wanted.
        if (!(await this.groupExists())) throw err;
      }
    }
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current batch. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async groupExists(): Promise<boolean> {
    try {
      const groups = (await this.deps.connection.call(
        'XINFO',
        'GROUPS',
        this.deps.store.streamKey,
      )) as unknown[][];
      return groups.some((g) => g[0] === 'name' && g[1] === GROUP);
    } catch {
      return false; // no stream yet
    }
  }

  private async run(): Promise<void> {
    const { connection, store, consumer, log } = this.deps;
    let lastClaim = 0;
    while (this.running) {
      try {
        if (Date.now() - lastClaim > this.claimIdleMs / 2) {
          lastClaim = Date.now();
          await this.claimAbandoned();
        }
        const reply = await connection.call(
          'XREADGROUP',
          'GROUP',
          GROUP,
          consumer,
          'COUNT',
          200,
          'BLOCK',
          1_000,
          'STREAMS',
          store.streamKey,
          '>',
        );
        await this.handle(streamEntries(reply));
      } catch (err) {
        if (!this.running) break;
        log.warn({ err }, 'change feed read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async claimAbandoned(): Promise<void> {
    const reply = (await this.deps.connection.call(
      'XAUTOCLAIM',
      this.deps.store.streamKey,
      GROUP,
      this.deps.consumer,
      this.claimIdleMs,
      '0-0',
      'COUNT',
      500,
    )) as [string, [string, string[]][] | null][] | unknown[];
    const entries =
      (Array.isArray(reply) ? (reply[1] as [string, string[] | null][] | undefined) : undefined) ?? [];
    // Entries trimmed from the stream come back without fields: acknowledge them, nothing to do.
    await this.handle(entries.map(([id, f]) => [id, f ?? []] as [string, string[]]));
  }

  private async handle(entries: [string, string[]][]): Promise<void> {
    if (entries.length === 0) return;
    const { store, watches } = this.deps;
    const requests: JobRequest[] = [];
    for (const [id, fields] of entries) {
      if (fields.length === 0) continue;
      // Most changes are the control plane's own (Bindings): tell them apart before decoding the object.
      const head = store.peekEvent(fields);
      const status = head.subresource === 'status';
      let event: ChangeEvent | undefined;
      for (const { watch, ctx } of watches) {
        if ((status && !watch.statusChanges) || !watch.types(head.type)) continue;
        event ??= store.parseEvent(id, fields);
        requests.push(...(await watch.map(event, ctx)));
      }
    }
    if (requests.length > 0) await this.deps.submit(requests);
    await this.deps.connection.xack(store.streamKey, GROUP, ...entries.map(([id]) => id));
  }
}
