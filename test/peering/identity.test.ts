import { randomBytes, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FederationCa } from '../../peering/identity/federation-ca.js';
import { KeySealError } from '../../peering/identity/key-seal.js';
import { clusterSpiffeId, parseSpiffeId, workloadSpiffeId } from '../../peering/identity/spiffe.js';

/** Opens an mTLS connection from `client` material to a server; resolves with the peer's URI SAN or the error. */
async function handshake(
  server: { chain: string; key: string; ca: string },
  client: { chain: string; key: string; ca: string },
): Promise<string> {
  const srv = tls.createServer(
    { cert: server.chain, key: server.key, ca: server.ca, requestCert: true, rejectUnauthorized: true },
    (s) => s.end(String(s.getPeerCertificate().subjectaltname)),
  );
  srv.on('tlsClientError', () => {});
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  try {
    const sock = tls.connect({
      port: (srv.address() as AddressInfo).port,
      host: '127.0.0.1',
      cert: client.chain,
      key: client.key,
      ca: client.ca,
      checkServerIdentity: () => undefined,
    });
    let data = '';
    sock.on('data', (d) => {
      data += d;
    });
    await new Promise<void>((resolve, reject) => {
      sock.on('end', resolve);
      sock.on('error', reject);
      sock.on('close', () => resolve());
    });
    if (!sock.authorized) throw new Error(String(sock.authorizationError));
    if (data === '') throw new Error('the server refused the client');
    return data;
  } finally {
    srv.close();
  }
}

const mat = (c: { certChainPem: string; keyPem: string }, ca: string) => ({
  chain: c.certChainPem,
  key: c.keyPem,
  ca,
});

describe('SPIFFE IDs', () => {
  it('formats and parses cluster and workload identities, refusing anything else', () => {
    expect(clusterSpiffeId('fed.local', 'eu-1')).toBe('spiffe://fed.local/cluster/eu-1');
    expect(parseSpiffeId(workloadSpiffeId('fed.local', 'shop', 'cart'))).toEqual({
      kind: 'workload',
      federation: 'fed.local',
      namespace: 'shop',
      serviceAccount: 'cart',
    });
    expect(parseSpiffeId('spiffe://fed.local/cluster/../x')).toBeUndefined();
    expect(parseSpiffeId('https://fed.local/cluster/a')).toBeUndefined();
    expect(() => clusterSpiffeId('Fed_Local', 'a')).toThrow(/trust domain/);
  });
});

describe('FederationCa', () => {
  it('issues a short-lived gateway certificate with the SPIFFE URI SAN, chaining root → intermediate → leaf', async () => {
    const ca = await FederationCa.create({ federation: 'fed.local' });
    const c = await ca.issueGatewayCertificate('eu-1', { ttlMs: 3_600_000 });
    const [leafPem, intPem] = c.certChainPem.split(/(?<=-----END CERTIFICATE-----)\n/);
    const leaf = new X509Certificate(leafPem!);
    const intermediate = new X509Certificate(intPem!);
    const root = new X509Certificate(ca.trustBundlePem());
    expect(leaf.subjectAltName).toBe('URI:spiffe://fed.local/cluster/eu-1');
    expect(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey)).toBe(true);
    expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true);
    expect(intermediate.ca && !leaf.ca).toBe(true);
    const lifetime = Date.parse(leaf.validTo) - Date.now();
    expect(lifetime).toBeLessThanOrEqual(3_600_000);
    expect(lifetime).toBeGreaterThan(3_500_000);
    // The default lifetime is 24 h.
    const d = await ca.issueGatewayCertificate('eu-1');
    expect(d.notAfter.getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
  });

  it('mTLS succeeds between two gateways of the federation and fails against a foreign CA', async () => {
    const ca = await FederationCa.create({ federation: 'fed.local' });
    const foreign = await FederationCa.create({ federation: 'fed.local' });
    const a = await ca.issueGatewayCertificate('a');
    const b = await ca.issueGatewayCertificate('b');
    const x = await foreign.issueGatewayCertificate('b');
    expect(await handshake(mat(a, ca.trustBundlePem()), mat(b, ca.trustBundlePem()))).toBe(
      'URI:spiffe://fed.local/cluster/b',
    );
    await expect(handshake(mat(a, ca.trustBundlePem()), mat(x, foreign.trustBundlePem()))).rejects.toThrow();
  });

  it('rotates its root in steps: both generations are trusted in between, the old one refused after retirement', async () => {
    const ca = await FederationCa.create({ federation: 'fed.local' });
    const old = await ca.issueGatewayCertificate('a');
    const g2 = await ca.addRoot();
    expect(ca.activeGeneration).toBe(1); // added, not yet issuing
    ca.activateRoot(g2);
    const fresh = await ca.issueGatewayCertificate('b');
    const bundle = ca.trustBundlePem();
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(await handshake(mat(fresh, bundle), mat(old, bundle))).toContain('cluster/a');
    expect(await handshake(mat(old, bundle), mat(fresh, bundle))).toContain('cluster/b');
    ca.retireRoot(1);
    const after = ca.trustBundlePem();
    expect(after.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    await expect(handshake(mat(fresh, after), mat(old, after))).rejects.toThrow();
    expect(() => ca.retireRoot(g2)).toThrow(/active/);
  });

  it('seals its keys with the operator key and never shows them', async () => {
    const ca = await FederationCa.create({ federation: 'fed.local' });
    const key = randomBytes(32);
    const sealed = await ca.seal(key);
    const text = JSON.stringify(sealed);
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(JSON.stringify(ca)).not.toMatch(/PRIVATE KEY|rootKey/);
    expect(inspect(ca, { depth: 10 })).not.toMatch(/PRIVATE KEY|CryptoKey/);
    const restored = await FederationCa.unseal(sealed, key);
    expect(restored.trustBundlePem()).toBe(ca.trustBundlePem());
    const c = await restored.issueGatewayCertificate('a');
    const b = await ca.issueGatewayCertificate('b');
    expect(await handshake(mat(b, ca.trustBundlePem()), mat(c, restored.trustBundlePem()))).toContain(
      'cluster/a',
    );
    await expect(FederationCa.unseal(sealed, randomBytes(32))).rejects.toBeInstanceOf(KeySealError);
    // A sealed key moved to another role does not open.
    const g = sealed.generations[0]!;
    const swapped = { ...sealed, generations: [{ ...g, rootKey: g.intermediateKey }] };
    await expect(FederationCa.unseal(swapped, key)).rejects.toBeInstanceOf(KeySealError);
  });
});
