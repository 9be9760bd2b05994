import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { BindingObject } from '../../federation/reconcile/placement-reconciler.js';
import { type BindingClusterStatus, bindingNameFor } from '../../federation/resources/binding.js';
import { BINDING_TYPE } from '../../federation/resources/kinds.js';
import type { ObjectKey } from '../../federation/resources/kube-object.js';
import type { ResourceStore } from '../../federation/store/resource-store.js';

/** A template the tracker waits for. */
export interface TrackedTemplate {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The template generation every target cluster must report applied. */
  readonly generation: number;
}

interface Pending {
  readonly key: ObjectKey;
  readonly generation: number;
  readonly resolve: (at: number) => void;
  checking: boolean;
  dirty: boolean;
  /** The binding's target clusters once it is Scheduled at the generation; re-read when the binding changes. */
  targets: string[] | undefined;
}

/**
 * Tells when templates are placed and applied in every target cluster, as `fedgate up` reads it
 * (the Binding is Scheduled and each of its clusters reports phase Applied), at the template's
 * generation. It follows Redis keyspace notifications of the Binding objects and their per-cluster
 * status hashes, so a template is re-checked (two reads) only when its binding changed, not polled;
 * a slow sweep is a safety net. Times are `performance.now()` when the check saw it applied.
 */
export class AppliedTracker {
  private readonly pending = new Map<string, Pending>();
  private sweep: NodeJS.Timeout | undefined;
  /** Redis reads the tracker made, to show the measurement's own share of the load. */
  reads = 0;

  /**
   * @param store a store on its own connection (reads only)
   * @param subscriber a connection the tracker may put in subscriber mode
   * @param sweepMs how often every pending template is read regardless of notifications (a safety
   *   net: with a thousand pending, a sweep every 2 s made more reads than the control plane)
   */
  constructor(
    private readonly store: ResourceStore,
    private readonly subscriber: Redis,
    private readonly sweepMs = 10_000,
  ) {}

  /** Turns on keyspace notifications for hashes and subscribes to the bindings' keys. */
  async start(): Promise<void> {
    await this.store.redis.config('SET', 'notify-keyspace-events', 'Kh');
    const pattern = `__keyspace@*__:${this.store.prefix}:*:${BINDING_TYPE}:*`;
    this.subscriber.on('pmessage', (_p: string, channel: string) => this.onChange(channel));
    await this.subscriber.psubscribe(pattern);
    this.sweep = setInterval(() => {
      for (const id of this.pending.keys()) this.check(id);
    }, this.sweepMs);
  }

  /** How many templates are not applied everywhere yet. */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves with the time the template was seen applied in every target cluster. */
  expect(t: TrackedTemplate): Promise<number> {
    const key: ObjectKey = {
      type: BINDING_TYPE,
      namespace: t.namespace,
      name: bindingNameFor(t.kind, t.name),
    };
    const id = `${key.namespace}:${key.name}`;
    return new Promise<number>((resolve) => {
      this.pending.get(id)?.resolve(Number.NaN); // superseded by a newer generation
      this.pending.set(id, {
        key,
        generation: t.generation,
        resolve,
        checking: false,
        dirty: false,
        targets: undefined,
      });
      // It may have been applied before we started waiting.
      this.check(id);
    });
  }

  /** Stops waiting for what is pending: those templates resolve with NaN. */
  abandon(): void {
    for (const p of this.pending.values()) p.resolve(Number.NaN);
    this.pending.clear();
  }

  /** Stops following; pending templates are resolved with NaN. */
  async close(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.abandon();
    await this.subscriber.punsubscribe().catch(() => undefined);
  }

  private onChange(channel: string): void {
    // __keyspace@0__:{fg}:cs:Binding.v1alpha1.fedgate.dev:<namespace>:<name>
    const i = channel.indexOf(`:${BINDING_TYPE}:`);
    if (i < 0) return;
    const p = this.pending.get(channel.slice(i + BINDING_TYPE.length + 2));
    if (!p) return;
    // The binding itself changed (not only a cluster's status): read its targets again.
    if (channel.slice(0, i).endsWith(':o')) p.targets = undefined;
    this.check(channel.slice(i + BINDING_TYPE.length + 2));
  }

  /** One check at a time per template; a change seen meanwhile triggers one more. */
  private check(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (p.checking) {
      p.dirty = true;
      return;
    }
    p.checking = true;
    p.dirty = false;
    this.appliedEverywhere(p)
      .then((applied) => {
        p.checking = false;
        if (applied && this.pending.get(id) === p) {
          this.pending.delete(id);
          p.resolve(performance.now());
        } else if (p.dirty) this.check(id);
      })
      .catch(() => {
        p.checking = false;
      });
  }

  private async appliedEverywhere(p: Pending): Promise<boolean> {
    const [binding, statuses] = await Promise.all([
      p.targets ? undefined : (this.store.get(p.key) as Promise<BindingObject | undefined>),
      this.store.clusterStatuses<BindingClusterStatus>(p.key),
    ]);
    this.reads += p.targets ? 1 : 2;
    if (!p.targets) {
      if (!binding?.status?.conditions.some((c) => c.type === 'Scheduled' && c.status === 'True'))
        return false;
      if ((binding.spec.resource.generation ?? 0) < p.generation || binding.spec.clusters.length === 0)
        return false;
      p.targets = binding.spec.clusters.map((c) => c.name);
    }
    const byCluster = new Map(statuses.map((s) => [s.cluster, s]));
    return p.targets.every((name) => {
      const s = byCluster.get(name);
      return s?.phase === 'Applied' && (s.appliedGeneration ?? 0) >= p.generation;
    });
  }
}
