import { FedgateError } from '../../errors/fedgate-error.js';
import type { KubeObject, ObjectKey } from '../../resources/kube-object.js';
import { formatKey } from '../../resources/kube-object.js';
import type { ObjectCodec } from '../codec.js';
import type { EncryptionConfig } from './encryption-config.js';
import { openValue, sealedWith, sealValue, UnsealError } from './sealer.js';

/** The type key of core/v1 Secrets. */
export const SECRET_TYPE = 'Secret.v1';

/** The type key of CloudCredentials (kept here, not in resources/kinds.ts, so the codec has no other import). */
export const CLOUD_CREDENTIAL_TYPE = 'CloudCredential.v1alpha1.fedgate.dev';

/**
 * The kinds sealed at rest and, for each, the top-level fields sealed. A CloudCredential keeps
 * `spec.provider` readable (lists show which cloud it is for); the rest of its spec is sealed.
 */
const SEALED_KINDS: ReadonlyMap<string, { readonly what: string; readonly fields: readonly string[] }> =
  new Map([
    [SECRET_TYPE, { what: 'Secret', fields: ['data', 'stringData'] }],
    [CLOUD_CREDENTIAL_TYPE, { what: 'CloudCredential', fields: ['spec'] }],
  ]);

/** The type keys whose objects the codec seals (for re-sealing after a key rotation). */
export const SEALED_TYPES: readonly string[] = [...SEALED_KINDS.keys()];

/**
 * The field of a stored Secret holding its sealed `data` and `stringData`:
 * `k8s:enc:aesgcm:v1:<key name>:<base64 of nonce(12) | ciphertext | tag(16)>`, as Kubernetes
 * prefixes what it encrypts. Metadata (names, labels) stays readable: the store lists and indexes
 * by it.
 */
export const SEALED_FIELD = 'fedgate.dev/sealed';

/** What a store does with Secrets when no encryption key is configured. */
export type PlaintextSecrets = 'refuse' | 'allow';

/** Options of the Secret codec. */
export interface SecretCodecProps {
  /** The operator's keys; without them Secrets are refused or stored in plaintext (`plaintext`). */
  readonly config?: EncryptionConfig;
  /** Without `config`: refuse to store Secrets with data (default), or store them as they are. */
  readonly plaintext?: PlaintextSecrets;
}

/**
 * Seals the data of Secrets (and the spec of CloudCredentials) at rest with AES-256-GCM under the operator's keys (see
 * encryption-config.ts): the object hash, the change feed and so Redis' AOF hold ciphertext only;
 * the object key is the additional authenticated data, so sealed data moved to another Secret
 * does not open. Other kinds pass through untouched.
 */
export class SecretCodec implements ObjectCodec {
  constructor(private readonly props: SecretCodecProps = {}) {}

  /** The operator's keys, when values are sealed (other sealed values reuse them: peering secrets). */
  get config(): EncryptionConfig | undefined {
    return this.props.config;
  }

  seal(key: ObjectKey, object: KubeObject): KubeObject {
    const kind = SEALED_KINDS.get(key.type);
    if (!kind) return object;
    const { [SEALED_FIELD]: _forged, ...unforged } = object;
    const secret = pick(unforged, kind.fields);
    if (Object.keys(secret).length === 0) return unforged as unknown as KubeObject;
    const config = this.props.config;
    if (!config) {
      if (this.props.plaintext === 'allow') return object;
      throw new FedgateError(
        'Forbidden',
        `${formatKey(key)}: this fedgate stores no ${kind.what} without encryption at rest; start it with --encryption-provider-config FILE (fedgate up makes one) or, knowingly, --allow-plaintext-secrets`,
      );
    }
    if (config.writeKey === undefined) return object; // identity first: the operator chose plaintext
    const sealed = sealValue(config, formatKey(key), Buffer.from(JSON.stringify(secret)));
    return {
      ...omit(unforged, kind.fields),
      ...readableRemainder(key.type, unforged),
      [SEALED_FIELD]: sealed,
    } as unknown as KubeObject;
  }

  open(key: ObjectKey, stored: KubeObject): KubeObject {
    const kind = SEALED_KINDS.get(key.type);
    if (!kind) return stored;
    const sealed = stored[SEALED_FIELD];
    if (typeof sealed !== 'string') {
      const plaintext = kind.fields.some((f) => stored[f] !== undefined);
      if (plaintext && this.props.config && !this.props.config.readsPlaintext)
        throw unreadable(
          key,
          'is stored in plaintext and the encryption configuration lists no identity provider to read it',
        );
      return stored;
    }
    const { [SEALED_FIELD]: _s, ...rest } = stored;
    let opened: Record<string, unknown>;
    try {
      opened = JSON.parse(openValue(this.props.config, formatKey(key), sealed).toString('utf8')) as Record<
        string,
        unknown
      >;
    } catch (err) {
      throw unreadable(key, err instanceof UnsealError ? err.message : 'has sealed data that is not JSON');
    }
    return { ...omit(rest, kind.fields), ...pick(opened, kind.fields) } as KubeObject;
  }

  /** Whether a stored Secret is sealed as this codec would seal it now (else a rewrite re-seals it). */
  current(key: ObjectKey, stored: KubeObject): boolean {
    const kind = SEALED_KINDS.get(key.type);
    if (!kind) return true;
    if (stored[SEALED_FIELD] === undefined && kind.fields.every((f) => stored[f] === undefined)) return true;
    const writeKey = this.props.config?.writeKey;
    const sealed = stored[SEALED_FIELD];
    if (writeKey === undefined) return typeof sealed !== 'string';
    return typeof sealed === 'string' && sealedWith(sealed, writeKey);
  }
}

function pick(o: Readonly<Record<string, unknown>>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => o[f] !== undefined).map((f) => [f, o[f]]));
}

function omit(o: Readonly<Record<string, unknown>>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([f]) => !fields.includes(f)));
}

/** What stays readable of a sealed object: a CloudCredential's provider. */
function readableRemainder(type: string, o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (type !== CLOUD_CREDENTIAL_TYPE) return {};
  const provider = (o.spec as { provider?: unknown } | undefined)?.provider;
  return provider === undefined ? {} : { spec: { provider } };
}

function unreadable(key: ObjectKey, why: string): FedgateError {
  return new FedgateError('Internal', `${formatKey(key)} cannot be read: it ${why}`, [], {
    retryable: false,
  });
}
