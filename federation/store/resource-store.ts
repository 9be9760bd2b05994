import type { Redis } from 'ioredis';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import { type ChangeEvent, ChangeFeed } from './change-feed.js';
import type { ObjectCodec } from './codec.js';
import { SecretCodec } from './encryption/secret-codec.js';
import { IndexReader } from './index-reader.js';
import { type IndexDefinition, IndexRegistry } from './indexes.js';
import { StoreKeys } from './keys.js';
import { MemberStatus, sortedStatuses } from './member-status.js';
import { type Applied, type ListOptions, ObjectStore, type WriteOptions } from './objects.js';
import { ALL_NAMESPACES, REFERENCE_INDEX } from './references.js';
import { callScript, defineStoreCommands } from './scripts.js';

export type { ChangeEvent } from './change-feed.js';
export { streamEntries } from './change-feed.js';
export type { Applied, ListOptions, WriteOptions } from './objects.js';

/** Options of the store. */
export interface ResourceStoreProps {
  /** Key prefix; wrapped in a hash tag so every key lands in one Redis Cluster slot. Default `fg`. */
  readonly prefix?: string;
  /**
   * How many change events the stream keeps (approximately). Default 10,000: each event carries
   * the whole object, so this bounds the feed's memory (~25 MiB at 2.5 KiB per object). A watcher
   * or dispatcher further behind than this gets Expired and relists; the periodic resync covers
   * anything the dispatcher missed.
   */
  readonly eventRetention?: number;
  /**
   * How objects are kept at rest. Default: Secrets stored as they are (a sealed one cannot be read);
   * `new SecretCodec({ config })` (encryption/) seals Secret data with the operator's keys.
   */
  readonly codec?: ObjectCodec;
  /** Secondary indexes besides the reference index, which every store keeps. */
  readonly indexes?: readonly IndexDefinition[];
}

/** Default of ResourceStoreProps.eventRetention. */
export const DEFAULT_EVENT_RETENTION = 10_000;

/**
 * The desired-state store on Redis, by responsibility: `objects` (CRUD, compare-and-set,
 * generation rules), `feed` (the change stream controllers and watchers follow), `memberStatus`
 * (what each member cluster reports about an object, for any kind) and `indexes` (secondary
 * indexes registered per kind; the reference index is one). The methods below are the store's
 * long-standing interface, each a call into one of those parts.
 */
export class ResourceStore {
  /** The hash tag every key starts with, e.g. `{fg}`. */
  readonly prefix: string;
  readonly keys: StoreKeys;
  readonly objects: ObjectStore;
  readonly feed: ChangeFeed;
  readonly memberStatus: MemberStatus;
  readonly indexes: IndexReader;
  readonly indexRegistry: IndexRegistry;

  constructor(
    readonly redis: Redis,
    props: ResourceStoreProps = {},
  ) {
    this.keys = new StoreKeys(props.prefix ?? 'fg');
    this.prefix = this.keys.prefix;
    const codec = props.codec ?? new SecretCodec({ plaintext: 'allow' });
    defineStoreCommands(redis);
    this.indexRegistry = new IndexRegistry([REFERENCE_INDEX, ...(props.indexes ?? [])]);
    this.objects = new ObjectStore({
      redis,
      keys: this.keys,
      codec,
      indexes: this.indexRegistry,
      retention: props.eventRetention ?? DEFAULT_EVENT_RETENTION,
    });
    this.feed = new ChangeFeed(redis, this.keys, codec);
    this.memberStatus = new MemberStatus(redis, this.keys);
    this.indexes = new IndexReader(redis, this.keys, this.indexRegistry, this.objects);
  }

  /** The Redis key of the change stream. */
  get streamKey(): string {
    return this.feed.streamKey;
  }

  /** Reads one object, or undefined. */
  get(key: ObjectKey): Promise<KubeObject | undefined> {
    return this.objects.get(key);
  }

  /** Reads one object or throws `NotFound`. */
  mustGet(key: ObjectKey): Promise<KubeObject> {
    return this.objects.mustGet(key);
  }

