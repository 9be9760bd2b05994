import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { RedisProcess } from '../../federation/runtime/redis-process.js';

/**
 * Starts one real redis-server on a free port for the whole run. Tests isolate themselves with
 * their own key prefix (see `testRedis()`); fault tests that kill Redis start their own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-test-redis-'));
  const redis = new RedisProcess({ dataDir: dir, persist: false });
  await redis.start();
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
