import { randomBytes, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS } from '../../../peering/gateway/link-stats.js';
import { trafficBucketKey } from '../../../peering/gateway/traffic-series.js';
import { createGatewayCsr } from '../../../peering/identity/csr.js';
import { generateKeyPair, KEY_ALG, x509 } from '../../../peering/identity/x509.js';
import { type ApiHarness, apiHarness, memberCluster } from './harness.js';

const FEDERATION = 'fed.test';

describe('gateway tokens and the gateway routes', () => {
  let h: ApiHarness;
  let gwA = '';
  const as = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    h = await apiHarness({ gateways: { federation: FEDERATION, operatorKey: randomBytes(32) } });
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'gw-a', role: 'gateway', cluster: 'a' },
    });
    expect(res.statusCode, res.body).toBe(201);
    gwA = res.json<{ token: string }>().token;
    expect(res.json()).toMatchObject({ role: 'gateway', cluster: 'a' });
    await h.call({ method: 'POST', url: '/api/v1/apply', payload: { items: [memberCluster('a')] } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses a gateway token without its cluster, and a cluster on another role', async () => {
    for (const payload of [
      { name: 'gw-x', role: 'gateway' },
      { name: 'p-x', role: 'platform', cluster: 'a' },
    ]) {
      const res = await h.call({ method: 'POST', url: '/api/v1/tokens', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ fields: { path: string }[] }>().fields[0]?.path).toBe('cluster');
    }
  });

  it("signs a CSR for the token's own cluster only, naming that cluster whatever the CSR asks", async () => {
    // A CSR that asks for another cluster's identity, as subject and as SAN.
    const keys = await generateKeyPair();
    const greedy = await x509.Pkcs10CertificateRequestGenerator.create({
      name: `CN=b,O=${FEDERATION}`,
      keys,
      signingAlgorithm: KEY_ALG,
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: 'url', value: `spiffe://${FEDERATION}/cluster/b` },
          { type: 'dns', value: 'evil.example' },
        ]),
      ],
    });
    const res = await as(gwA, 'POST', '/api/v1/gateways/a/certificate', {
      csr: greedy.toString('pem'),
      ttlSeconds: 3600,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ certChainPem: string; trustBundlePem: string; spiffeId: string }>();
    expect(body.spiffeId).toBe(`spiffe://${FEDERATION}/cluster/a`);
    expect(res.body).not.toMatch(/PRIVATE KEY/);
    const [leafPem, intermediatePem] = body.certChainPem.split(/(?<=-----END CERTIFICATE-----)\n+/);
    const leaf = new X509Certificate(leafPem!);
    const intermediate = new X509Certificate(intermediatePem!);
    const root = new X509Certificate(body.trustBundlePem);
    expect(leaf.subjectAltName).toBe(`URI:spiffe://${FEDERATION}/cluster/a`);
    expect(leaf.verify(intermediate.publicKey)).toBe(true);
    expect(intermediate.verify(root.publicKey)).toBe(true);
    // Over the CSR's key: the gateway's own private key is what goes with it.
    expect(leaf.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      Buffer.from(greedy.publicKey.rawData),
    );
    const life = Date.parse(leaf.validTo) - Date.parse(leaf.validFrom);
    expect(life).toBeLessThanOrEqual(3600_000 + 5 * 60_000 + 1000);

    // Another cluster's routes, and every other route, are closed to it.
    const { csrPem } = await createGatewayCsr('b', FEDERATION);
    expect((await as(gwA, 'POST', '/api/v1/gateways/b/certificate', { csr: csrPem })).statusCode).toBe(403);
    expect((await as(gwA, 'GET', '/api/v1/gateways/b/config')).statusCode).toBe(403);
    for (const url of [
      '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev',
      '/api/v1/regions',
      '/api/v1/tokens',
      '/api/v1/plan/peering',
    ]) {
      const r = await as(gwA, 'GET', url);
      expect([url, r.statusCode]).toEqual([url, 403]);
      expect(r.json<{ message: string }>().message).toContain('role gateway, cluster a');
    }
  });

  it('refuses a malformed or forged CSR with the field named, and signs nothing', async () => {
    const bad = await as(gwA, 'POST', '/api/v1/gateways/a/certificate', { csr: 'not a csr' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ fields: { path: string }[] }>().fields[0]?.path).toBe('csr');
    // A valid request whose signature was altered: it does not prove the key.
    const { csrPem } = await createGatewayCsr('a', FEDERATION);
    const der = Buffer.from(x509.PemConverter.decode(csrPem)[0]!);
    der[der.length - 3] = der[der.length - 3]! ^ 0xff;
    const forged = x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
    const res = await as(gwA, 'POST', '/api/v1/gateways/a/certificate', { csr: forged });
    expect(res.statusCode).toBe(400);
  });

  it('serves its configuration, and takes the traffic it sent (only that)', async () => {
    const cfg = await as(gwA, 'GET', '/api/v1/gateways/a/config');
    expect(cfg.statusCode, cfg.body).toBe(200);
    expect(cfg.json<{ clusters: Record<string, unknown> }>().clusters).toHaveProperty('a');

    const link = (source: string) => ({
      source,
      destination: 'b',
      service: 'shop/api',
      requests: 3,
      errors: 1,
      bytesIn: 10,
      bytesOut: 20,
      buckets: LATENCY_BUCKETS_MS.map(() => 0)
        .concat(0)
        .map((_, i) => (i === 2 ? 3 : 0)),
    });
    const other = await as(gwA, 'POST', '/api/v1/gateways/a/traffic', { links: [link('c')] });
    expect(other.statusCode).toBe(400);
    expect(other.json<{ fields: { path: string }[] }>().fields[0]?.path).toBe('links[0].source');
    const ok = await as(gwA, 'POST', '/api/v1/gateways/a/traffic', { links: [link('a')] });
    expect(ok.statusCode, ok.body).toBe(204);
    const start = Math.floor(Date.now() / 10_000) * 10;
    const fields = {
      ...(await h.store.redis.hgetall(trafficBucketKey(h.redis.prefix, start))),
      ...(await h.store.redis.hgetall(trafficBucketKey(h.redis.prefix, start - 10))),
    };
    expect(fields['a|b|shop/api|n']).toBe('3');
    expect(Object.keys(fields).some((k) => k.startsWith('c|'))).toBe(false);
  });
});
