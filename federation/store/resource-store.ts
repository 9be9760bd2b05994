import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Redis } from 'ioredis';
import { FedgateError } from '../errors/fedgate-error.js';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import { formatKey } from '../resources/kube-object.js';
import { isFedgateType, parseTypeKey } from '../resources/resource-type.js';
import { type LabelRequirement, matchesLabels, parseLabelSelector } from './label-selector.js';
import { ALL_NAMESPACES, keepsReferences, referencesOf } from './references.js';
import { CLUSTER_STATUS_SCRIPT, INDEX_REFERENCES_SCRIPT, READ_SCRIPT, WRITE_SCRIPT } from './scripts.js';

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
}

/** Default of ResourceStoreProps.eventRetention. */
export const DEFAULT_EVENT_RETENTION = 10_000;

/** A change to a stored object, as read from the change feed. */
export interface ChangeEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: ObjectKey;
  readonly resourceVersion: string;
  /** 'status' when only the status changed. */
  readonly subresource: '' | 'status';
  readonly object: KubeObject;
}

/** Options of a list. */
export interface ListOptions {
  readonly namespace?: string;
  readonly labelSelector?: string | readonly LabelRequirement[];
}

/** Options of a write. */
export interface WriteOptions {
  /** Refuse the write with `Conflict` unless the stored resourceVersion is this one. */
  readonly resourceVersion?: string;
}

interface StoredRecord {
  readonly object: KubeObject;
  readonly rv: string;
}

type WriteMode = 'create' | 'update' | 'delete';

/**
 * The desired-state store on Redis: Kubernetes-style objects with a global resourceVersion,
 * optimistic concurrency, generation bumped on spec changes only, status written apart from spec,
 * and a change feed (a Redis stream) that controllers and watchers follow.
 */
export class ResourceStore {
  readonly prefix: string;
  private readonly retention: number;

  constructor(
    readonly redis: Redis,
    props: ResourceStoreProps = {},
  ) {
    this.prefix = `{${props.prefix ?? 'fg'}}`;
    this.retention = props.eventRetention ?? DEFAULT_EVENT_RETENTION;
    redis.defineCommand('fgWrite', { numberOfKeys: 6, lua: WRITE_SCRIPT });
    redis.defineCommand('fgClusterStatus', { numberOfKeys: 2, lua: CLUSTER_STATUS_SCRIPT });
    redis.defineCommand('fgRead', { lua: READ_SCRIPT });
    redis.defineCommand('fgIndexReferences', { numberOfKeys: 1, lua: INDEX_REFERENCES_SCRIPT });
  }

  /** The Redis key of the change stream. */
  get streamKey(): string {
    return `${this.prefix}:events`;
  }

  /** Reads one object, or undefined. */
  async get(key: ObjectKey): Promise<KubeObject | undefined> {
    return (await this.read(key))?.object;
  }

  /** Reads one object or throws `NotFound`. */
  async mustGet(key: ObjectKey): Promise<KubeObject> {
    const obj = await this.get(key);
    if (!obj) throw notFound(key);
    return obj;
  }

