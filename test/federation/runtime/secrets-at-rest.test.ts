import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApi } from '../../../federation/runtime/api-process.js';
import { ensureEncryptionConfig, secretCodecFor } from '../../../federation/runtime/encryption-key-file.js';
import { kubernetesClientFactory } from '../../../federation/runtime/kube-client-factory.js';
import { RedisProcess } from '../../../federation/runtime/redis-process.js';
import { type ControlPlaneWorker, startWorker } from '../../../federation/runtime/worker.js';
import { type KubeSim, startKubeSim } from '../../../sim/kubernetes/index.js';
import { FAST_WORKER, memberCluster } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const PASSWORD = 'hunter2-correct-horse-at-rest';
const TOKEN = 'plain-t0ken-battery-staple-at-rest';
const B64 = Buffer.from(PASSWORD).toString('base64');

/**
 * A Secret applied through the API reaches the member cluster whole, while Redis (its keys, its
 * change stream, its AOF on disk) and every log line at trace level hold neither its data nor the
 * base64 of it.
 */
describe('a Secret through the whole control plane', () => {
  let dir: string;
  let redis: RedisProcess;
  let api: ApiProcess;
  let worker: ControlPlaneWorker;
  let sim: KubeSim;
  let logs = '';
  const token = 'secrets-at-rest-token';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedgate-secrets-'));
    redis = new RedisProcess({ dataDir: join(dir, 'redis'), persist: true });
    await redis.start();
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    const log = pino({ level: 'trace' }, sink);
    const keyFile = await ensureEncryptionConfig(dir);
    const secrets = await secretCodecFor(keyFile, 'refuse', log);
    sim = await startKubeSim({ name: 'a', nodes: [{ name: 'n1', cpu: '8', memory: '32Gi', pods: 110 }] });
    api = await startApi({ redisUrl: redis.url, token, log, metrics: new Registry(), secrets });
    worker = await startWorker({
      redisUrl: redis.url,
      ...FAST_WORKER,
      log,
      secrets,
      clientFactory: kubernetesClientFactory(),
    });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sim?.close();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('reaches the cluster and reads back through the API, and is nowhere in Redis, its AOF or the logs', async () => {
    const applied = await call('POST', '/api/v1/apply', {
      items: [
        memberCluster({ name: 'a', provider: 'aws', region: 'eu-west-1' }, sim.url),
        {
          apiVersion: 'fedgate.dev/v1alpha1',
          kind: 'PlacementPolicy',
          metadata: { name: 'secrets' },
          spec: {
            resourceSelectors: [{ apiVersion: 'v1', kind: 'Secret' }],
            replicaScheduling: { type: 'Duplicated' },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'db', namespace: 'shop' },
          type: 'Opaque',
          data: { password: B64 },
          stringData: { token: TOKEN },
        },
      ],
    });
    expect(applied.status).toBe(200);
    const inCluster = await waitFor(
      'the Secret in the member cluster',
      () => sim.object('v1/secrets', 'shop', 'db') as { data?: Record<string, string> } | undefined,
      60_000,
    );
    expect(inCluster.data?.password).toBe(B64);
    expect(Buffer.from(inCluster.data?.token ?? '', 'base64').toString()).toBe(TOKEN);
    const read = await call('GET', '/api/v1/namespaces/shop/objects/Secret.v1/db');
    expect(read.body).toMatchObject({ data: { password: B64 }, stringData: { token: TOKEN } });

    const conn = api.store.redis;
    let stored = '';
    for (const k of await conn.keys('*')) {
      const type = await conn.type(k);
      if (type === 'hash') stored += JSON.stringify(await conn.hgetall(k));
      else if (type === 'stream') stored += JSON.stringify(await conn.xrange(k, '-', '+'));
      else if (type === 'string') stored += await conn.get(k);
    }
    expect(stored).toContain('k8s:enc:aesgcm:v1:');
    // The AOF (appendfsync everysec): once the Secret's write is on disk, its data is not.
    const aof = async () => {
      const files = await readdir(join(dir, 'redis', 'appendonlydir'));
      const parts = await Promise.all(
        files.map((f) => readFile(join(dir, 'redis', 'appendonlydir', f), 'latin1')),
      );
      return parts.join('');
    };
    await waitFor(
      'the Secret written to the AOF',
      async () => (await aof()).includes('Secret.v1:shop:db'),
      20_000,
    );
    const disk = await aof();
    for (const clear of [PASSWORD, B64, TOKEN]) {
      expect(stored).not.toContain(clear);
      expect(disk).not.toContain(clear);
      expect(logs).not.toContain(clear);
    }
    expect(logs.length).toBeGreaterThan(0);
  }, 120_000);

  it('refuses Secrets in a server without keys, unless plaintext is allowed', async () => {
    const log = pino({ level: 'silent' });
    const refusing = await startApi({
      redisUrl: redis.url,
      storePrefix: 'refusing',
      token,
      log,
      metrics: new Registry(),
      secrets: await secretCodecFor(undefined, 'refuse', log),
    });
    try {
      const res = await fetch(`${refusing.url}/api/v1/apply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          items: [
            { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'x' }, data: { a: B64 } },
          ],
        }),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({
        message: expect.stringMatching(/--encryption-provider-config/),
      });
    } finally {
      await refusing.close();
    }
  });
});
