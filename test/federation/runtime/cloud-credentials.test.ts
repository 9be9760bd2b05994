import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApi } from '../../../federation/runtime/api-process.js';
import { workerCloudAdapters } from '../../../federation/runtime/cloud-credentials.js';
import { kubernetesClientFactory } from '../../../federation/runtime/kube-client-factory.js';
import { type ControlPlaneWorker, startWorker } from '../../../federation/runtime/worker.js';
import {
  newEncryptionConfig,
  parseEncryptionConfig,
} from '../../../federation/store/encryption/encryption-config.js';
import { SecretCodec } from '../../../federation/store/encryption/secret-codec.js';
import { type Ec2Sim, startEc2Sim } from '../../../sim/ec2/index.js';
import { FAST_WORKER } from '../../support/control-plane.js';
import { type TestRedis, testRedis } from '../../support/redis.js';
import { waitFor } from '../../support/wait-for.js';

const ACCOUNT = {
  accountId: '210987654321',
  accessKeyId: 'AKIAFEDGATECREDTEST',
  secretAccessKey: 'Zq7/credential+at+rest/4dK9pLmN2oP3qR5sT',
};
const CC = 'CloudCredential.v1alpha1.fedgate.dev';
const MC = 'MemberCluster.v1alpha1.fedgate.dev';

/**
 * CloudCredentials through the real API, store and worker: sealed in Redis, never in an answer
 * (GET, list, apply, watch), bad ones refused, and the worker reaching EC2 (the simulator,
 * through the real SDK) with the stored credential, or with the SDK's own chain when a cluster
 * names none.
 */
