import type { Redis } from 'ioredis';
import type { GatewayClaims } from '../../../peering/orchestrate/gateway-claims.js';
import { ProviderError } from '../../../providers/provider-error.js';
import { ClusterLeases } from '../../reconcile/cluster-leases.js';

const LEASE_MS = 15_000;

/**
 * Claims on shared VPN gateways kept in Redis (see peering/orchestrate/gateway-claims.ts): a set of
 * the links that use a gateway, and a lease per gateway for its lock (renewed while held, so a
 * worker killed while holding it frees it after the lease's TTL). Every worker of one Redis sees
 * the same claims, and they survive any worker.
 */
export class RedisGatewayClaims implements GatewayClaims {
  readonly #leases: ClusterLeases;

  constructor(
    private readonly redis: Redis,
    /** Key prefix (the store's, e.g. `{fg}`). */
    private readonly prefix: string,
    owner: string,
    private readonly options: {
      /** How long to wait for another link's hold on the gateway before giving up (retryably). */
      readonly waitMs?: number;
      readonly retryMs?: number;
      /** The lock's lease: how long a killed holder keeps others out. Default 15 s. */
      readonly leaseMs?: number;
      /**
       * Whether a link still exists (its Peering is stored). A claim left by a link that is gone
       * without giving it up (its teardown could not reach a deleted cluster) is dropped when
       * another link releases the gateway, so it cannot keep the gateway, and its cost, forever.
       */
      readonly linkExists?: (link: string) => Promise<boolean>;
    } = {},
  ) {
    this.#leases = new ClusterLeases(
      redis,
      `${prefix}:lease:vpn-gateway`,
      owner,
      options.leaseMs ?? LEASE_MS,
    );
  }

  async exclusive<T>(gateway: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const waitMs = this.options.waitMs ?? 120_000;
    const deadline = Date.now() + waitMs;
    while (!(await this.#leases.acquire(gateway))) {
      signal?.throwIfAborted();
      if (Date.now() > deadline)
        // Conflict is retryable: the job tries again later, once the other link is done with it.
        throw new ProviderError(
          'Conflict',
          `VPN gateway ${gateway} is being set up or removed by another link (waited ${waitMs} ms)`,
        );
      await new Promise((r) => setTimeout(r, this.options.retryMs ?? 100));
    }
    const renew = setInterval(() => void this.#leases.renew(gateway).catch(() => undefined), LEASE_MS / 3);
    renew.unref();
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.#leases.release(gateway).catch(() => undefined);
    }
  }

  async claim(gateway: string, link: string): Promise<void> {
    await this.redis.sadd(this.key(gateway), link);
  }

  async release(gateway: string, link: string): Promise<string[]> {
    const [, [, users]] = (await this.redis
      .multi()
      .srem(this.key(gateway), link)
      .smembers(this.key(gateway))
      .exec()) as [[Error | null, number], [Error | null, string[]]];
    const exists = this.options.linkExists;
    if (!exists) return [...users].sort();
    const live = await Promise.all(users.map(exists));
    const orphans = users.filter((_, i) => !live[i]);
    if (orphans.length > 0) await this.redis.srem(this.key(gateway), ...orphans);
    return users.filter((_, i) => live[i]).sort();
  }

  /** The links that claim a gateway now. */
  async users(gateway: string): Promise<string[]> {
    return (await this.redis.smembers(this.key(gateway))).sort();
  }

  private key(gateway: string): string {
    return `${this.prefix}:vpn-gateway-users:${gateway}`;
  }
}
