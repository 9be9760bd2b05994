import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionConfig } from './encryption-config.js';

const PREFIX = 'k8s:enc:aesgcm:v1:';

/** Why a sealed value did not open (a phrase such as `is encrypted with key "k", …`); names the key, never its bytes. */
export class UnsealError extends Error {
  override readonly name = 'UnsealError';
}

/**
 * AES-256-GCM under the operator's EncryptionConfiguration keys, for values that are not store
 * objects (the peering controller's tunnel keys): the same key file and the same sealed form as
 * Secrets (`k8s:enc:aesgcm:v1:<key name>:<base64 of nonce | ciphertext | tag>`), bound to an
 * additional authenticated data string so a value moved under another name does not open.
 */
export class EncryptionConfigSealer {
  constructor(private readonly config: EncryptionConfig) {
    if (config.writeKey === undefined)
      throw new Error(
        'the encryption configuration writes plaintext (identity first): list an aesgcm key first to seal peering keys',
      );
  }

  /** Seals `plaintext` with the first key, bound to `aad`. */
  seal(aad: string, plaintext: string): string {
    return sealValue(this.config, aad, Buffer.from(plaintext, 'utf8'));
  }

  /** Opens a sealed value with whichever listed key sealed it; throws UnsealError otherwise. */
  open(aad: string, sealed: string): string {
    return openValue(this.config, aad, sealed).toString('utf8');
  }
}

/** Seals bytes with the configuration's write key; the caller checks `writeKey` is set. */
export function sealValue(config: EncryptionConfig, aad: string, plain: Buffer): string {
  const keyName = config.writeKey!;
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', config.keys.get(keyName)!, nonce);
  cipher.setAAD(Buffer.from(aad));
  const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${keyName}:${sealed.toString('base64')}`;
}

/** Opens a sealed value; throws UnsealError saying why (format, unknown key, wrong key or altered data). */
export function openValue(config: EncryptionConfig | undefined, aad: string, sealed: string): Buffer {
  const m = /^k8s:enc:aesgcm:v1:([^:]+):(.*)$/s.exec(sealed);
  if (!m) throw new UnsealError('has sealed data in an unknown format');
  const keyName = m[1]!;
  if (!config)
    throw new UnsealError(`is encrypted (key "${keyName}") and no --encryption-provider-config is given`);
  const key = config.keys.get(keyName);
  if (!key)
    throw new UnsealError(
      `is encrypted with key "${keyName}", which the encryption configuration does not list`,
    );
  const bytes = Buffer.from(m[2]!, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
  } catch {
    throw new UnsealError(
      `does not decrypt with key "${keyName}" (a different key under that name, or altered data)`,
    );
  }
}

/** Whether a sealed value was sealed with `keyName`. */
export function sealedWith(sealed: string, keyName: string): boolean {
  return sealed.startsWith(`${PREFIX}${keyName}:`);
}
