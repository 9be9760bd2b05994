import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../../../federation/runtime/redis-process.js';
import { configMap, configMapValue, CONFIGMAPS_EVERYWHERE as policy } from '../../support/config-maps.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

describe('a Redis restart', () => {
  let dir: string;
  let redis: RedisProcess;
  let cp: TestControlPlane;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedgate-restart-'));
    redis = new RedisProcess({ dataDir: dir, persist: true });
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
    await cp.close();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const valueIn = (cluster: string) => configMapValue(cp, cluster, 'settings');

  it('keeps desired state (AOF) and the system converges on changes made after it', async () => {
    expect((await cp.apply([policy, configMap('settings', 'one')])).status).toBe(200);
    await waitFor('v1 in both', () => valueIn('a') === 'one' && valueIn('b') === 'one');

    // Past appendfsync everysec, then a hard kill: what was acknowledged is on disk.
    await new Promise((r) => setTimeout(r, 1_500));
    await redis.restart(true);
    await waitFor(
      'API ready again',
      async () => (await cp.request('GET', '/api/v1/objects/ConfigMap.v1')).status === 200,
    );
    const list = await cp.request('GET', '/api/v1/objects/PlacementPolicy.v1alpha1.fedgate.dev');
    expect(
      (list.body as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name),
    ).toEqual(['everywhere']);

    expect((await cp.apply([configMap('settings', 'two')])).status).toBe(200);
    await waitFor(
      'v2 in both after the restart',
      () => valueIn('a') === 'two' && valueIn('b') === 'two',
      30_000,
    );
  });
});
