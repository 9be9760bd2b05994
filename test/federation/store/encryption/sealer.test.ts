import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../federation/resources/kube-object.js';
import {
  newEncryptionConfig,
  parseEncryptionConfig,
} from '../../../../federation/store/encryption/encryption-config.js';
import { EncryptionConfigSealer, UnsealError } from '../../../../federation/store/encryption/sealer.js';
import {
  CLOUD_CREDENTIAL_TYPE,
  SEALED_FIELD,
  SecretCodec,
} from '../../../../federation/store/encryption/secret-codec.js';

const config = () => parseEncryptionConfig(newEncryptionConfig());

describe('EncryptionConfigSealer (the peering vault’s sealer)', () => {
  it('round-trips, binds the value to its name, and hides the plaintext', () => {
    const sealer = new EncryptionConfigSealer(config());
    const sealed = sealer.seal('{fg}:peering-keys:p1/r:', 'psk-0123456789abcdef');
    expect(sealed).toMatch(/^k8s:enc:aesgcm:v1:key-\d+:/);
    expect(sealed).not.toContain('psk-0123456789abcdef');
    expect(sealer.open('{fg}:peering-keys:p1/r:', sealed)).toBe('psk-0123456789abcdef');
    expect(() => sealer.open('{fg}:peering-keys:p2/r:', sealed)).toThrow(UnsealError);
  });

  it('opens with a key listed second after rotation, and refuses a key it does not list', () => {
    const old = config();
    const sealed = new EncryptionConfigSealer(old).seal('a', 'v');
    const [name, bytes] = [...old.keys.entries()][0]!;
    const rotated = parseEncryptionConfig(
      `kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
            - { name: newer, secret: ${Buffer.alloc(32, 7).toString('base64')} }
            - { name: ${name}, secret: ${bytes.toString('base64')} }
`,
    );
    expect(new EncryptionConfigSealer(rotated).open('a', sealed)).toBe('v');
    const without = parseEncryptionConfig(
      `kind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aesgcm:\n          keys:\n            - { name: newer, secret: ${Buffer.alloc(32, 7).toString('base64')} }\n`,
    );
    expect(() => new EncryptionConfigSealer(without).open('a', sealed)).toThrow(/does not list/);
  });

  it('refuses a configuration that writes plaintext', () => {
    const identityFirst = parseEncryptionConfig(
      'kind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - identity: {}\n',
    );
    expect(() => new EncryptionConfigSealer(identityFirst)).toThrow(/aesgcm key first/);
  });
});

describe('SecretCodec on CloudCredentials', () => {
  const key = { type: CLOUD_CREDENTIAL_TYPE, namespace: '', name: 'aws-prod' };
  const object: KubeObject = {
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'CloudCredential',
    metadata: { name: 'aws-prod' },
    spec: { provider: 'aws', accessKeyId: 'AKIAEXAMPLEKEY0001', secretAccessKey: 'very/secret/value/123' },
  };

  it('seals the spec but keeps the provider readable, and opens it whole', () => {
    const codec = new SecretCodec({ config: config() });
    const stored = codec.seal(key, object);
    expect(stored.spec).toEqual({ provider: 'aws' });
    expect(typeof stored[SEALED_FIELD]).toBe('string');
    expect(JSON.stringify(stored)).not.toContain('very/secret/value/123');
    expect(codec.open(key, stored)).toEqual(object);
    expect(codec.current(key, stored)).toBe(true);
    // Sealed under another name, it does not open.
    expect(() => codec.open({ ...key, name: 'other' }, stored)).toThrow(/does not decrypt/);
  });

  it('refuses to store a credential without a key, saying how to configure one', () => {
    expect(() => new SecretCodec({ plaintext: 'refuse' }).seal(key, object)).toThrow(
      /stores no CloudCredential without encryption at rest; start it with --encryption-provider-config/,
    );
  });
});
