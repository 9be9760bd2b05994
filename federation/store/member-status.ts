import type { Redis } from 'ioredis';
import type { ObjectKey } from '../resources/kube-object.js';
import type { StoreKeys } from './keys.js';
import { callScript } from './scripts.js';

/**
 * What each member (a member cluster) reports about one object, for any kind: a Binding's status
 * in each cluster today; a Peering's or a replica's next. One Redis hash per object (member →
 * JSON), written apart from the object (no resourceVersion, no change event: members report often)
 * and deleted with it. Writes need the object to exist, so a late report cannot resurrect a
 * deleted object's status.
 */
export class MemberStatus {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
  ) {}

  /** Records what `member` reports for the object (undefined removes it); true when it changed. */
  async set(key: ObjectKey, member: string, status: object | undefined): Promise<boolean> {
    return (await this.call(key, member, status, [''])) === 1;
  }

  /**
   * Records `member`'s status of the object only if the stored one is still `expected` (the value
   * this caller read, undefined for none): 'conflict' when another writer changed it since (read
   * it again and recompute), 'gone' without the object.
   */
  async replace(
    key: ObjectKey,
    member: string,
    expected: object | undefined,
    status: object | undefined,
  ): Promise<'changed' | 'unchanged' | 'conflict' | 'gone'> {
    return (await this.compareAndSet(key, member, expected, status)).outcome;
  }

  /**
   * `replace`, returning on a conflict the status stored now (`current`, absent when none), read by
   * the same command: the caller recomputes from it without another round trip.
   */
  async compareAndSet<T extends object>(
    key: ObjectKey,
    member: string,
    expected: T | undefined,
    status: T | undefined,
  ): Promise<{ readonly outcome: 'changed' | 'unchanged' | 'conflict' | 'gone'; readonly current?: T }> {
    const condition = expected === undefined ? ['absent'] : ['is', JSON.stringify(expected)];
    const r = await this.call(key, member, status, condition);
    if (Array.isArray(r)) {
      const stored = r[1];
      return stored == null
        ? { outcome: 'conflict' }
        : { outcome: 'conflict', current: JSON.parse(stored) as T };
    }
    return { outcome: r === -1 ? 'gone' : r === 1 ? 'changed' : 'unchanged' };
  }

  /** `member`'s recorded status of the object, or undefined. */
  async get<T>(key: ObjectKey, member: string): Promise<T | undefined> {
    const v = await this.redis.hget(this.keys.memberStatus(key), member);
    return v == null ? undefined : (JSON.parse(v) as T);
  }

  /** Every member's recorded status of the object, sorted by member. */
  async all<T>(key: ObjectKey): Promise<T[]> {
    return sortedStatuses<T>(Object.entries(await this.redis.hgetall(this.keys.memberStatus(key))));
  }

  /** The script's reply: 1, 0 or -1, or [-2, the stored json?] on a failed condition. */
  private call(
    key: ObjectKey,
    member: string,
    status: object | undefined,
    condition: string[],
  ): Promise<number | [number, string?]> {
    return callScript<number | [number, string?]>(this.redis, 'fgMemberStatus', [
      this.keys.object(key),
      this.keys.memberStatus(key),
      member,
      status === undefined ? '' : JSON.stringify(status),
      ...condition,
    ]);
  }
}

/** Statuses from `[member, json]` pairs, sorted by member. */
export function sortedStatuses<T>(pairs: readonly (readonly [string, string])[]): T[] {
  return [...pairs]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, v]) => JSON.parse(v) as T);
}
