import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject, ObjectKey } from '../../../federation/resources/kube-object.js';
import { parseEncryptionConfig } from '../../../federation/store/encryption/encryption-config.js';
import { SEALED_FIELD, SecretCodec } from '../../../federation/store/encryption/secret-codec.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import { type TestRedis, testRedis } from '../../support/redis.js';

const PASSWORD = 'hunter2-correct-horse';
const TOKEN = 'plain-t0ken-battery-staple';
const skey = (name: string): ObjectKey => ({ type: 'Secret.v1', namespace: 'shop', name });
const secret = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'shop', labels: { app: 'web' } },
  type: 'Opaque',
  data: { password: Buffer.from(PASSWORD).toString('base64') },
  stringData: { token: TOKEN },
});

/** An EncryptionConfiguration with these keys (name → 32 bytes), in this order, optionally reading plaintext. */
function config(keys: [string, Buffer][], identity = false): string {
  const list = keys.map(
    ([name, k]) => `              - name: ${name}\n                secret: ${k.toString('base64')}\n`,
  );
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
${list.join('')}${identity ? '      - identity: {}\n' : ''}`;
}
const codec = (keys: [string, Buffer][], identity = false) =>
  new SecretCodec({ config: parseEncryptionConfig(config(keys, identity)) });

/** Every byte the store's keys hold in Redis: hashes, sets, strings and the change stream. */
async function everythingStored(redis: Redis, prefix: string): Promise<string> {
  let out = '';
  for (const k of await redis.keys(`*${prefix}*`)) {
    const type = await redis.type(k);
    if (type === 'hash') out += JSON.stringify(await redis.hgetall(k));
    else if (type === 'set') out += JSON.stringify(await redis.smembers(k));
    else if (type === 'string') out += await redis.get(k);
    else if (type === 'stream') out += JSON.stringify(await redis.xrange(k, '-', '+'));
    else throw new Error(`unexpected key type ${type} of ${k}`);
  }
  return out;
}

describe('Secret data encrypted at rest', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  let r: TestRedis;
  let redis: Redis;
  beforeEach(() => {
    r = testRedis();
    redis = r.connect();
  });
  afterEach(() => r.close());

  const storeWith = (c: SecretCodec) => new ResourceStore(r.connect(), { prefix: r.prefix, codec: c });

  it('keeps neither the data nor its base64 in Redis or the change feed, and reads it back', async () => {
    const store = storeWith(codec([['k1', k1]]));
    const created = await store.create(skey('db'), secret('db'));
    await store.updateStatus(skey('db'), { observed: true });
    expect(created).toMatchObject({ data: secret('db').data, stringData: { token: TOKEN } });
    expect(created[SEALED_FIELD]).toBeUndefined();

    const raw = await everythingStored(redis, r.prefix);
    expect(raw).toContain('k8s:enc:aesgcm:v1:k1:');
    for (const clear of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), TOKEN])
      expect(raw).not.toContain(clear);
    // Metadata stays readable: lists and selectors work.
    const stored = JSON.parse((await redis.hget(`{${r.prefix}}:o:Secret.v1:shop:db`, 'obj'))!) as KubeObject;
    expect(stored.metadata.labels).toEqual({ app: 'web' });

    expect(await store.get(skey('db'))).toMatchObject({
      data: secret('db').data,
      status: { observed: true },
    });
    expect((await store.list('Secret.v1', { labelSelector: 'app=web' })).items).toHaveLength(1);
    const events = await store.readEvents('0');
    expect(events.map((e) => e.object.stringData)).toEqual([{ token: TOKEN }, { token: TOKEN }]);
    // A write with the same content is no write: sealing anew (a fresh nonce) is not a change.
    expect((await store.update(skey('db'), secret('db'))).metadata.resourceVersion).toBe(
      (await store.get(skey('db')))!.metadata.resourceVersion,
    );
  });

  it('says clearly when the key is wrong, missing or not configured', async () => {
    await storeWith(codec([['k1', k1]])).create(skey('db'), secret('db'));
    await expect(storeWith(codec([['k1', k2]])).get(skey('db'))).rejects.toThrow(
      /Secret\.v1\/shop\/db cannot be read: it does not decrypt with key "k1"/,
    );
    await expect(storeWith(codec([['k2', k2]])).get(skey('db'))).rejects.toThrow(
      /encrypted with key "k1", which the encryption configuration does not list/,
    );
    await expect(new ResourceStore(r.connect(), { prefix: r.prefix }).get(skey('db'))).rejects.toThrow(
      /is encrypted \(key "k1"\) and no --encryption-provider-config is given/,
    );
  });

  it('binds sealed data to its Secret: moved to another, it does not open', async () => {
    const store = storeWith(codec([['k1', k1]]));
    await store.create(skey('a'), secret('a'));
    await store.create(skey('b'), { ...secret('b'), data: { password: 'b3RoZXI=' }, stringData: undefined });
    const sealedA = await redis.hget(`{${r.prefix}}:o:Secret.v1:shop:a`, 'obj');
    const stolen = JSON.parse(sealedA!) as Record<string, unknown>;
    const bodyB = JSON.parse((await redis.hget(`{${r.prefix}}:o:Secret.v1:shop:b`, 'obj'))!) as Record<
      string,
      unknown
    >;
    await redis.hset(
      `{${r.prefix}}:o:Secret.v1:shop:b`,
      'obj',
      JSON.stringify({ ...bodyB, [SEALED_FIELD]: stolen[SEALED_FIELD] }),
    );
    await expect(store.get(skey('b'))).rejects.toThrow(/does not decrypt with key "k1"/);
  });

  it('rotates keys: the new key second, then first with the rewrite, then the old one dropped', async () => {
    await storeWith(codec([['k1', k1]])).create(skey('old'), secret('old'));
    // Step 1, every process: the new key listed second reads and writes as before.
    expect(
      await storeWith(
        codec([
          ['k1', k1],
          ['k2', k2],
        ]),
      ).get(skey('old')),
    ).toMatchObject({ data: secret('old').data });
    // Step 2: the new key first seals new writes with it, reads the old ones, and rewrites them.
    const rotating = storeWith(
      codec([
        ['k2', k2],
        ['k1', k1],
      ]),
    );
    await rotating.create(skey('new'), secret('new'));
    expect(await redis.hget(`{${r.prefix}}:o:Secret.v1:shop:new`, 'obj')).toContain('k8s:enc:aesgcm:v1:k2:');
    expect(await rotating.objects.rewriteStale('Secret.v1')).toBe(1);
    expect(await rotating.objects.rewriteStale('Secret.v1')).toBe(0);
    // Step 3: the old key dropped, everything still reads.
    const after = storeWith(codec([['k2', k2]]));
    expect((await after.list('Secret.v1')).items.map((s) => s.data)).toEqual([
      secret('new').data,
      secret('old').data,
    ]);
    for (const name of ['old', 'new'])
      expect(await redis.hget(`{${r.prefix}}:o:Secret.v1:shop:${name}`, 'obj')).not.toContain(
        'aesgcm:v1:k1:',
      );
    // The feed still holds events sealed with k1 until trimmed: a reader without k1 gets them
    // without data and says why, instead of stopping there.
    const events = await after.readEvents('0');
    expect(events[0]!.object.metadata.annotations?.['fedgate.dev/unreadable']).toMatch(/key "k1"/);
    expect(events[0]!.object.data).toBeUndefined();
    expect(events.at(-1)!.object.data).toEqual(secret('old').data);
  });

  it('encrypts Secrets stored before encryption was enabled, reading them meanwhile only with identity listed', async () => {
    await new ResourceStore(r.connect(), { prefix: r.prefix }).create(skey('plain'), secret('plain'));
    await expect(storeWith(codec([['k1', k1]])).get(skey('plain'))).rejects.toThrow(
      /lists no identity provider/,
    );
    const enabling = storeWith(codec([['k1', k1]], true));
    expect(await enabling.get(skey('plain'))).toMatchObject({ stringData: { token: TOKEN } });
    expect(await enabling.objects.rewriteStale('Secret.v1')).toBe(1);
    expect(
      await everythingStored(redis, r.prefix).then((raw) => raw.slice(raw.lastIndexOf('k8s:enc'))),
    ).not.toContain(TOKEN);
    expect(await storeWith(codec([['k1', k1]])).get(skey('plain'))).toMatchObject({
      stringData: { token: TOKEN },
    });
  });

  it('refuses a Secret with data when no key is configured (the server default), storing nothing', async () => {
    const store = storeWith(new SecretCodec({ plaintext: 'refuse' }));
    await expect(store.create(skey('db'), secret('db'))).rejects.toMatchObject({
      code: 'Forbidden',
      message: expect.stringMatching(/--encryption-provider-config FILE .* --allow-plaintext-secrets/),
    });
    expect(await redis.keys(`*${r.prefix}*`)).toEqual([]);
    // A Secret without data, and any other kind, are stored.
    await store.create(skey('empty'), { ...secret('empty'), data: undefined, stringData: undefined });
    await store.create(
      { type: 'ConfigMap.v1', namespace: 'shop', name: 'c' },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'shop' },
        data: { a: '1' },
      },
    );
  });
});

describe('parseEncryptionConfig', () => {
  const key = randomBytes(32).toString('base64');
  it('names the field that is wrong, never the key', () => {
    const bad = (text: string) => () => parseEncryptionConfig(text, 'enc.yaml');
    expect(bad('kind: Foo')).toThrow(/enc.yaml: kind: must be EncryptionConfiguration/);
    expect(bad(config([['k', Buffer.alloc(16)]]))).toThrow(
      /providers\[0\]\.aesgcm\.keys\[0\]\.secret: must be the base64 of 32 random bytes/,
    );
    expect(
      bad(
        config([
          ['k', Buffer.alloc(32)],
          ['k', Buffer.alloc(32)],
        ]),
      ),
    ).toThrow(/"k" is listed twice/);
    expect(bad(config([['k', Buffer.alloc(32)]]).replace('aesgcm:', 'aescbc:'))).toThrow(
      /providers\[0\]\.aescbc: is not supported by fedgate; use aesgcm/,
    );
    expect(bad(config([['k', Buffer.alloc(32)]]).replace('[secrets]', '[configmaps]'))).toThrow(
      /must be \[secrets\]/,
    );
    try {
      parseEncryptionConfig(
        config([['k', Buffer.alloc(32)]]).replace('resources: [secrets]', 'resources: [secrets, x]'),
      );
    } catch (err) {
      expect(String(err)).not.toContain(Buffer.alloc(32).toString('base64'));
    }
  });
  it('seals with the first key of the first provider; identity first writes plaintext', () => {
    const c = parseEncryptionConfig(
      config([
        ['a', Buffer.from(key, 'base64')],
        ['b', randomBytes(32)],
      ]),
    );
    expect(c.writeKey).toBe('a');
    expect([...c.keys.keys()]).toEqual(['a', 'b']);
    const identityFirst = parseEncryptionConfig(
      `kind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - identity: {}\n      - aesgcm:\n          keys:\n            - name: a\n              secret: ${key}\n`,
    );
    expect(identityFirst).toMatchObject({ writeKey: undefined, readsPlaintext: true });
  });
});
