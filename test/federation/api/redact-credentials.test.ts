import { describe, expect, it } from 'vitest';
import { redactCredentials } from '../../../federation/api/redact-credentials.js';

const credential = {
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'CloudCredential',
  metadata: { name: 'azure-prod' },
  spec: { provider: 'azure', tenantId: 't', clientId: 'c', clientSecret: 'super-secret' },
};
const redacted = {
  ...credential,
  spec: { provider: 'azure', tenantId: 't', clientId: 'c', clientSecret: '(set)' },
};

describe('redactCredentials', () => {
  it('redacts a credential alone, in a list, and in an apply result', () => {
    expect(redactCredentials(credential)).toEqual(redacted);
    expect(redactCredentials({ apiVersion: 'v1', kind: 'List', metadata: {}, items: [credential] })).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      metadata: {},
      items: [redacted],
    });
    expect(redactCredentials({ results: [{ action: 'created', object: credential }] })).toEqual({
      results: [{ action: 'created', object: redacted }],
    });
    expect(credential.spec.clientSecret).toBe('super-secret');
  });

  it('leaves everything else as it is (the same object)', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
      data: { clientSecret: 'kept' },
    };
    expect(redactCredentials(cm)).toBe(cm);
    const other = {
      apiVersion: 'example.com/v1',
      kind: 'CloudCredential',
      metadata: {},
      spec: { token: 't' },
    };
    expect(redactCredentials(other)).toBe(other);
  });
});
