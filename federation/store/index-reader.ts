import type { Redis } from 'ioredis';
import type { KubeObject } from '../resources/kube-object.js';
import type { IndexRegistry } from './indexes.js';
import { indexMember, memberKey, type StoreKeys } from './keys.js';
import type { ObjectStore } from './objects.js';
import { callScript } from './scripts.js';

/**
 * Reads the registered indexes (see indexes.ts) and completes them for objects written before an
 * index existed (a store from an earlier fedgate, or an index added since).
 */
export class IndexReader {
  /** Indexes known complete: asked once per process, then trusted until a backfill is asked again. */
  private readonly complete = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
    private readonly registry: IndexRegistry,
    private readonly objects: ObjectStore,
  ) {}

  /**
   * The objects of `type` indexed under `value` by index `name`, sorted by namespace and name. One
   * set read once the index is complete; until then a scan of the type (in `namespace` when the
   * value only occurs there).
   */
  async lookup(name: string, type: string, value: string, namespace?: string): Promise<KubeObject[]> {
    const ix = this.registry.get(name);
    if (!(await this.isComplete(name))) {
      const { items } = await this.objects.list(type, namespace === undefined ? {} : { namespace });
      return items.filter((o) => ix.valuesOf(type, o).includes(value));
    }
    const members = await this.redis.smembers(this.keys.indexSetPrefix(name, type) + value);
    return this.objects.getMembers(type, members);
  }

  /**
   * Indexes the objects of `types` that index `name` holds but that were written before it kept
   * them, then marks it complete; idempotent and safe beside other writers. Returns how many
   * objects it indexed.
   */
  async backfill(name: string, types: readonly string[]): Promise<number> {
    const ix = this.registry.get(name);
    // Asks Redis, not the cached answer: a Redis that lost its data (no persistence) lost the mark too.
    if ((await this.redis.exists(this.keys.indexComplete(name))) === 1) {
      this.complete.add(name);
      return 0;
    }
    let indexed = 0;
    for (const type of types.filter((t) => ix.indexes(t))) {
      const members = await this.redis.smembers(this.keys.typeIndex(type));
      for (let i = 0; i < members.length; i += 500) {
        const batch = members.slice(i, i + 500).map((m) => memberKey(type, m));
        const pipe = this.redis.pipeline();
        for (const k of batch) pipe.hmget(this.keys.object(k), 'obj', 'rv');
        const read = (await pipe.exec()) ?? [];
        const writes: Promise<number>[] = [];
        for (const [j, [err, reply]] of read.entries()) {
          if (err) throw err;
          const [body, rv] = reply as [string | null, string | null];
          const k = batch[j]!;
          if (!body || !rv) continue;
          const values = ix.valuesOf(type, this.objects.decode(k, body));
          if (values.length === 0) continue;
          writes.push(
            callScript<number>(this.redis, 'fgIndexBackfill', [
              this.keys.object(k),
              rv,
              this.keys.indexSetPrefix(name, type),
              ix.field,
              indexMember(k),
              ...values,
            ]),
          );
        }
        for (const changed of await Promise.all(writes)) indexed += Number(changed);
      }
    }
    await this.redis.set(this.keys.indexComplete(name), '1');
    this.complete.add(name);
    return indexed;
  }

  private async isComplete(name: string): Promise<boolean> {
    if (this.complete.has(name)) return true;
    if ((await this.redis.exists(this.keys.indexComplete(name))) === 1) this.complete.add(name);
    return this.complete.has(name);
  }
}