  /** Lists objects of a type, optionally in one namespace and matching a label selector, sorted by namespace and name. */
  async list(
    type: string,
    opts: ListOptions = {},
  ): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const reqs =
      typeof opts.labelSelector === 'string'
        ? parseLabelSelector(opts.labelSelector)
        : (opts.labelSelector ?? []);
    const [members, rv] = await Promise.all([
      this.redis.smembers(this.indexKey(type)),
      this.currentResourceVersion(),
    ]);
    const wanted = members
      .filter((m) => opts.namespace === undefined || m.startsWith(`${opts.namespace}|`))
      .sort();
    const items: KubeObject[] = [];
    for (let i = 0; i < wanted.length; i += 500) {
      const batch = wanted.slice(i, i + 500);
      const pipe = this.redis.pipeline();
      for (const m of batch) pipe.hget(this.objectKey(memberKey(type, m)), 'obj');
      const results = (await pipe.exec()) ?? [];
      for (const [err, body] of results) {
        if (err) throw err;
        if (typeof body !== 'string') continue;
        const obj = JSON.parse(body) as KubeObject;
        if (matchesLabels(reqs, obj.metadata.labels)) items.push(obj);
      }
    }
    return { items, resourceVersion: rv };
  }

  /**
   * The objects of `type` that hold `reference` in `scope` (see references.ts): Bindings in a
   * namespace whose workload depends on a ConfigMap, or Bindings of every namespace that place their
   * workload in a cluster (scope ALL_NAMESPACES), sorted by namespace and name. One set read once
   * the index is complete (every writer keeps it; `indexReferences` completes it for objects
   * written before); a scan until then.
   */
  async referrers(type: string, scope: string, reference: string): Promise<KubeObject[]> {
    const token = `${scope}:${reference}`;
    if (!(await this.referencesIndexed())) {
      const { items } = await this.list(type, scope === ALL_NAMESPACES ? {} : { namespace: scope });
      return items.filter((o) => referencesOf(type, o).includes(token));
    }
    const members = (await this.redis.smembers(this.referencePrefix(type) + token)).sort();
    const out: KubeObject[] = [];
    for (let i = 0; i < members.length; i += 500) {
      const pipe = this.redis.pipeline();
      for (const m of members.slice(i, i + 500)) pipe.hget(this.objectKey(memberKey(type, m)), 'obj');
      for (const [err, body] of (await pipe.exec()) ?? []) {
        if (err) throw err;
        if (typeof body === 'string') out.push(JSON.parse(body) as KubeObject);
      }
    }
    return out;
  }

  /**
   * Completes the reference index for objects written before the store kept one (a store from an
   * earlier fedgate), then marks it complete; idempotent and safe beside other writers. Returns
   * how many objects it indexed.
   */
  async indexReferences(types: readonly string[]): Promise<number> {
    // Asks Redis, not the cached answer: a Redis that lost its data (no persistence) lost the mark too.
    if ((await this.redis.exists(this.referencesIndexedKey)) === 1) {
      this.indexed = true;
      return 0;
    }
    let indexed = 0;
    for (const type of types.filter(keepsReferences)) {
      const members = await this.redis.smembers(this.indexKey(type));
      for (let i = 0; i < members.length; i += 500) {
        const batch = members.slice(i, i + 500).map((m) => memberKey(type, m));
        const pipe = this.redis.pipeline();
        for (const k of batch) pipe.hmget(this.objectKey(k), 'obj', 'rv');
        const read = (await pipe.exec()) ?? [];
        const writes = this.redis.pipeline() as unknown as ReturnType<Redis['pipeline']> & {
          fgIndexReferences(...args: string[]): unknown;
        };
        let n = 0;
        for (const [j, [err, reply]] of read.entries()) {
          if (err) throw err;
          const [body, rv] = reply as [string | null, string | null];
          const k = batch[j]!;
          if (!body || !rv) continue;
          const refs = referencesOf(type, JSON.parse(body) as KubeObject);
          if (refs.length === 0) continue;
          writes.fgIndexReferences(
            this.objectKey(k),
            rv,
            this.referencePrefix(type),
            `${k.namespace}|${k.name}`,
            ...refs,
          );
          n++;
        }
        if (n === 0) continue;
        for (const [err, changed] of (await writes.exec()) ?? []) {
          if (err) throw err;
          indexed += Number(changed);
        }
      }
    }
    await this.redis.set(this.referencesIndexedKey, '1');
    this.indexed = true;
    return indexed;
  }

  private indexed = false;

  private async referencesIndexed(): Promise<boolean> {
    this.indexed ||= (await this.redis.exists(this.referencesIndexedKey)) === 1;
    return this.indexed;
  }

  /** Creates an object; `AlreadyExists` when one is stored under its key. */
  async create(key: ObjectKey, object: KubeObject): Promise<KubeObject> {
    const now = new Date().toISOString();
    const metadata = {
      ...object.metadata,
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: now,
    };
    const { status: _drop, ...rest } = object;
    return this.write('create', key, { ...rest, metadata }, '', 'ADDED', '');
  }

  /**
   * Replaces an object's spec and metadata, keeping its status. The generation goes up when the
   * spec changes (for templates: anything that reaches member clusters, labels included).
   */
  async update(key: ObjectKey, object: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    return this.retryUnconditional(opts, async () => {
      const cur = await this.read(key);
      if (!cur) throw notFound(key);
      return this.updateFrom(key, object, cur, opts.resourceVersion);
    });
  }

  /** An update computed from a record already read; the write script re-checks `expectedRv`. */
  private async updateFrom(
    key: ObjectKey,
    object: KubeObject,
    cur: StoredRecord,
    expectedRv: string | undefined,
  ): Promise<KubeObject> {
    checkExpected(key, cur.rv, expectedRv);
    const prev = cur.object;
    const changed = !isDeepStrictEqual(generationBasis(key, prev), generationBasis(key, object));
    const { status: _drop, ...rest } = object;
    const metadata = {
      ...object.metadata,
      uid: prev.metadata.uid,
      creationTimestamp: prev.metadata.creationTimestamp,
      generation: (prev.metadata.generation ?? 1) + (changed ? 1 : 0),
    };
    const next: KubeObject = {
      ...rest,
      metadata,
      ...(prev.status === undefined ? {} : { status: prev.status }),
    };
    if (isDeepStrictEqual(stripRv(next), stripRv(prev))) return prev;
    return this.write('update', key, next, cur.rv, 'MODIFIED', '');
  }

  /** Creates the object or updates the stored one (what `apply` does). Returns the result and what happened. */
  async apply(
    key: ObjectKey,
    object: KubeObject,
  ): Promise<{ object: KubeObject; action: 'created' | 'configured' | 'unchanged' }> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.read(key);
      try {
        if (!cur) return { object: await this.create(key, object), action: 'created' };
        // One read serves the comparison too; a write in between fails the script's rv check (Conflict → retry).
        const updated = await this.updateFrom(key, object, cur, cur.rv);
        return {
          object: updated,
          action: updated.metadata.resourceVersion === cur.rv ? 'unchanged' : 'configured',
        };
      } catch (err) {
        const raced =
          err instanceof FedgateError &&
          (err.code === 'AlreadyExists' || err.code === 'Conflict' || err.code === 'NotFound');
        if (!raced || attempt >= 5) throw err;
      }
    }
  }

  /**
   * Writes an object's spec and status as one change (one write, one event), for objects the
   * control plane writes whole, such as Bindings: creates it when `current` is undefined, else
   * updates `current` (compare-and-set on its resourceVersion). The generation follows the spec
   * as in `update`; the event is a status change when only the status changed; nothing is written
   * when nothing changed.
   */
  async save(key: ObjectKey, object: KubeObject, current?: KubeObject): Promise<KubeObject> {
    if (!current) {
      const metadata = {
        ...object.metadata,
        uid: randomUUID(),
        generation: 1,
        creationTimestamp: new Date().toISOString(),
      };
      return this.write('create', key, { ...object, metadata }, '', 'ADDED', '');
    }
    const rv = current.metadata.resourceVersion ?? '';
    const changed = !isDeepStrictEqual(generationBasis(key, current), generationBasis(key, object));
    const next: KubeObject = {
      ...object,
      metadata: {
        ...object.metadata,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        generation: (current.metadata.generation ?? 1) + (changed ? 1 : 0),
      },
    };
    if (isDeepStrictEqual(stripRv(next), stripRv(current))) return current;
    const { status: _n, ...nextSpec } = stripRv(next);
    const { status: _c, ...curSpec } = stripRv(current);
    const statusOnly = isDeepStrictEqual(nextSpec, curSpec);
    return this.write('update', key, next, rv, 'MODIFIED', statusOnly ? 'status' : '');
  }

  /** Replaces the status of an object, leaving spec and generation alone. */
  async updateStatus(key: ObjectKey, status: unknown, opts: WriteOptions = {}): Promise<KubeObject> {
    return this.retryUnconditional(opts, async () => {
      const cur = await this.read(key);
      if (!cur) throw notFound(key);
      checkExpected(key, cur.rv, opts.resourceVersion);
      if (isDeepStrictEqual(cur.object.status, status)) return cur.object;
      return this.write('update', key, { ...cur.object, status }, cur.rv, 'MODIFIED', 'status');
    });
  }

  /** Deletes an object and returns its last state; `NotFound` when absent. */
  async delete(key: ObjectKey, opts: WriteOptions = {}): Promise<KubeObject> {
    return this.write('delete', key, undefined, opts.resourceVersion ?? '', 'DELETED', '');
  }

  /** Records what one member cluster reports for a binding; true when it changed. */
  async setClusterStatus(
    bindingKey: ObjectKey,
    cluster: string,
    status: object | undefined,
  ): Promise<boolean> {
    const r = await this.call<number>('fgClusterStatus', [
      this.objectKey(bindingKey),
      this.clusterStatusKey(bindingKey),
      cluster,
      status === undefined ? '' : JSON.stringify(status),
      '',
    ]);
    return r === 1;
  }

  /**
   * Records a cluster's status of a binding only if the stored one is still `expected` (the value
   * this caller read, undefined for none): 'conflict' when another writer changed it since (read
   * it again and recompute), 'gone' without the binding.
   */
  async replaceClusterStatus(
    bindingKey: ObjectKey,
    cluster: string,
    expected: object | undefined,
    status: object | undefined,
  ): Promise<'changed' | 'unchanged' | 'conflict' | 'gone'> {
    const r = await this.call<number>('fgClusterStatus', [
      this.objectKey(bindingKey),
      this.clusterStatusKey(bindingKey),
      cluster,
      status === undefined ? '' : JSON.stringify(status),
      ...(expected === undefined ? ['absent'] : ['is', JSON.stringify(expected)]),
    ]);
    return r === -2 ? 'conflict' : r === -1 ? 'gone' : r === 1 ? 'changed' : 'unchanged';
  }

  /** One member cluster's recorded status of a binding, or undefined. */
  async clusterStatus<T>(bindingKey: ObjectKey, cluster: string): Promise<T | undefined> {
    const v = await this.redis.hget(this.clusterStatusKey(bindingKey), cluster);
    return v == null ? undefined : (JSON.parse(v) as T);
  }

  /** Every member cluster's recorded status of a binding, sorted by cluster. */
  async clusterStatuses<T>(bindingKey: ObjectKey): Promise<T[]> {
    const all = await this.redis.hgetall(this.clusterStatusKey(bindingKey));
    return Object.keys(all)
      .sort()
      .map((c) => JSON.parse(all[c]!) as T);
  }

  /**
   * Reads several objects, optionally one binding's status in one cluster (or in every cluster),
   * and the versions of some types, in one command (a read script): what a reconcile pass needs
   * before it can act.
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
    const keys = req.objects.map((k) => this.objectKey(k));
    const status = req.clusterStatus
      ? { key: req.clusterStatus.key, mode: 'one', cluster: req.clusterStatus.cluster }
      : req.clusterStatuses
        ? { key: req.clusterStatuses, mode: 'all', cluster: '' }
        : undefined;
    if (status) keys.push(this.clusterStatusKey(status.key));
    if (types.length > 0) keys.push(`${this.prefix}:tv`);
    const results = await this.call<unknown[]>('fgRead', [
      String(keys.length),
      ...keys,
      String(req.objects.length),
      status?.mode ?? '',
      status?.cluster ?? '',
      ...types,
    ]);
    const objects = req.objects.map((_, i) => {
      const [body, rv] = (results[i] ?? []) as (string | null)[];
      return body == null || rv == null ? undefined : (JSON.parse(body) as KubeObject);
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
      const byCluster: [string, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) byCluster.push([flat[i]!, flat[i + 1]!]);
      clusterStatuses = byCluster
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([, v]) => JSON.parse(v) as S);
    }
    const typeVersions =
      types.length > 0 ? ((results[at] ?? []) as (string | null)[]).map((v) => v ?? '0') : [];
    return { objects, clusterStatus, clusterStatuses, typeVersions };
  }

  /**
   * The resourceVersion of the latest write to each type ('0' when never written): a cheap way for
   * a worker to tell whether its cached list of a type is still current.
   */
  async typeVersions(types: readonly string[]): Promise<string[]> {
    if (types.length === 0) return [];
    const vals = await this.redis.hmget(`${this.prefix}:tv`, ...types);
    return vals.map((v) => v ?? '0');
  }

  /** Every type key ever written to this store. */
  async types(): Promise<string[]> {
    return (await this.redis.hkeys(`${this.prefix}:tv`)).sort();
  }

  /** The resourceVersion of the latest write. */
  async currentResourceVersion(): Promise<string> {
    return (await this.redis.get(`${this.prefix}:rv`)) ?? '0';
  }

  /**
   * Reads change events after `fromResourceVersion`, waiting up to `blockMs` for one. Throws
   * `Expired` when events after that version were already trimmed (re-list, then watch again).
   */
  async readEvents(
    fromResourceVersion: string,
    opts: { count?: number; blockMs?: number; connection?: Redis } = {},
  ): Promise<ChangeEvent[]> {
    const from = Number(fromResourceVersion);
    if (!Number.isSafeInteger(from) || from < 0) {
      throw new FedgateError(
        'BadRequest',
        `resourceVersion "${fromResourceVersion}" is not a non-negative integer`,
      );
    }
    const conn = opts.connection ?? this.redis;
    const oldest = await conn.xrange(this.streamKey, '-', '+', 'COUNT', 1);
    const firstId = oldest[0] ? Number(oldest[0][0].split('-')[0]) : undefined;
    if (firstId !== undefined && from + 1 < firstId && from < Number(await this.currentResourceVersion())) {
      throw new FedgateError(
        'Expired',
        `resourceVersion ${from} is too old (oldest kept is ${firstId}); list again`,
      );
    }
    const args: (string | number)[] = ['COUNT', opts.count ?? 500];
    if (opts.blockMs !== undefined) args.push('BLOCK', opts.blockMs);
    const res = await conn.call('XREAD', ...args, 'STREAMS', this.streamKey, `${from}-0`);
    return streamEntries(res).map(([id, fields]) => this.parseEvent(id, fields));
  }

  /** The type key and subresource of one stream entry, without decoding its object. */
  peekEvent(fields: readonly string[]): { readonly type: string; readonly subresource: string } {
    let type = '';
    let subresource = '';
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i] === 'k') type = fields[i + 1]!;
      else if (fields[i] === 's') subresource = fields[i + 1]!;
    }
    return { type, subresource };
  }

  /** Decodes one stream entry; its id is the resourceVersion of the change. */
  parseEvent(id: string, fields: readonly string[]): ChangeEvent {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    const resourceVersion = id.split('-')[0] ?? '';
    const object = JSON.parse(f.o ?? '{}') as KubeObject;
    // A deletion carries the object's last state stamped with the deletion's resourceVersion, as Kubernetes does.
    if (f.t === 'DELETED') object.metadata = { ...object.metadata, resourceVersion };
    return {
      type: f.t as ChangeEvent['type'],
      key: memberKey(f.k ?? '', f.m ?? ''),
      resourceVersion,
      subresource: (f.s ?? '') as ChangeEvent['subresource'],
      object,
    };
  }

  private async read(key: ObjectKey): Promise<StoredRecord | undefined> {
    const [body, rv] = await this.redis.hmget(this.objectKey(key), 'obj', 'rv');
    if (body == null || rv == null) return undefined;
    return { object: JSON.parse(body) as KubeObject, rv };
  }

  private async write(
    mode: WriteMode,
    key: ObjectKey,
    object: KubeObject | undefined,
    expectedRv: string,
    eventType: ChangeEvent['type'],
    subresource: ChangeEvent['subresource'],
  ): Promise<KubeObject> {
    const token = `__rv_${randomBytes(12).toString('hex')}__`;
    const body =
      object === undefined
        ? ''
        : JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: token } });
    try {
      const [, stored] = await this.call<[number, string]>('fgWrite', [
        this.objectKey(key),
        this.indexKey(key.type),
        `${this.prefix}:rv`,
        this.streamKey,
        this.clusterStatusKey(key),
        `${this.prefix}:tv`,
        mode,
        expectedRv,
        body,
        token,
        `${key.namespace}|${key.name}`,
        eventType,
        String(this.retention),
        subresource,
        key.type,
        keepsReferences(key.type) ? this.referencePrefix(key.type) : '',
        ...referencesOf(key.type, object),
      ]);
      return JSON.parse(stored) as KubeObject;
    } catch (err) {
      const msg = (err instanceof Error ? err.message : String(err)).replace(/^ERR /, '');
      if (msg.startsWith('AlreadyExists'))
        throw new FedgateError('AlreadyExists', `${formatKey(key)} already exists`);
      if (msg.startsWith('NotFound')) throw notFound(key);
      if (msg.startsWith('Conflict')) {
        throw new FedgateError(
          'Conflict',
          `${formatKey(key)} was changed by someone else (stored resourceVersion ${msg.slice(9)}, yours ${expectedRv}); read it again and retry`,
        );
      }
      throw err;
    }
  }

  /** Without an expected resourceVersion, a write that lost a race is simply retried on fresh state. */
  private async retryUnconditional<T>(opts: WriteOptions, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (
          opts.resourceVersion !== undefined ||
          attempt >= 20 ||
          !(err instanceof FedgateError && err.code === 'Conflict')
        ) {
          throw err;
        }
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      }
    }
  }

  private call<T>(command: string, args: string[]): Promise<T> {
    const fn = (this.redis as unknown as Record<string, (...a: string[]) => Promise<T>>)[command]!;
    return fn.apply(this.redis, args);
  }

  private objectKey(k: ObjectKey): string {
    return `${this.prefix}:o:${k.type}:${k.namespace}:${k.name}`;
  }

  private indexKey(type: string): string {
    return `${this.prefix}:i:${type}`;
  }

  private referencePrefix(type: string): string {
    return `${this.prefix}:ref:${type}:`;
  }

  private get referencesIndexedKey(): string {
    return `${this.prefix}:ref-indexed`;
  }

  private clusterStatusKey(k: ObjectKey): string {
    return `${this.prefix}:cs:${k.type}:${k.namespace}:${k.name}`;
  }
}

