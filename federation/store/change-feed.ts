import type { Redis } from 'ioredis';
import { FedgateError } from '../errors/fedgate-error.js';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import type { ObjectCodec } from './codec.js';
import { SEALED_FIELD } from './encryption/secret-codec.js';
import { memberKey, type StoreKeys } from './keys.js';
import type { EventType } from './objects.js';

/** A change to a stored object, as read from the change feed. */
export interface ChangeEvent {
  readonly type: EventType;
  readonly key: ObjectKey;
  readonly resourceVersion: string;
  /** 'status' when only the status changed. */
  readonly subresource: '' | 'status';
  readonly object: KubeObject;
}

/**
 * The change feed: a Redis stream with one entry per write, appended by the write script itself,
 * whose id is the write's resourceVersion (`<rv>-0`). Fields: `t` event type, `k` type key,
 * `m` index member (namespace|name), `s` subresource, `o` the object as stored (Secret data
 * sealed, as in the object hash). Trimmed to about the store's retention.
 */
export class ChangeFeed {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
    private readonly codec: ObjectCodec,
  ) {}

  /** The Redis key of the stream. */
  get streamKey(): string {
    return this.keys.events;
  }

  /**
   * Reads change events after `fromResourceVersion`, waiting up to `blockMs` for one. Throws
   * `Expired` when events after that version were already trimmed (re-list, then watch again).
   */
  async read(
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
    const [oldest, rv] = await Promise.all([
      conn.xrange(this.streamKey, '-', '+', 'COUNT', 1),
      conn.get(this.keys.revision),
    ]);
    const current = Number(rv ?? '0');
    const firstId = oldest[0] ? Number(oldest[0][0].split('-')[0]) : undefined;
    if (firstId !== undefined && from + 1 < firstId && from < current)
      throw new FedgateError(
        'Expired',
        `resourceVersion ${from} is too old (oldest kept is ${firstId}); list again`,
      );
    // Only after Redis lost recent writes (a failover, a restore): versions past `current` will be
    // handed out again for other writes, so reading on from `from` would skip them.
    if (from > current)
      throw new FedgateError(
        'Expired',
        `resourceVersion ${from} is newer than the store's (${current}): the store lost recent writes (a Redis failover or restore); list again`,
      );
    const args: (string | number)[] = ['COUNT', opts.count ?? 500];
    if (opts.blockMs !== undefined) args.push('BLOCK', opts.blockMs);
    const res = await conn.call('XREAD', ...args, 'STREAMS', this.streamKey, `${from}-0`);
    return streamEntries(res).map(([id, fields]) => this.parse(id, fields));
  }

  /** The type key and subresource of one stream entry, without decoding its object. */
  peek(fields: readonly string[]): { readonly type: string; readonly subresource: string } {
    let type = '';
    let subresource = '';
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i] === 'k') type = fields[i + 1]!;
      else if (fields[i] === 's') subresource = fields[i + 1]!;
    }
    return { type, subresource };
  }

  /**
   * An event's object opened; one this process cannot open (sealed with a key since dropped from
   * its configuration, or no key at all) comes without its sealed data and with an annotation
   * saying why, rather than stopping every reader of the feed at that event.
   */
  private open(key: ObjectKey, stored: KubeObject): KubeObject {
    try {
      return this.codec.open(key, stored);
    } catch (err) {
      if (!(err instanceof FedgateError)) throw err;
      const { [SEALED_FIELD]: _s, ...rest } = stored;
      const annotations = { ...stored.metadata.annotations, [UNREADABLE_ANNOTATION]: err.message };
      return { ...rest, metadata: { ...stored.metadata, annotations } } as KubeObject;
    }
  }

  /** Decodes one stream entry; its id is the resourceVersion of the change. */
  parse(id: string, fields: readonly string[]): ChangeEvent {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    const resourceVersion = id.split('-')[0] ?? '';
    const key = memberKey(f.k ?? '', f.m ?? '');
    const object = this.open(key, JSON.parse(f.o ?? '{}') as KubeObject);
    // A deletion carries the object's last state stamped with the deletion's resourceVersion, as Kubernetes does.
    if (f.t === 'DELETED') object.metadata = { ...object.metadata, resourceVersion };
    return {
      type: f.t as EventType,
      key,
      resourceVersion,
      subresource: (f.s ?? '') as ChangeEvent['subresource'],
      object,
    };
  }
}

/** Annotation on an event's object whose sealed data this process cannot open. */
export const UNREADABLE_ANNOTATION = 'fedgate.dev/unreadable';

/**
 * The entries of a one-stream XREAD/XREADGROUP reply. With RESP3 ioredis gives a flat
 * `[stream, entries]` pair; with RESP2 a list of such pairs.
 */
export function streamEntries(reply: unknown): [string, string[]][] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const pair = typeof reply[0] === 'string' ? reply : reply[0];
  return (Array.isArray(pair) ? (pair[1] ?? []) : []) as [string, string[]][];
}
