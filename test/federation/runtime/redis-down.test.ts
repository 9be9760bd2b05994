import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../federation/runtime/free-port.js';
import { RedisProcess } from '../../../federation/runtime/redis-process.js';
import { waitFor } from '../../support/wait-for.js';
import { exited, withOutput } from '../../support/worker-process.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TOKEN = 'redis-down-test-token';

/**
 * `fedgate server` with its Redis gone: readiness and reads answer 503 at once (not after the
 * client's retries run out), and no connection prints ioredis' "Unhandled error event".
 */
describe('fedgate server with Redis down', () => {
  let dir: string;
  let redis: RedisProcess;
  let server: ReturnType<typeof withOutput>;
  let url: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedgate-redis-down-'));
    redis = new RedisProcess({ dataDir: dir, persist: false });
    await redis.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = withOutput(
      spawn(
        process.execPath,
        ['--import', 'tsx', 'federation/cli/main.ts', 'server', '--port', String(port)],
        {
          cwd: ROOT,
          env: { ...process.env, REDIS_URL: redis.url, FEDGATE_TOKEN: TOKEN, FEDGATE_LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    );
    await waitFor('the API ready', async () => (await fetch(`${url}/readyz`)).status === 200, 60_000, 200);
  });
  afterAll(async () => {
    server.kill('SIGTERM');
    await exited(server);
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const call = (path: string) =>
    fetch(`${url}${path}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      // Far below the 15 s the client used to spend retrying: a hang fails the test.
      signal: AbortSignal.timeout(8_000),
    });

  it('answers 503 at once on /readyz and reads, and never prints an unhandled ioredis error', async () => {
    // A watch opens the hub's dedicated connection, which must handle its errors too.
    const watch = await fetch(`${url}/api/v1/watch`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(watch.status).toBe(200);
    expect((await call('/api/v1/objects/ConfigMap.v1')).status).toBe(200);

    await redis.stop(true);
    await waitFor('readyz 503', async () => (await call('/readyz')).status === 503, 20_000, 100);
    const ready = await call('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/redis/i),
    });

    const read = await call('/api/v1/objects/ConfigMap.v1');
    expect(read.status).toBe(503);
    expect(await read.json()).toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/redis/i),
    });
    const readOne = await call('/api/v1/namespaces/app/objects/ConfigMap.v1/settings');
    expect(readOne.status).toBe(503);

    // Let the reconnect loop run through several attempts while the watch is open.
    await new Promise((r) => setTimeout(r, 3_000));
    await watch.body?.cancel();
    expect(server.output()).not.toContain('Unhandled error event');

    await redis.start();
    await waitFor('readyz 200 again', async () => (await call('/readyz')).status === 200, 30_000, 200);
    expect((await call('/api/v1/objects/ConfigMap.v1')).status).toBe(200);
  }, 90_000);
});
