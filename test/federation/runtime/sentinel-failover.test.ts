import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, configMapValue, CONFIGMAPS_EVERYWHERE as policy } from '../../support/config-maps.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { SentinelTopology } from '../../support/sentinel.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * fedgate on a Sentinel-managed Redis (REDIS_URL redis+sentinel://…): the primary is SIGKILLed
 * mid-run; the Sentinels promote the replica, and the API and the worker (store, change feed,
 * BullMQ) follow it and converge on what is applied after.
 */
describe('a Redis primary failing over to its replica', () => {
  let dir: string;
  let redis: SentinelTopology;
  let cp: TestControlPlane;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedgate-sentinel-'));
    redis = new SentinelTopology(dir);
    await redis.start();
    cp = await startTestControlPlane(
      [
        { name: 'a', provider: 'aws', region: 'eu-west-1' },
        { name: 'b', provider: 'gcp', region: 'europe-west1' },
      ],
      { redisUrl: redis.url },
    );
  });
  afterAll(async () => {
    await cp?.close();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const valueIn = (cluster: string, name: string) => configMapValue(cp, cluster, name);
  const everywhere = (name: string, value: string) =>
    valueIn('a', name) === value && valueIn('b', name) === value;

  it('follows the promoted replica: API and workers converge after the primary is killed', async () => {
    expect((await cp.apply([policy, configMap('before', 'one')])).status).toBe(200);
    await waitFor('placed before the failover', () => everywhere('before', 'one'), 60_000);

    // Mid-run: a batch is applied and the primary dies while the worker places it. WAIT is what a
    // client does to know its write reached a replica (asynchronous replication loses it otherwise).
    const batch = Array.from({ length: 8 }, (_, i) => configMap(`batch-${i}`, 'b'));
    expect((await cp.apply(batch)).status).toBe(200);
    const primary = new Redis(redis.primary.port, '127.0.0.1');
    expect(await primary.wait(1, 10_000)).toBe(1);
    primary.disconnect();
    const oldPrimary = redis.primary.port;
    await redis.primary.stop(true);
    await waitFor(
      'the Sentinels to promote the replica',
      async () => (await redis.primaryPort()) !== oldPrimary,
      60_000,
      250,
    );
    expect(await redis.primaryPort()).toBe(redis.replica.port);

    // The API answers again, from the new primary, and what it kept is there.
    await waitFor(
      'the API on the new primary',
      async () => (await cp.request('GET', '/readyz')).status === 200,
      60_000,
      250,
    );
    const kept = await waitFor(
      'a read from the new primary',
      async () => {
        const res = await cp.request('GET', '/api/v1/objects/PlacementPolicy.v1alpha1.fedgate.dev');
        return res.status === 200 ? res : undefined;
      },
      60_000,
      250,
    );
    expect(
      (kept.body as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name),
    ).toEqual(['everywhere']);

    // Writes go to the new primary and the worker places them.
    const applied = await waitFor(
      'an apply accepted by the new primary',
      async () => {
        const res = await cp.apply([configMap('before', 'two'), configMap('after', 'three')]);
        return res.status === 200 ? res : undefined;
      },
      60_000,
      250,
    );
    expect(applied.status).toBe(200);
    await waitFor(
      'the batch applied while the primary died placed',
      () => batch.every((cm) => everywhere(cm.metadata.name, 'b')),
      90_000,
    );
    await waitFor(
      'changes after the failover placed',
      () => everywhere('before', 'two') && everywhere('after', 'three'),
      90_000,
    );
  }, 240_000);
});
