import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A private key sealed with AES-256-GCM under the operator key: safe to store, useless without the key. */
export interface SealedKey {
  readonly alg: 'A256GCM';
  /** base64 12-byte nonce. */
  readonly iv: string;
  /** base64 ciphertext of the PKCS#8 PEM. */
  readonly data: string;
  /** base64 16-byte GCM tag. */
  readonly tag: string;
}

/** Why unsealing failed: a wrong operator key or tampered data (never says more). */
export class KeySealError extends Error {
  readonly code = 'KeySealFailed';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KeySealError';
  }
}

/** Parses an operator key: 32 bytes as 64 hex digits or base64. */
export function parseOperatorKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32)
    throw new KeySealError('the operator key must be 32 bytes (64 hex digits or base64)');
  return key;
}

/** Encrypts a private key PEM under the operator key; `aad` binds it to what it is (e.g. "root:1"). */
export function sealKey(operatorKey: Buffer, pem: string, aad: string): SealedKey {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', operatorKey, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([c.update(pem, 'utf8'), c.final()]);
  return {
    alg: 'A256GCM',
    iv: iv.toString('base64'),
    data: data.toString('base64'),
    tag: c.getAuthTag().toString('base64'),
  };
}

/** Decrypts a sealed key; KeySealError when the operator key or the aad is wrong or the data was altered. */
export function unsealKey(operatorKey: Buffer, sealed: SealedKey, aad: string): string {
  try {
    const d = createDecipheriv('aes-256-gcm', operatorKey, Buffer.from(sealed.iv, 'base64'));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(sealed.data, 'base64')), d.final()]).toString('utf8');
  } catch (err) {
    throw new KeySealError('cannot unseal the CA key: wrong operator key or altered data', { cause: err });
  }
}