/** The part of an object whose change bumps `generation`. */
function generationBasis(key: ObjectKey, obj: KubeObject): unknown {
  const { metadata, status: _s, ...rest } = obj;
  if (isFedgateType(parseTypeKey(key.type))) return rest.spec;
  return { ...rest, labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} };
}

function stripRv(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...meta } = o.metadata;
  return { ...o, metadata: meta as KubeObject['metadata'] };
}

function checkExpected(key: ObjectKey, stored: string, expected: string | undefined): void {
  if (expected !== undefined && expected !== stored) {
    throw new FedgateError(
      'Conflict',
      `${formatKey(key)} was changed by someone else (stored resourceVersion ${stored}, yours ${expected}); read it again and retry`,
    );
  }
}

function notFound(key: ObjectKey): FedgateError {
  return new FedgateError('NotFound', `${formatKey(key)} not found`);
}

function memberKey(type: string, member: string): ObjectKey {
  const [namespace = '', name = ''] = splitOnce(member, '|');
  return { type, namespace, name };
}

/**
 * The entries of a one-stream XREAD/XREADGROUP reply. With RESP3 ioredis gives a flat
 * `[stream, entries]` pair; with RESP2 a list of such pairs.
 */
export function streamEntries(reply: unknown): [string, string[]][] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const pair = typeof reply[0] === 'string' ? reply : reply[0];
  return (Array.isArray(pair) ? (pair[1] ?? []) : []) as [string, string[]][];
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}
