import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../../../federation/auth/session-store.js';
import { testRedis } from '../../support/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SessionStore (dashboard sessions in real Redis)', () => {
  const redis = testRedis();
  afterAll(() => redis.close());

  it('gives back the token and CSRF token of a session, and keeps neither the id nor the token readable in Redis', async () => {
    const conn = redis.connect();
    const store = new SessionStore({ redis: conn, prefix: redis.prefix });
    const { id, csrf } = await store.open('secret-token-1');
    expect(await store.use(id)).toEqual({ token: 'secret-token-1', csrf });
    const keys = await conn.keys(`${redis.prefix}:session:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(id);
    const stored = JSON.stringify(await conn.hgetall(keys[0]!));
    expect(stored).not.toContain('secret-token-1');
    expect(stored).not.toContain(id);
    // Another id (one character off) opens nothing.
    const other = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`;
    expect(await store.use(other)).toBeUndefined();
  });

  it('ends a session left unused for the idle time, and renews it on use', async () => {
    const conn = redis.connect();
    const store = new SessionStore({ redis: conn, prefix: redis.prefix, idleMs: 600 });
    const kept = await store.open('t-kept');
    const left = await store.open('t-left');
    for (let i = 0; i < 4; i++) {
      await sleep(300);
      expect((await store.use(kept.id))?.token).toBe('t-kept');
    }
    expect(await store.use(left.id)).toBeUndefined();
  });

  it('ends a session at its maximum age however often it is used', async () => {
    let now = 1_000_000;
    const store = new SessionStore({
      redis: redis.connect(),
      prefix: redis.prefix,
      maxMs: 10_000,
      now: () => now,
    });
    const { id } = await store.open('t-old');
    now += 9_000;
    expect((await store.use(id))?.token).toBe('t-old');
    now += 2_000;
    expect(await store.use(id)).toBeUndefined();
    now -= 2_000; // and it is gone, not merely refused
    expect(await store.use(id)).toBeUndefined();
  });

  it('ends a session on close (sign-out)', async () => {
    const store = new SessionStore({ redis: redis.connect(), prefix: redis.prefix });
    const { id } = await store.open('t-out');
    await store.close(id);
    expect(await store.use(id)).toBeUndefined();
  });
});
