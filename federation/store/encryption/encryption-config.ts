import { randomBytes } from 'node:crypto';
import { parse, stringify } from 'yaml';

/**
 * The operator's encryption configuration for data at rest, in the format of Kubernetes'
 * EncryptionConfiguration (apiserver.config.k8s.io/v1): one `resources` entry for `secrets`, whose
 * providers are `aesgcm` (named 32-byte keys: AES-256-GCM) and `identity` (plaintext). The first
 * provider's first key encrypts new writes; every listed key decrypts, and `identity` lets Secrets
 * stored before encryption was enabled be read. So keys rotate as in Kubernetes: add the new key
 * second everywhere, then move it first, then (after fedgate rewrote the Secrets) drop the old one.
 *
 *   apiVersion: apiserver.config.k8s.io/v1
 *   kind: EncryptionConfiguration
 *   resources:
 *     - resources: [secrets]
 *       providers:
 *         - aesgcm:
 *             keys:
 *               - name: key-20261203
 *                 secret: <base64 of 32 random bytes>
 *         - identity: {}
 */
export interface EncryptionConfig {
  /** The key new writes are sealed with, or undefined when the first provider is `identity` (plaintext). */
  readonly writeKey: string | undefined;
  /** Every AES-256 key by name. */
  readonly keys: ReadonlyMap<string, Buffer>;
  /** Whether Secrets stored in plaintext may be read (an `identity` provider is listed). */
  readonly readsPlaintext: boolean;
}

/** Parses an EncryptionConfiguration document; throws an Error naming the offending field (never a key). */
export function parseEncryptionConfig(text: string, source = 'encryption configuration'): EncryptionConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`${source}: not YAML: ${(err as Error).message}`);
  }
  const fail = (path: string, message: string): never => {
    throw new Error(`${source}: ${path}: ${message}`);
  };
  const root = asRecord(doc) ?? fail('.', 'must be an EncryptionConfiguration object');
  if (root.kind !== 'EncryptionConfiguration') fail('kind', 'must be EncryptionConfiguration');
  const resources = Array.isArray(root.resources) ? root.resources : fail('resources', 'must be a list');
  if (resources.length !== 1) fail('resources', 'must have exactly one entry, for secrets');
  const entry = asRecord(resources[0]) ?? fail('resources[0]', 'must be an object');
  const kinds = entry.resources;
  if (!Array.isArray(kinds) || kinds.length !== 1 || kinds[0] !== 'secrets')
    fail('resources[0].resources', 'must be [secrets]: fedgate encrypts Secrets');
  const providers = Array.isArray(entry.providers)
    ? entry.providers
    : fail('resources[0].providers', 'must be a list');
  if (providers.length === 0) fail('resources[0].providers', 'must list at least one provider');
  const keys = new Map<string, Buffer>();
  let writeKey: string | undefined;
  let readsPlaintext = false;
  for (const [i, raw] of providers.entries()) {
    const path = `resources[0].providers[${i}]`;
    const p = asRecord(raw) ?? fail(path, 'must be an object');
    const [name, ...more] = Object.keys(p);
    if (name === undefined || more.length > 0)
      fail(path, 'must name exactly one provider (aesgcm or identity)');
    if (name === 'identity') {
      readsPlaintext = true;
      continue;
    }
    if (name !== 'aesgcm') fail(`${path}.${name}`, 'is not supported by fedgate; use aesgcm (or identity)');
    const list = asRecord(p.aesgcm)?.keys;
    if (!Array.isArray(list) || list.length === 0) fail(`${path}.aesgcm.keys`, 'must list at least one key');
    for (const [j, k] of (list as unknown[]).entries()) {
      const kp = `${path}.aesgcm.keys[${j}]`;
      const key = asRecord(k) ?? fail(kp, 'must be {name, secret}');
      if (typeof key.name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(key.name))
        fail(`${kp}.name`, 'must be 1-64 letters, digits, dots, dashes or underscores');
      const keyName = key.name as string;
      if (keys.has(keyName)) fail(`${kp}.name`, `"${keyName}" is listed twice`);
      const text = typeof key.secret === 'string' ? key.secret.trim() : '';
      const secret = Buffer.from(text, 'base64');
      if (secret.length !== 32 || secret.toString('base64') !== text)
        fail(`${kp}.secret`, 'must be the base64 of 32 random bytes (AES-256)');
      keys.set(keyName, secret);
      // The first provider's first key seals new writes.
      if (i === 0 && j === 0) writeKey = keyName;
    }
  }
  return { writeKey, keys, readsPlaintext };
}

/** A new EncryptionConfiguration with one fresh AES-256 key (first), still reading plaintext Secrets. */
export function newEncryptionConfig(now = new Date()): string {
  const name = `key-${now.toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [
      {
        resources: ['secrets'],
        providers: [
          { aesgcm: { keys: [{ name, secret: randomBytes(32).toString('base64') }] } },
          { identity: {} },
        ],
      },
    ],
  });
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
