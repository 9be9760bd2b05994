import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../../../federation/api/server.js';
import { RedisTunnelKeyVault } from '../../../federation/controllers/peering/redis-key-vault.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import { newTunnelKey } from '../../../peering/orchestrate/tunnel-keys.js';
import { swanctlConf } from '../../../providers/onprem/vpn-config.js';
import { type TestRedis, testRedis } from '../../support/redis.js';
import { testSealer } from '../../support/sealer.js';
import { TOKEN } from './harness.js';

/** `GET /api/v1/peerings/:name/config`: the on-prem end's swanctl.conf, keys included, for admins only. */
describe('peering on-prem configuration route', () => {
  let redis: TestRedis;
  let app: Awaited<ReturnType<typeof buildApiServer>>;
  let vault: RedisTunnelKeyVault;
  const keys = [newTunnelKey(), newTunnelKey()];
  const config = swanctlConf({
    localAddress: '198.51.100.7',
    localCidrs: ['192.168.0.0/16'],
    remoteCidrs: ['10.20.0.0/16'],
    tunnels: [
      { name: 'fedgate-dc1--eks-0', remoteAddress: '203.0.113.2', sharedKey: keys[0]! },
      { name: 'fedgate-dc1--eks-1', remoteAddress: '203.0.113.3', sharedKey: keys[1]! },
    ],
  });
  const call = (url: string, token = TOKEN) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    redis = testRedis();
    const conn = redis.connect();
    const store = new ResourceStore(conn, { prefix: redis.prefix });
    vault = new RedisTunnelKeyVault(conn, redis.prefix, testSealer());
    app = await buildApiServer({
      store,
      token: TOKEN,
      logger: pino({ level: 'silent' }),
      metrics: new Registry(),
      ready: async () => true,
      peeringConfigs: vault,
    });
    const applied = await app.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: {
        items: [
          {
            apiVersion: 'fedgate.dev/v1alpha1',
            kind: 'Peering',
            metadata: { name: 'dc1--eks' },
            spec: { clusters: ['dc1', 'eks'], type: 'IPsecVPN' },
          },
        ],
      },
    });
    expect(applied.statusCode, applied.body).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
    await redis?.close();
  });

  it('is 404 until the set-up stored a configuration, then answers it to an admin, not cached', async () => {
    const none = await call('/api/v1/peerings/dc1--eks/config');
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toMatch(/no on-prem configuration/);
    await vault.saveConfig('dc1--eks', config);
    const res = await call('/api/v1/peerings/dc1--eks/config');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ peering: 'dc1--eks', format: 'swanctl', config });
    expect(res.json().config).toContain(`secret = "${keys[0]}"`);
    expect((await call('/api/v1/peerings/nope/config')).statusCode).toBe(404);
  });

  it('refuses every role but admin', async () => {
    for (const role of ['platform', 'readonly']) {
      const made = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { authorization: `Bearer ${TOKEN}` },
        payload: { name: `t-${role}`, role },
      });
      expect(made.statusCode, made.body).toBe(201);
      const res = await call('/api/v1/peerings/dc1--eks/config', made.json().token);
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain(keys[0]);
      expect(res.json().message).toMatch(/may not read VPN secrets/);
    }
  });

  it('keeps it sealed in Redis, and the Peering object shows no key', async () => {
    const raw = await redis.connect().hgetall(`${redis.prefix}:peering-keys:dc1--eks`);
    expect(Object.keys(raw)).toContain('onprem');
    for (const k of keys) expect(JSON.stringify(raw)).not.toContain(k);
    const obj = await call('/api/v1/objects/Peering.v1alpha1.fedgate.dev/dc1--eks');
    for (const k of keys) expect(obj.body).not.toContain(k);
    await vault.forget('dc1--eks');
    expect((await call('/api/v1/peerings/dc1--eks/config')).statusCode).toBe(404);
  });
});