  /** Lists objects of a type, optionally in one namespace and matching a label selector, sorted by namespace and name. */
  list(type: string, opts: ListOptions = {}): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    return this.objects.list(type, opts);
  }

  /**
   * The objects of `type` that hold `reference` in `scope` (see references.ts): Bindings in a
   * namespace whose workload depends on a ConfigMap, or Bindings of every namespace that place their
   * workload in a cluster (scope ALL_NAMESPACES), sorted by namespace and name.
   */
  referrers(type: string, scope: string, reference: string): Promise<KubeObject[]> {
    const namespace = scope === ALL_NAMESPACES ? undefined : scope;
    return this.indexes.lookup(REFERENCE_INDEX.name, type, `${scope}:${reference}`, namespace);
  }

  /**
   * Completes the reference index for objects written before the store kept one (a store from an
   * earlier fedgate), then marks it complete; idempotent and safe beside other writers. Returns
   * how many objects it indexed.
   */
  indexReferences(types: readonly string[]): Promise<number> {
    return this.indexes.backfill(REFERENCE_INDEX.name, types);
  }

  /** Creates an object; `AlreadyExists` when one is stored under its key. */
  create(key: ObjectKey, object: KubeObject): Promise<KubeObject> {
    return this.objects.create(key, object);
  }

  /** Replaces an object's spec and metadata, keeping its status; generation goes up when the spec changes. */
  update(key: ObjectKey, object: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    return this.objects.update(key, object, opts);
  }

  /** Creates the object or updates the stored one (what `apply` does). Returns the result and what happened. */
  apply(
    key: ObjectKey,
    object: KubeObject,
  ): Promise<{ object: KubeObject; action: 'created' | 'configured' | 'unchanged' }> {
    return this.objects.apply(key, object);
  }

  /** `apply` of many objects, in order, pipelined (see ObjectStore.applyMany). */
  applyMany(items: readonly { readonly key: ObjectKey; readonly object: KubeObject }[]): Promise<Applied[]> {
    return this.objects.applyMany(items);
  }

  /** Writes an object's spec and status as one change (see ObjectStore.save). */
  save(key: ObjectKey, object: KubeObject, current?: KubeObject): Promise<KubeObject> {
    return this.objects.save(key, object, current);
  }

  /** Replaces the status of an object, leaving spec and generation alone. */
  updateStatus(key: ObjectKey, status: unknown, opts: WriteOptions = {}): Promise<KubeObject> {
    return this.objects.updateStatus(key, status, opts);
  }

  /** Deletes an object and returns its last state; `NotFound` when absent. */
  delete(key: ObjectKey, opts: WriteOptions = {}): Promise<KubeObject> {
    return this.objects.delete(key, opts);
  }

  /** Records what one member cluster reports for a binding; true when it changed. */
  setClusterStatus(bindingKey: ObjectKey, cluster: string, status: object | undefined): Promise<boolean> {
    return this.memberStatus.set(bindingKey, cluster, status);
  }

  /** Records a cluster's status of a binding only if the stored one is still `expected` (see MemberStatus.replace). */
  replaceClusterStatus(
    bindingKey: ObjectKey,
    cluster: string,
    expected: object | undefined,
    status: object | undefined,
  ): Promise<'changed' | 'unchanged' | 'conflict' | 'gone'> {
    return this.memberStatus.replace(bindingKey, cluster, expected, status);
  }

  /** One member cluster's recorded status of a binding, or undefined. */
  clusterStatus<T>(bindingKey: ObjectKey, cluster: string): Promise<T | undefined> {
    return this.memberStatus.get<T>(bindingKey, cluster);
  }

  /** Every member cluster's recorded status of a binding, sorted by cluster. */
  clusterStatuses<T>(bindingKey: ObjectKey): Promise<T[]> {
    return this.memberStatus.all<T>(bindingKey);
  }

  /**
   * Reads several objects, optionally one object's status in one member (or in every member), and
   * the versions of some types, in one command (a read script): what a reconcile pass needs before
   * it can act.
   */
  async readMany<S>(req: {
    readonly objects: readonly ObjectKey[];
    readonly clusterStatus?: { readonly key: ObjectKey; readonly cluster: string };
    /** Every cluster's status of this binding, sorted by cluster. */
    readonly clusterStatuses?: ObjectKey;
    readonly typeVersions?: readonly string[];
  }): Promise<{
    objects: (KubeObject | undefined)[];
    clusterStatus: S | undefined;
    clusterStatuses: S[];
    typeVersions: string[];
  }> {
    const types = req.typeVersions ?? [];
    const keys = req.objects.map((k) => this.keys.object(k));
    const status = req.clusterStatus
      ? { key: req.clusterStatus.key, mode: 'one', cluster: req.clusterStatus.cluster }
      : req.clusterStatuses
        ? { key: req.clusterStatuses, mode: 'all', cluster: '' }
        : undefined;
    if (status) keys.push(this.keys.memberStatus(status.key));
    if (types.length > 0) keys.push(this.keys.typeVersions);
    const results = await callScript<unknown[]>(this.redis, 'fgRead', [
      String(keys.length),
      ...keys,
      String(req.objects.length),
      status?.mode ?? '',
      status?.cluster ?? '',
      ...types,
    ]);
    const objects = req.objects.map((k, i) => {
      const [body, rv] = (results[i] ?? []) as (string | null)[];
      return body == null || rv == null ? undefined : this.objects.decode(k, body);
    });
    let at = req.objects.length;
    let clusterStatus: S | undefined;
    if (req.clusterStatus) {
      const v = results[at++] as string | null | undefined;
      clusterStatus = v == null ? undefined : (JSON.parse(v) as S);
    }
    let clusterStatuses: S[] = [];
    if (!req.clusterStatus && req.clusterStatuses) {
      const flat = (results[at++] ?? []) as string[];
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
      clusterStatuses = sortedStatuses<S>(pairs);
    }
    const typeVersions =
      types.length > 0 ? ((results[at] ?? []) as (string | null)[]).map((v) => v ?? '0') : [];
    return { objects, clusterStatus, clusterStatuses, typeVersions };
  }

  /** The resourceVersion of the latest write to each type ('0' when never written). */
  typeVersions(types: readonly string[]): Promise<string[]> {
    return this.objects.typeVersions(types);
  }

  /** Every type key ever written to this store. */
  types(): Promise<string[]> {
    return this.objects.types();
  }

  /** The resourceVersion of the latest write. */
  currentResourceVersion(): Promise<string> {
    return this.objects.currentResourceVersion();
  }

  /**
   * Reads change events after `fromResourceVersion`, waiting up to `blockMs` for one. Throws
   * `Expired` when events after that version were already trimmed (re-list, then watch again).
   */
  readEvents(
    fromResourceVersion: string,
    opts: { count?: number; blockMs?: number; connection?: Redis } = {},
  ): Promise<ChangeEvent[]> {
    return this.feed.read(fromResourceVersion, opts);
  }

  /** The type key and subresource of one stream entry, without decoding its object. */
  peekEvent(fields: readonly string[]): { readonly type: string; readonly subresource: string } {
    return this.feed.peek(fields);
  }

  /** Decodes one stream entry; its id is the resourceVersion of the change. */
  parseEvent(id: string, fields: readonly string[]): ChangeEvent {
    return this.feed.parse(id, fields);
  }
}
