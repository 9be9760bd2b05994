import type { Redis } from 'ioredis';

/** Extends a lease only while this owner holds it. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/** Deletes a lease (or a current mark) only while this owner holds it. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Per-cluster leases in Redis, so that one worker among all does a cluster's job (its watch): a
 * lease is a key holding its owner's id with a TTL, taken with SET NX PX, renewed and released
 * only by its owner (compare-and-pexpire, compare-and-delete). A worker that dies stops renewing:
 * its leases expire after the TTL and another worker takes them.
 */
export class ClusterLeases {
  constructor(
    private readonly redis: Redis,
    /** Key prefix, e.g. `{fg}:lease:workload-watch`. */
    private readonly prefix: string,
    /** This worker's id, unique among the workers of one Redis. */
    readonly owner: string,
    readonly ttlMs: number,
  ) {}

  /** Takes the lease of a cluster when free; true when this owner holds it now. */
  async acquire(cluster: string): Promise<boolean> {
    const set = await this.redis.set(this.key(cluster), this.owner, 'PX', this.ttlMs, 'NX');
    return set === 'OK' || this.renew(cluster);
  }

  /** Extends this owner's lease; false when it was lost (expired, or taken by another). */
  async renew(cluster: string): Promise<boolean> {
    const r = await this.redis.eval(RENEW_SCRIPT, 1, this.key(cluster), this.owner, String(this.ttlMs));
    return r === 1;
  }

  /** Gives the lease up (only this owner's). */
  async release(cluster: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key(cluster), this.owner);
  }

  /**
   * Marks whether this owner's job for a cluster is current (its watch listed and connected), for
   * as long as the lease lasts unless marked again; only the lease holder marks.
   */
  async markCurrent(cluster: string, current: boolean): Promise<void> {
    if (current) await this.redis.set(this.currentKey(cluster), this.owner, 'PX', this.ttlMs);
    else await this.redis.eval(RELEASE_SCRIPT, 1, this.currentKey(cluster), this.owner);
  }

  /** Whether every one of these clusters is marked current (by whichever worker holds it). */
  async allCurrent(clusters: readonly string[]): Promise<boolean> {
    if (clusters.length === 0) return false;
    const marks = await this.redis.mget(...clusters.map((c) => this.currentKey(c)));
    return marks.every((m) => m !== null);
  }

  /** Who holds a cluster's lease, if anyone. */
  async holder(cluster: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(cluster))) ?? undefined;
  }

  private key(cluster: string): string {
    return `${this.prefix}:${cluster}`;
  }

  private currentKey(cluster: string): string {
    return `${this.prefix}-current:${cluster}`;
  }
}
