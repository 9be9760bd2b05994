import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PlacementJob, Queues } from '../queue/queues.js';
import { jobIds } from '../queue/queues.js';
import { MEMBER_CLUSTER_TYPE, PLACEMENT_POLICY_TYPE } from '../resources/kinds.js';
import { isFedgateType, parseTypeKey } from '../resources/resource-type.js';
import { type ChangeEvent, type ResourceStore, streamEntries } from '../store/resource-store.js';
import { enqueueAllTemplates } from './template-jobs.js';

const GROUP = 'dispatch';

/** Changes that make jobs: workload templates, policies and clusters (not Bindings, say). */
function dispatched(type: string): boolean {
  return type === PLACEMENT_POLICY_TYPE || type === MEMBER_CLUSTER_TYPE || !isFedgateType(parseTypeKey(type));
}

/**
 * Turns the store's change feed into queue jobs. Workers share one consumer group, so each change
 * is dispatched once; entries a dead worker had claimed are taken over after `claimIdleMs`.
 * Job ids make a repeated dispatch harmless.
 */
export class ChangeDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: ResourceStore,
    private readonly queues: Queues,
    private readonly connection: Redis,
    private readonly consumer: string,
    private readonly log: Logger,
    private readonly claimIdleMs = 30_000,
  ) {}

  /** Starts following the feed. */
  async start(): Promise<void> {
    try {
      await this.connection.xgroup('CREATE', this.store.streamKey, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current batch. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastClaim = 0;
    while (this.running) {
      try {
        if (Date.now() - lastClaim > this.claimIdleMs / 2) {
          lastClaim = Date.now();
          await this.claimAbandoned();
        }
        const reply = await this.connection.call(
          'XREADGROUP',
          'GROUP',
          GROUP,
          this.consumer,
          'COUNT',
          200,
          'BLOCK',
          1_000,
          'STREAMS',
          this.store.streamKey,
          '>',
        );
        await this.handle(streamEntries(reply));
      } catch (err) {
        if (!this.running) break;
        this.log.warn({ err }, 'change feed read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async claimAbandoned(): Promise<void> {
    const reply = (await this.connection.call(
      'XAUTOCLAIM',
      this.store.streamKey,
      GROUP,
      this.consumer,
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
    const placements: { name: string; data: PlacementJob; opts: { jobId: string } }[] = [];
    for (const [id, fields] of entries) {
      if (fields.length === 0) continue;
      // Most changes are the control plane's own (Bindings): tell them apart before decoding the object.
      const head = this.store.peekEvent(fields);
      if (head.subresource === 'status' || !dispatched(head.type)) continue;
      const ev = this.store.parseEvent(id, fields);
      const job = this.jobFor(ev);
      if (job) placements.push(job);
      else await this.fanOut(ev);
    }
    if (placements.length > 0) await this.queues.placement.addBulk(placements);
    await this.connection.xack(this.store.streamKey, GROUP, ...entries.map(([id]) => id));
  }

  private jobFor(ev: ChangeEvent): { name: string; data: PlacementJob; opts: { jobId: string } } | undefined {
    if (isFedgateType(parseTypeKey(ev.key.type))) return undefined;
    const data: PlacementJob = { type: ev.key.type, namespace: ev.key.namespace, name: ev.key.name };
    const trigger = ev.type === 'DELETED' ? `-del${ev.resourceVersion}` : '';
    const uid = ev.object.metadata.uid ?? '';
    return {
      name: 'place',
      data,
      opts: { jobId: jobIds.placement(data, uid, ev.object.metadata.generation ?? 1, trigger) },
    };
  }

  /** A policy or cluster change can move any template. */
  private async fanOut(ev: ChangeEvent): Promise<void> {
    if (ev.key.type === PLACEMENT_POLICY_TYPE) {
      await enqueueAllTemplates(this.store, this.queues, `-p${ev.resourceVersion}`);
    } else if (ev.key.type === MEMBER_CLUSTER_TYPE) {
      if (ev.type !== 'DELETED') {
        await this.queues.maintenance.add(
          'probe',
          { kind: 'probe', cluster: ev.key.name },
          { jobId: `probe-${ev.key.name}-${ev.resourceVersion}` },
        );
      }
      await enqueueAllTemplates(this.store, this.queues, `-c${ev.resourceVersion}`);
    }
  }
}
