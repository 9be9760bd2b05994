import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApi } from '../../../federation/runtime/api-process.js';
import { testRedis } from '../../support/redis.js';

const CLUSTERS = '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev';

/** The cookies of a Set-Cookie answer, as a Cookie header, and the CSRF token. */
function cookiesOf(res: Response): { cookie: string; csrf: string } {
  const pairs = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = pairs.find((p) => p.startsWith('fedgate_csrf='))!.slice('fedgate_csrf='.length);
  return { cookie: pairs.join('; '), csrf };
}

describe('dashboard sessions across API replicas and restarts (real Redis)', () => {
  const redis = testRedis();
  const token = randomBytes(16).toString('hex');
  const apis: ApiProcess[] = [];
  const start = async () => {
    const api = await startApi({
      redisUrl: redis.url,
      storePrefix: redis.prefix,
      token,
      log: pino({ level: 'silent' }),
      metrics: new Registry(),
    });
    apis.push(api);
    return api;
  };
  afterAll(async () => {
    for (const a of apis) await a.close().catch(() => {});
    await redis.close();
  });

  it('a session opened on one replica is accepted by another and by a restarted one; sign-out ends it everywhere', async () => {
    const a = await start();
    const b = await start();
    const opened = await fetch(`${a.url}/api/v1/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(opened.status).toBe(200);
    const { cookie, csrf } = cookiesOf(opened);

    expect((await fetch(`${b.url}${CLUSTERS}`, { headers: { cookie } })).status).toBe(200);
    expect(await (await fetch(`${b.url}/api/v1/session`, { headers: { cookie } })).json()).toEqual({
      signedIn: true,
    });

    await a.close();
    const restarted = await start();
    expect((await fetch(`${restarted.url}${CLUSTERS}`, { headers: { cookie } })).status).toBe(200);

    // Sign-out needs the CSRF header, and then ends the session on every replica.
    expect((await fetch(`${b.url}/api/v1/session`, { method: 'DELETE', headers: { cookie } })).status).toBe(
      403,
    );
    const out = await fetch(`${b.url}/api/v1/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-fedgate-csrf': csrf },
    });
    expect(out.status).toBe(204);
    expect((await fetch(`${restarted.url}${CLUSTERS}`, { headers: { cookie } })).status).toBe(401);
    expect(await (await fetch(`${restarted.url}/api/v1/session`, { headers: { cookie } })).json()).toEqual({
      signedIn: false,
    });
  });
});
