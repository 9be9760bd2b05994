import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Redis } from 'ioredis';
import { FedgateError } from '../errors/fedgate-error.js';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import { formatKey } from '../resources/kube-object.js';
import { created, statusOnlyChange, successor } from './generation.js';
import { memberKey } from './keys.js';
import { type LabelRequirement, matchesLabels, parseLabelSelector } from './label-selector.js';
import { callScript, queueScript } from './scripts.js';
import {
  type EventType,
  notFound,
  type WriteParts,
  writeScriptArgs,
  writeScriptError,
} from './write-args.js';

export { type EventType, notFound } from './write-args.js';

/** Objects read or written per pipeline. */
const BATCH = 500;

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

/** What an apply wrote, and what it did. */
export interface Applied {
  readonly object: KubeObject;
  readonly action: 'created' | 'configured' | 'unchanged';
}

interface StoredRecord {
  readonly object: KubeObject;
  readonly rv: string;
}

/** Where an ObjectStore keeps things and how. */
export interface ObjectStoreParts extends WriteParts {
  readonly redis: Redis;
}

/**
 * Objects: read, list, and write with optimistic concurrency (compare-and-set on resourceVersion),
 * the generation rules of generation.ts, and each write's index entries and change event in the
 * same atomic script.
 */
export class ObjectStore {
  constructor(private readonly p: ObjectStoreParts) {}

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
      this.p.redis.smembers(this.p.keys.typeIndex(type)),
      this.currentResourceVersion(),
    ]);
    const wanted = members.filter((m) => opts.namespace === undefined || m.startsWith(`${opts.namespace}|`));
    const items = (await this.getMembers(type, wanted)).filter((o) => matchesLabels(reqs, o.metadata.labels));
    return { items, resourceVersion: rv };
  }

  /** The objects of `type` that index members (`namespace|name`) name, sorted by member; absent ones left out. */
  async getMembers(type: string, members: readonly string[]): Promise<KubeObject[]> {
    const sorted = [...members].sort();
    const out: KubeObject[] = [];
    for (let i = 0; i < sorted.length; i += 500) {
      const batch = sorted.slice(i, i + 500).map((m) => memberKey(type, m));
      const pipe = this.p.redis.pipeline();
      for (const k of batch) pipe.hget(this.p.keys.object(k), 'obj');
      for (const [j, [err, body]] of ((await pipe.exec()) ?? []).entries()) {
        if (err) throw err;
        if (typeof body === 'string') out.push(this.decode(batch[j]!, body));
      }
    }
    return out;
  }

  /** Creates an object; `AlreadyExists` when one is stored under its key. */
  async create(key: ObjectKey, object: KubeObject): Promise<KubeObject> {
    return this.write('create', key, created(object, randomUUID(), new Date(), false), '', 'ADDED', '');
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

  /** Creates the object or updates the stored one (what `apply` does). Returns the result and what happened. */
  async apply(key: ObjectKey, object: KubeObject): Promise<Applied> {
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
   * `apply` of many objects, in order, in two round trips rather than two per object: the stored
   * objects are read in one pipeline, the writes sent in another (Redis runs them in order). An
   * object whose write lost a race (changed, created or deleted since the read) is applied again
   * on its own, as `apply` retries it. Rejects with the first other error, in order, once every
   * write sent has answered (the writes before it, and those sent with it, are done).
   */
  async applyMany(
    items: readonly { readonly key: ObjectKey; readonly object: KubeObject }[],
  ): Promise<Applied[]> {
    const out: Applied[] = [];
    // A batch ends before an object it holds already: the second must be computed from the first's write.
    let batch: (typeof items)[number][] = [];
    const keys = new Set<string>();
    for (const item of items) {
      const k = this.p.keys.object(item.key);
      if (batch.length >= BATCH || keys.has(k)) {
        out.push(...(await this.applyBatch(batch)));
        batch = [];
        keys.clear();
      }
      batch.push(item);
      keys.add(k);
    }
    if (batch.length > 0) out.push(...(await this.applyBatch(batch)));
    return out;
  }

  /**
   * Writes an object's spec and status as one change (one write, one event), for objects the
   * control plane writes whole, such as Bindings: creates it when `current` is undefined, else
   * updates `current` (compare-and-set on its resourceVersion). The generation follows the spec
   * as in `update`; the event is a status change when only the status changed; nothing is written
   * when nothing changed.
   */
  async save(key: ObjectKey, object: KubeObject, current?: KubeObject): Promise<KubeObject> {
    if (!current)
      return this.write('create', key, created(object, randomUUID(), new Date(), true), '', 'ADDED', '');
    const next = successor(key, current, object, true);
    if (!next) return current;
    const sub = statusOnlyChange(current, next) ? 'status' : '';
    return this.write('update', key, next, current.metadata.resourceVersion ?? '', 'MODIFIED', sub);
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

  /**
   * The resourceVersion of the latest write to each type ('0' when never written): a cheap way for
   * a worker to tell whether its cached list of a type is still current.
   */
  async typeVersions(types: readonly string[]): Promise<string[]> {
    if (types.length === 0) return [];
    const vals = await this.p.redis.hmget(this.p.keys.typeVersions, ...types);
    return vals.map((v) => v ?? '0');
  }

  /** Every type key ever written to this store. */
  async types(): Promise<string[]> {
    return (await this.p.redis.hkeys(this.p.keys.typeVersions)).sort();
  }

  /** The resourceVersion of the latest write. */
  async currentResourceVersion(): Promise<string> {
    return (await this.p.redis.get(this.p.keys.revision)) ?? '0';
  }

  /**
   * Rewrites the objects of `type` whose stored form the codec would write differently now (Secrets
   * sealed with a key that is no longer the first, or stored before encryption was configured), so
   * an old key can be dropped. Safe beside other writers (compare-and-set; a newer write re-sealed
   * the object already). Returns how many it rewrote.
   */
  async rewriteStale(type: string): Promise<number> {
    const members = await this.p.redis.smembers(this.p.keys.typeIndex(type));
    let rewritten = 0;
    for (let i = 0; i < members.length; i += 500) {
      const batch = members.slice(i, i + 500).map((m) => memberKey(type, m));
      const pipe = this.p.redis.pipeline();
      for (const k of batch) pipe.hmget(this.p.keys.object(k), 'obj', 'rv');
      for (const [j, [err, reply]] of ((await pipe.exec()) ?? []).entries()) {
        if (err) throw err;
        const [body, rv] = reply as [string | null, string | null];
        const k = batch[j]!;
        if (!body || !rv || this.p.codec.current(k, JSON.parse(body) as KubeObject)) continue;
        try {
          await this.write('update', k, this.decode(k, body), rv, 'MODIFIED', '');
          rewritten++;
        } catch (e) {
          if (!(e instanceof FedgateError && (e.code === 'Conflict' || e.code === 'NotFound'))) throw e;
        }
      }
    }
    return rewritten;
  }

  /** The object from its stored JSON (Secret data opened by the codec). */
  decode(key: ObjectKey, body: string): KubeObject {
    return this.p.codec.open(key, JSON.parse(body) as KubeObject);
  }

  /** An update computed from a record already read; the write script re-checks `expectedRv`. */
  private async updateFrom(
    key: ObjectKey,
    object: KubeObject,
    cur: StoredRecord,
    expectedRv: string | undefined,
  ): Promise<KubeObject> {
    checkExpected(key, cur.rv, expectedRv);
    const next = successor(key, cur.object, object, false);
    if (!next) return cur.object;
    return this.write('update', key, next, cur.rv, 'MODIFIED', '');
  }

  /** The write `apply` makes of `object` over the record stored (none when nothing would change). */
  private applyWrite(key: ObjectKey, object: KubeObject, cur: StoredRecord | undefined) {
    if (!cur) {
      const first = created(object, randomUUID(), new Date(), false);
      return writeScriptArgs(this.p, 'create', key, first, '', 'ADDED', '');
    }
    const next = successor(key, cur.object, object, false);
    return next && writeScriptArgs(this.p, 'update', key, next, cur.rv, 'MODIFIED', '');
  }

  private async applyBatch(
    items: readonly { readonly key: ObjectKey; readonly object: KubeObject }[],
  ): Promise<Applied[]> {
    const reads = this.p.redis.pipeline();
    for (const { key } of items) reads.hmget(this.p.keys.object(key), 'obj', 'rv');
    const stored = ((await reads.exec()) ?? []).map(([err, reply], i): StoredRecord | undefined => {
      if (err) throw err;
      const [body, rv] = reply as (string | null)[];
      return body == null || rv == null ? undefined : { object: this.decode(items[i]!.key, body), rv };
    });
    // What each item writes (nothing when unchanged), computed as `apply` does from its read.
    const plans = items.map(({ key, object }, i) => ({
      cur: stored[i],
      args: this.applyWrite(key, object, stored[i]),
    }));
    const writes = this.p.redis.pipeline();
    for (const p of plans) if (p.args) queueScript(writes, 'fgWrite', p.args.argv);
    const replies = plans.some((p) => p.args) ? ((await writes.exec()) ?? []) : [];
    const out: Applied[] = [];
    let r = 0;
    let failed: unknown;
    for (const [i, { cur, args }] of plans.entries()) {
      const { key, object } = items[i]!;
      if (!args) {
        out.push({ object: cur!.object, action: 'unchanged' });
        continue;
      }
      const [err, reply] = replies[r++] ?? [new Error('no reply to a pipelined write')];
      if (!err) {
        out.push({
          object: this.decode(key, (reply as [number, string])[1]),
          action: cur ? 'configured' : 'created',
        });
        continue;
      }
      const e = writeScriptError(err, key, args.expectedRv);
      const raced = e instanceof FedgateError && ['AlreadyExists', 'Conflict', 'NotFound'].includes(e.code);
      if (failed === undefined && raced) out.push(await this.apply(key, object));
      else failed ??= e;
    }
    if (failed !== undefined) throw failed;
    return out;
  }

  private async read(key: ObjectKey): Promise<StoredRecord | undefined> {
    const [body, rv] = await this.p.redis.hmget(this.p.keys.object(key), 'obj', 'rv');
    if (body == null || rv == null) return undefined;
    return { object: this.decode(key, body), rv };
  }

  private async write(
    mode: 'create' | 'update' | 'delete',
    key: ObjectKey,
    object: KubeObject | undefined,
    expectedRv: string,
    eventType: EventType,
    subresource: '' | 'status',
  ): Promise<KubeObject> {
    const { argv } = writeScriptArgs(this.p, mode, key, object, expectedRv, eventType, subresource);
    try {
      const [, stored] = await callScript<[number, string]>(this.p.redis, 'fgWrite', argv);
      return this.decode(key, stored);
    } catch (err) {
      throw writeScriptError(err, key, expectedRv);
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
}

function checkExpected(key: ObjectKey, stored: string, expected: string | undefined): void {
  if (expected !== undefined && expected !== stored) {
    throw new FedgateError(
      'Conflict',
      `${formatKey(key)} was changed by someone else (stored resourceVersion ${stored}, yours ${expected}); read it again and retry`,
    );
  }
}
