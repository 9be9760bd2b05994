import { constants } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  type EncryptionConfig,
  newEncryptionConfig,
  parseEncryptionConfig,
} from '../store/encryption/encryption-config.js';
import { SecretCodec } from '../store/encryption/secret-codec.js';

/** Name of the key file `fedgate up` keeps in its state directory. */
export const LOCAL_ENCRYPTION_FILE = 'encryption-config.yaml';

/** Reads an EncryptionConfiguration file; warns when others may read it (it holds the keys). */
export async function loadEncryptionConfig(path: string, log?: Logger): Promise<EncryptionConfig> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot read the encryption configuration ${path}: ${err.code ?? err.message}`);
  });
  if (((await stat(path)).mode & 0o077) !== 0)
    log?.warn({ file: path }, 'the encryption configuration is readable by other users; chmod 600 it');
  return parseEncryptionConfig(text, path);
}

/**
 * The Secret codec of a `fedgate server` or `worker`: sealing with the keys of `configFile`; else,
 * by `unset`: refusing Secrets (a server's default), storing them in plaintext with a loud warning
 * (a server given --allow-plaintext-secrets), or just reading (a worker never writes Secrets; it
 * needs the keys only to open sealed ones).
 */
export async function secretCodecFor(
  configFile: string | undefined,
  unset: 'refuse' | 'warn' | 'read',
  log: Logger,
): Promise<SecretCodec> {
  if (configFile) return new SecretCodec({ config: await loadEncryptionConfig(configFile, log) });
  if (unset === 'warn')
    log.warn(
      'Secrets are stored in plaintext in Redis (and its AOF): give --encryption-provider-config to encrypt them at rest',
    );
  return new SecretCodec({ plaintext: unset === 'refuse' ? 'refuse' : 'allow' });
}

/** The key file in `stateDir`, created (mode 0600, one fresh AES-256 key) when absent; returns its path. */
export async function ensureEncryptionConfig(stateDir: string): Promise<string> {
  const path = join(stateDir, LOCAL_ENCRYPTION_FILE);
  try {
    const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await fh.writeFile(newEncryptionConfig());
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return path;
}
