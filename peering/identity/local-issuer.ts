import type { CertificateIssuer } from './cert-rotator.js';
import type { FederationCa } from './federation-ca.js';

/** An issuer backed by a CA in the same process (tests, `fedgate up`, a gateway co-located with the CA). */
export function localIssuer(ca: FederationCa, cluster: string, ttlMs?: number): CertificateIssuer {
  return {
    issue: () => ca.issueGatewayCertificate(cluster, ttlMs === undefined ? {} : { ttlMs }),
    trustBundle: async () => ca.trustBundlePem(),
  };
}
