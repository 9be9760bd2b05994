import { describe, expect, it } from 'vitest';
import { parseCloudEndpoints } from '../../../federation/runtime/worker-cloud.js';

describe('fedgate worker --cloud-endpoint', () => {
  it('takes provider=URL pairs', () => {
    expect(parseCloudEndpoints(['aws=http://127.0.0.1:4566', 'azure=https://127.0.0.1:8443/x?a=b'])).toEqual({
      aws: 'http://127.0.0.1:4566',
      azure: 'https://127.0.0.1:8443/x?a=b',
    });
    expect(parseCloudEndpoints([])).toEqual({});
  });

  it('names the bad pair and what to give', () => {
    expect(() => parseCloudEndpoints(['oracle=http://127.0.0.1:1'])).toThrow(
      /--cloud-endpoint oracle=http:\/\/127\.0\.0\.1:1: the provider must be one of aws, gcp, azure/,
    );
    expect(() => parseCloudEndpoints(['gcp'])).toThrow(/give provider=URL/);
    expect(() => parseCloudEndpoints(['gcp=ftp://x'])).toThrow(/give provider=URL/);
  });
});
