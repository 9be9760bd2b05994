/**
 * In-memory object storage for one simulated cluster, modelled on etcd as the apiserver uses it:
 * one monotonically increasing revision per cluster stamped into every written object's
 * metadata.resourceVersion, objects keyed by group-resource / namespace / name, and a bounded
 * per-resource event history from which watches resume (older revisions answer 410 Expired).
 */
import type { KubeObject } from './types.js';

/** A change to one object. */
export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One recorded change; `previous` is the object before a MODIFIED or DELETED. */
export interface StoreEvent {
  type: StoreEventType;
  revision: number;
  groupResource: string;
  namespace: string;
  object: KubeObject;
  previous?: KubeObject;
}

/** Receives every change synchronously, after it is stored. */
export type StoreListener = (event: StoreEvent) => void;

/** Outcome of asking the history for the events after a revision. */
export type HistoryResult = { events: StoreEvent[] } | { expired: true; oldest: number };

/** Default number of events retained per resource for watch resumption. */
export const DEFAULT_HISTORY_SIZE = 1000;

// A fixed-size ring of events per resource; `evictedUpTo` is the newest revision no longer held.
class EventRing {
  private readonly buffer: StoreEvent[] = [];
  private start = 0;
  evictedUpTo = 0;

  constructor(private readonly capacity: number) {}

  push(event: StoreEvent): void {
    if (this.buffer.length < this.capacity) {
      this.buffer.push(event);
      return;
    }
    const evicted = this.buffer[this.start];
    if (evicted) this.evictedUpTo = evicted.revision;
    this.buffer[this.start] = event;
    this.start = (this.start + 1) % this.capacity;
  }

  since(revision: number): StoreEvent[] {
    const ordered = [...this.buffer.slice(this.start), ...this.buffer.slice(0, this.start)];
    // Events are in revision order: binary search would do, but histories are small.
    return ordered.filter((e) => e.revision > revision);
  }
}

/** All objects of one simulated cluster. Objects handed out must be treated as immutable. */
export class ObjectStore {
  private revision = 1;
  private readonly data = new Map<string, Map<string, Map<string, KubeObject>>>();
  private readonly histories = new Map<string, EventRing>();
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historySize = DEFAULT_HISTORY_SIZE) {}

  /** The latest revision (what a list returns as metadata.resourceVersion). */
  currentRevision(): number {
    return this.revision;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One object, or undefined. */
  get(groupResource: string, namespace: string, name: string): KubeObject | undefined {
    return this.data.get(groupResource)?.get(namespace)?.get(name);
  }

  /** Objects of a resource, in etcd key order (namespace, then name); all namespaces when namespace is undefined. */
  list(groupResource: string, namespace?: string): KubeObject[] {
    const byNamespace = this.data.get(groupResource);
    if (!byNamespace) return [];
    const namespaces = namespace === undefined ? [...byNamespace.keys()].sort() : [namespace];
    const out: KubeObject[] = [];
    for (const ns of namespaces) {
      const objects = byNamespace.get(ns);
      if (!objects) continue;
      const names = [...objects.keys()].sort();
      for (const name of names) {
        const obj = objects.get(name);
        if (obj) out.push(obj);
      }
    }
    return out;
  }

  /** Number of stored objects of a resource in a namespace (or all namespaces). */
  count(groupResource: string, namespace?: string): number {
    const byNamespace = this.data.get(groupResource);
    if (!byNamespace) return 0;
    if (namespace !== undefined) return byNamespace.get(namespace)?.size ?? 0;
    let total = 0;
    for (const objects of byNamespace.values()) total += objects.size;
    return total;
  }

  /** Group-resources that hold at least one object in the namespace. */
  groupResourcesIn(namespace: string): string[] {
    const out: string[] = [];
    for (const [gr, byNamespace] of this.data) if (byNamespace.get(namespace)?.size) out.push(gr);
    return out;
  }

  /**
   * Stores a new or changed object, stamping the next revision into metadata.resourceVersion.
   * The caller passes an object it owns (a fresh clone); the stored value is that object.
   */
  write(groupResource: string, object: KubeObject): KubeObject {
    const namespace = object.metadata.namespace ?? '';
    let byNamespace = this.data.get(groupResource);
    if (!byNamespace) {
      byNamespace = new Map();
      this.data.set(groupResource, byNamespace);
    }
    let objects = byNamespace.get(namespace);
    if (!objects) {
      objects = new Map();
      byNamespace.set(namespace, objects);
    }
    const previous = objects.get(object.metadata.name);
    this.revision += 1;
    object.metadata.resourceVersion = String(this.revision);
    objects.set(object.metadata.name, object);
    const event: StoreEvent = {
      type: previous ? 'MODIFIED' : 'ADDED',
      revision: this.revision,
      groupResource,
      namespace,
      object,
    };
    if (previous) event.previous = previous;
    this.record(event);
    return object;
  }

  /** Removes an object; the DELETED event carries it stamped with the deletion revision. */
  remove(groupResource: string, namespace: string, name: string): KubeObject | undefined {
    const objects = this.data.get(groupResource)?.get(namespace);
    const previous = objects?.get(name);
    if (!objects || !previous) return undefined;
    objects.delete(name);
    this.revision += 1;
    const object: KubeObject = {
      ...previous,
      metadata: { ...previous.metadata, resourceVersion: String(this.revision) },
    };
    this.record({ type: 'DELETED', revision: this.revision, groupResource, namespace, object, previous });
    return object;
  }

  /** Events of a resource after a revision, or `expired` when the history no longer reaches back that far. */
  eventsSince(groupResource: string, revision: number): HistoryResult {
    const ring = this.histories.get(groupResource);
    if (!ring) return { events: [] };
    if (revision < ring.evictedUpTo) return { expired: true, oldest: ring.evictedUpTo + 1 };
    return { events: ring.since(revision) };
  }

  private record(event: StoreEvent): void {
    let ring = this.histories.get(event.groupResource);
    if (!ring) {
      ring = new EventRing(this.historySize);
      this.histories.set(event.groupResource, ring);
    }
    ring.push(event);
    for (const listener of this.listeners) listener(event);
  }
}