describe('CloudCredential: sealed at rest, redacted on read, resolved by the worker', () => {
  let redis: TestRedis;
  let sim: Ec2Sim;
  let api: ApiProcess;
  let worker: ControlPlaneWorker;
  const token = 'cloud-credentials-test-token';

  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const credential = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'CloudCredential',
    metadata: { name },
    spec,
  });
  const cluster = (name: string, secretRef?: string) => ({
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'MemberCluster',
    metadata: { name },
    spec: {
      provider: 'aws',
      region: 'eu-central-1',
      connection: { server: 'https://127.0.0.1:1' },
      cloud: {
        account: ACCOUNT.accountId,
        clusterName: 'eks-creds',
        endpoint: sim.url,
        ...(secretRef ? { credentials: { secretRef: { name: secretRef } } } : {}),
      },
    },
  });
  const inventoryCondition = (name: string) =>
    waitFor(
      `CloudInventory of ${name}`,
      async () => {
        const r = await request('GET', `/api/v1/objects/${MC}/${name}`);
        const conds = (
          r.body.status as {
            conditions?: { type: string; status: string; reason: string; message: string }[];
          }
        )?.conditions;
        return conds?.find((c) => c.type === 'CloudInventory');
      },
      60_000,
    );

  beforeAll(async () => {
    redis = testRedis();
    sim = await startEc2Sim({ accounts: [ACCOUNT], operationMs: 20 });
    const net = sim.seed.network({
      account: ACCOUNT.accountId,
      region: 'eu-central-1',
      name: 'creds-vpc',
      cidr: '10.61.0.0/16',
      subnets: [{ cidr: '10.61.1.0/24', zone: 'eu-central-1a' }],
    });
    sim.seed.cluster({
      clusterName: 'eks-creds',
      subnetIds: net.subnetIds,
      instanceType: 'm6i.large',
      count: 2,
    });
    const secrets = new SecretCodec({ config: parseEncryptionConfig(newEncryptionConfig()) });
    const log = pino({ level: 'silent' });
    api = await startApi({
      redisUrl: redis.url,
      storePrefix: redis.prefix,
      token,
      log,
      metrics: new Registry(),
      secrets,
    });
    worker = await startWorker({
      redisUrl: redis.url,
      storePrefix: redis.prefix,
      queuePrefix: `{${redis.prefix}q}`,
      ...FAST_WORKER,
      log,
      secrets,
      clientFactory: kubernetesClientFactory(),
      cloud: workerCloudAdapters({ pollIntervalMs: 20 }),
    });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sim?.close();
    await redis?.close();
  });

  it('seals the secret fields in Redis and shows only which fields are set, in every answer', async () => {
    const applied = await request('POST', '/api/v1/apply', {
      items: [
        credential('aws-demo', {
          provider: 'aws',
          accessKeyId: ACCOUNT.accessKeyId,
          secretAccessKey: ACCOUNT.secretAccessKey,
        }),
      ],
    });
    expect(applied.status).toBe(200);
    expect(applied.text).not.toContain(ACCOUNT.secretAccessKey);

    const one = await request('GET', `/api/v1/objects/${CC}/aws-demo`);
    expect(one.status).toBe(200);
    expect(one.body.spec).toEqual({ provider: 'aws', accessKeyId: '(set)', secretAccessKey: '(set)' });
    const list = await request('GET', `/api/v1/objects/${CC}`);
    expect(list.text).toContain('aws-demo');
    expect(list.text).not.toContain(ACCOUNT.secretAccessKey);
    expect(list.text).not.toContain(ACCOUNT.accessKeyId);

    // The watch replays the change feed from the start: the event carries the redacted object.
    const ctl = new AbortController();
    const res = await fetch(`${api.url}/api/v1/watch?resourceVersion=0&type=${CC}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: ctl.signal,
    });
    const reader = res.body!.getReader();
    let seen = '';
    while (!seen.includes('aws-demo')) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += Buffer.from(value).toString('utf8');
    }
    ctl.abort();
    expect(seen).toContain('"secretAccessKey":"(set)"');
    expect(seen).not.toContain(ACCOUNT.secretAccessKey);

    // Raw Redis: the object hash and the change stream hold ciphertext only.
    const conn = redis.connect();
    const keys = await conn.keys(`*${redis.prefix}*`);
    let raw = '';
    for (const k of keys) {
      const type = await conn.type(k);
      if (type === 'hash') raw += JSON.stringify(await conn.hgetall(k));
      else if (type === 'stream') raw += JSON.stringify(await conn.xrange(k, '-', '+'));
      else if (type === 'string') raw += (await conn.get(k)) ?? '';
    }
    expect(raw).toContain('aws-demo');
    expect(raw).toContain('k8s:enc:aesgcm:v1:');
    expect(raw).not.toContain(ACCOUNT.secretAccessKey);
    expect(raw).not.toContain(ACCOUNT.accessKeyId);
  });

  it('refuses bad credentials with the field and why, and stores nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ provider: 'aws', accessKeyId: ACCOUNT.accessKeyId }, /spec\.secretAccessKey/],
      [
        { provider: 'aws', accessKeyId: 'not-a-key', secretAccessKey: ACCOUNT.secretAccessKey },
        /spec\.accessKeyId: must be an AWS access key id/,
      ],
      [
        { provider: 'gcp', accessToken: 'a', serviceAccountKey: '{}' },
        /exactly one of serviceAccountKey and accessToken/,
      ],
      [{ provider: 'azure', clientId: 'x' }, /tenantId, clientId and clientSecret, or token alone/],
      [{ provider: 'digitalocean', token: 'x' }, /spec\.provider/],
      // A read's placeholder applied back must not replace the stored value.
      [{ provider: 'azure', token: '(set)' }, /spec\.token: .*is how reads show a stored value/],
      [
        {
          provider: 'aws',
          accessKeyId: ACCOUNT.accessKeyId,
          secretAccessKey: ACCOUNT.secretAccessKey,
          region: 'x',
        },
        /spec: .*region|Unrecognized key/,
      ],
    ];
    for (const [i, [spec, why]] of cases.entries()) {
      const r = await request('POST', '/api/v1/apply', { items: [credential(`bad-${i}`, spec)] });
      expect(r.status, JSON.stringify(spec)).toBe(422);
      expect(r.text).toMatch(why);
      expect(r.text).not.toContain(ACCOUNT.secretAccessKey);
      expect((await request('GET', `/api/v1/objects/${CC}/bad-${i}`)).status).toBe(404);
    }
  });

  it('the worker discovers inventory with the stored credential; a missing one is named in the condition', async () => {
    expect(
      (await request('POST', '/api/v1/apply', { items: [cluster('aws-creds', 'aws-demo')] })).status,
    ).toBe(200);
    const ok = await inventoryCondition('aws-creds');
    expect(ok).toMatchObject({ status: 'True', reason: 'Discovered' });

    expect(
      (await request('POST', '/api/v1/apply', { items: [cluster('aws-nocred', 'absent')] })).status,
    ).toBe(200);
    const missing = await inventoryCondition('aws-nocred');
    expect(missing).toMatchObject({ status: 'False', reason: 'CloudUnauthorized' });
    expect((missing as unknown as { message: string }).message).toContain(
      'no CloudCredential named "absent"',
    );
  }, 90_000);

  it('without a credential reference, the SDK standard chain is used (here: the environment)', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = ACCOUNT.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = ACCOUNT.secretAccessKey;
    try {
      expect((await request('POST', '/api/v1/apply', { items: [cluster('aws-chain')] })).status).toBe(200);
      expect(await inventoryCondition('aws-chain')).toMatchObject({ status: 'True', reason: 'Discovered' });
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  }, 90_000);
});
