import { describe, expect, it } from 'vitest';
import { FedgateError } from '../../federation/errors/fedgate-error.js';
import { validateObject } from '../../federation/resources/validate.js';

const obj = (kind: string, spec: unknown) => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind,
  metadata: { name: 'cart', namespace: 'shop' },
  spec,
});

function fieldsOf(input: unknown): string[] {
  try {
    validateObject(input);
  } catch (err) {
    if (err instanceof FedgateError) return err.fields.map((f) => f.path);
    throw err;
  }
  return [];
}

describe('east-west gateway kinds', () => {
  it('accepts well-formed ServiceExport, TrafficPolicy, AuthorizationPolicy and QuotaPolicy, with defaults', () => {
    const se = validateObject(obj('ServiceExport', { clusters: ['eu-1', 'us-1'], ports: [{ port: 8080 }] }));
    expect(se.key).toEqual({ type: 'ServiceExport.v1alpha1.fedgate.dev', namespace: 'shop', name: 'cart' });
    expect((se.object.spec as { ports: { protocol: string }[] }).ports[0]!.protocol).toBe('HTTP');
    const tp = validateObject(
      obj('TrafficPolicy', {
        service: 'cart',
        weights: [
          { cluster: 'eu-1', weight: 90 },
          { cluster: 'us-1', weight: 10 },
        ],
        timeout: '3s',
        retries: { attempts: 2, perTryTimeout: '500ms' },
        outlierDetection: {},
      }),
    );
    expect((tp.object.spec as { outlierDetection: unknown }).outlierDetection).toEqual({
      consecutiveErrors: 3,
      baseEjectionTime: '5s',
    });
    validateObject(
      obj('AuthorizationPolicy', {
        service: 'cart',
        rules: [{ from: [{ cluster: 'eu-1', namespace: 'shop' }], to: { methods: ['GET'] } }],
      }),
    );
    validateObject(obj('QuotaPolicy', { service: 'cart', perCaller: { requests: 100, period: '1s' } }));
  });

  it('refuses bad specs with the field path', () => {
    expect(fieldsOf(obj('ServiceExport', { clusters: [] }))).toEqual(['spec.clusters']);
    expect(fieldsOf(obj('TrafficPolicy', { service: 'cart', timeout: '3 seconds' }))).toEqual([
      'spec.timeout',
    ]);
    expect(
      fieldsOf(obj('TrafficPolicy', { service: 'cart', weights: [{ cluster: 'a', weight: 0 }] })),
    ).toEqual(['spec.weights']);
    expect(
      fieldsOf(obj('TrafficPolicy', { service: 'cart', loadBalancer: { algorithm: 'Random' } })),
    ).toEqual(['spec.loadBalancer.algorithm']);
    expect(
      fieldsOf(obj('AuthorizationPolicy', { service: 'cart', rules: [{ to: { methods: ['FETCH'] } }] })),
    ).toEqual(['spec.rules[0].to.methods[0]']);
    expect(
      fieldsOf(obj('AuthorizationPolicy', { service: 'cart', rules: [{ to: { paths: ['api'] } }] })),
    ).toEqual(['spec.rules[0].to.paths[0]']);
    expect(
      fieldsOf(obj('QuotaPolicy', { service: 'cart', perService: { requests: 10, period: '500ms' } })),
    ).toEqual(['spec.perService.period']);
    expect(fieldsOf(obj('QuotaPolicy', { service: 'cart' }))).toEqual(['spec']);
  });
});
