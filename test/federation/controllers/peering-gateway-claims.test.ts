import { afterAll, describe, expect, it } from 'vitest';
import { RedisGatewayClaims } from '../../../federation/controllers/peering/redis-gateway-claims.js';
import { RedisTunnelKeyVault } from '../../../federation/controllers/peering/redis-key-vault.js';
import { ClusterLeases } from '../../../federation/reconcile/cluster-leases.js';
import { isProviderError } from '../../../providers/provider-error.js';
import { testRedis } from '../../support/redis.js';
import { testSealer } from '../../support/sealer.js';

/**
 * The claims on shared VPN gateways that the peering controller keeps in Redis: every worker sees
 * the same users of a gateway, the last one out is told so, and the gateway's lock keeps a link
 * being set up and a link being removed apart, also across workers and after a holder is killed.
 */
describe('peering controller: claims on shared VPN gateways in Redis', () => {
  const redis = testRedis();
  afterAll(() => redis.close());
  const prefix = `{${redis.prefix}}`;
  const worker = (owner: string, leaseMs = 15_000) =>
    new RedisGatewayClaims(redis.connect(), prefix, owner, { leaseMs, retryMs: 20, waitMs: 5_000 });

  it('counts users across workers: a release says who still uses the gateway, the last one hears nobody', async () => {
    const [w1, w2] = [worker('w1'), worker('w2')];
    await w1.claim('gw-a', 'eks--gke');
    await w2.claim('gw-a', 'eks--aks');
    await w2.claim('gw-a', 'eks--aks');
    expect(await w1.users('gw-a')).toEqual(['eks--aks', 'eks--gke']);
    expect(await w2.release('gw-a', 'eks--gke')).toEqual(['eks--aks']);
    expect(await w1.release('gw-a', 'eks--gke')).toEqual(['eks--aks']);
    expect(await w1.release('gw-a', 'eks--aks')).toEqual([]);
  });

  it('a claim of a link that no longer exists is dropped when another link releases the gateway', async () => {
    const links = new Set(['eks--gke', 'eks--aks']);
    const w = new RedisGatewayClaims(redis.connect(), prefix, 'w1', {
      linkExists: async (link) => links.has(link),
    });
    await w.claim('gw-o', 'eks--gke');
    await w.claim('gw-o', 'eks--aks');
    await w.claim('gw-o', 'eks--onprem');
    // eks--onprem's Peering was deleted while its on-prem cluster was gone: its claim stayed.
    links.delete('eks--onprem');
    expect(await w.release('gw-o', 'eks--gke')).toEqual(['eks--aks']);
    expect(await w.users('gw-o')).toEqual(['eks--aks']);
    links.delete('eks--aks');
    expect(await w.release('gw-o', 'eks--aks')).toEqual([]);
  });

  it("one holder at a time across workers: a second worker's work starts only after the first's ends", async () => {
    const [w1, w2] = [worker('w1'), worker('w2')];
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const first = w1.exclusive('gw-b', async () => {
      order.push('w1 in');
      await held;
      order.push('w1 out');
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = w2.exclusive('gw-b', async () => {
      order.push('w2 in');
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(order).toEqual(['w1 in']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['w1 in', 'w1 out', 'w2 in']);
  });

  it('a holder killed mid-way keeps others out only until its lease lapses; a wait that outlasts it is a retryable Conflict', async () => {
    // A worker that took the lock and died: nobody renews or releases it.
    const dead = new ClusterLeases(redis.connect(), `${prefix}:lease:vpn-gateway`, 'dead', 400);
    expect(await dead.acquire('gw-c')).toBe(true);
    const impatient = new RedisGatewayClaims(redis.connect(), prefix, 'w3', { retryMs: 20, waitMs: 100 });
    const err = await impatient.exclusive('gw-c', async () => 'never').catch((e: unknown) => e);
    expect(isProviderError(err, 'Conflict')).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(true);
    expect(await worker('w4').exclusive('gw-c', async () => 'after the lease lapsed')).toBe(
      'after the lease lapsed',
    );
  });

  it('a link that needs more tunnel keys (AWS ↔ GCP, two to four) keeps the keys it has and gets new ones', async () => {
    const sealer = testSealer();
    const vault = new RedisTunnelKeyVault(redis.connect(), prefix, sealer);
    const two = await vault.keys('eks--gke', '', 2);
    const four = await vault.keys('eks--gke', '', 4);
    expect(four.slice(0, 2)).toEqual(two);
    expect(new Set(four).size).toBe(4);
    // Another worker asking again agrees on the same four.
    expect(await new RedisTunnelKeyVault(redis.connect(), prefix, sealer).keys('eks--gke', '', 4)).toEqual(
      four,
    );
  });
});
