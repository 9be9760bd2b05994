import type { CertificateIssuer } from './cert-rotator.js';
import type { FederationCa, IssuedCertificate } from './federation-ca.js';
import { generateKeyPair, KEY_ALG, privateKeyPem, x509 } from './x509.js';

/** Largest CSR the control plane parses (a P-256 CSR is well under 1 kB). */
export const MAX_CSR_PEM_CHARS = 8_192;

/** Why a CSR was refused: not a PKCS#10 request, a bad signature, or a key the federation does not use. */
export class CsrError extends Error {
  readonly code = 'InvalidCsr';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CsrError';
  }
}

/** A fresh key pair and a PKCS#10 request over it: the private key never leaves the gateway. */
export async function createGatewayCsr(
  cluster: string,
  federation: string,
): Promise<{ csrPem: string; keyPem: string }> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${cluster},O=${federation}`,
    keys,
    signingAlgorithm: KEY_ALG,
  });
  return { csrPem: csr.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * The control plane's side: checks the request (PKCS#10, self-signed by its key, an ECDSA P-256
 * key like every key of the federation) and issues the gateway certificate of `cluster` over its
 * public key. Whatever subject or SANs the request asks for are ignored: the certificate names
 * only the SPIFFE ID of the cluster the caller was allowed to sign for.
 */
export async function signGatewayCsr(
  ca: FederationCa,
  cluster: string,
  csrPem: string,
  ttlMs?: number,
): Promise<IssuedCertificate> {
  if (csrPem.length > MAX_CSR_PEM_CHARS)
    throw new CsrError(`the CSR is over ${MAX_CSR_PEM_CHARS} characters`);
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    throw new CsrError('not a PEM PKCS#10 certificate request', { cause: err });
  }
  const alg = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256')
    throw new CsrError(
      `the CSR's key must be ECDSA P-256, got ${alg.name ?? 'unknown'} ${alg.namedCurve ?? ''}`.trim(),
    );
  let valid = false;
  try {
    valid = await csr.verify();
  } catch (err) {
    throw new CsrError('the CSR signature cannot be checked', { cause: err });
  }
  if (!valid) throw new CsrError('the CSR is not signed by its own key');
  const publicKey = await csr.publicKey.export(KEY_ALG, ['verify']);
  return ca.issueGatewayCertificate(cluster, { publicKey, ...(ttlMs === undefined ? {} : { ttlMs }) });
}

/** What the control plane answers a CSR with. */
export interface SignedCsr {
  readonly certChainPem: string;
  readonly trustBundlePem: string;
}

/**
 * An issuer for a gateway that holds no CA key: each renewal makes a new key pair, sends the CSR
 * to the control plane (`sign`) and pairs the answer with the key kept here.
 */
export function csrIssuer(
  cluster: string,
  federation: string,
  control: {
    sign(csrPem: string): Promise<SignedCsr>;
    trustBundle(): Promise<string>;
  },
): CertificateIssuer {
  return {
    async issue(): Promise<IssuedCertificate> {
      const { csrPem, keyPem } = await createGatewayCsr(cluster, federation);
      const signed = await control.sign(csrPem);
      const leaf = new x509.X509Certificate(signed.certChainPem);
      return {
        certChainPem: signed.certChainPem,
        keyPem,
        spiffeId: leaf.getExtension(x509.SubjectAlternativeNameExtension)?.names.items[0]?.value ?? '',
        notBefore: leaf.notBefore,
        notAfter: leaf.notAfter,
        serialNumber: leaf.serialNumber,
      };
    },
    trustBundle: () => control.trustBundle(),
  };
}
