// @peculiar/x509 needs reflect-metadata loaded first and a WebCrypto provider; every module of
// peering/identity reaches the library through this file so that happens once, in that order.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** A WebCrypto key (node's type; the DOM lib is not loaded). */
export type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** The algorithm of every key the federation CA makes: ECDSA P-256 with SHA-256 (small, fast handshakes). */
export const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A new ECDSA P-256 key pair (extractable, so it can be sealed or handed to TLS as PEM). */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A private key as PKCS#8 PEM. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** Imports a PKCS#8 PEM private key for signing. */
export async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (der === undefined) throw new Error('no PEM block in the private key');
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALG, true, ['sign']);
}

export { x509 };
