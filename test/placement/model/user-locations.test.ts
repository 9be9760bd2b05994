import { describe, expect, it } from 'vitest';
import { CostModelError, METROS, resolveUserLocation } from '../../../placement/model/index.js';

describe('user locations', () => {
  it('resolves the required metros by id', () => {
    for (const id of [
      'frankfurt',
      'london',
      'new-york',
      'sao-paulo',
      'singapore',
      'tokyo',
      'sydney',
      'mumbai',
    ]) {
      const loc = resolveUserLocation(id);
      expect(loc.kind).toBe('metro');
      expect(loc.id).toBe(id);
    }
    expect(resolveUserLocation('NYC').id).toBe('new-york');
    expect(resolveUserLocation('São Paulo').id).toBe('sao-paulo');
    expect(new Set(METROS.map((m) => m.id)).size).toBe(METROS.length);
  });

  it('resolves region names, with or without a provider prefix', () => {
    expect(resolveUserLocation('aws:eu-central-1')).toMatchObject({ kind: 'region', id: 'aws:eu-central-1' });
    expect(resolveUserLocation('azure/westeurope').region?.jurisdiction).toBe('EU');
    expect(resolveUserLocation('europe-west2').region).toMatchObject({ provider: 'gcp', jurisdiction: 'UK' });
  });

  it('resolves coordinates', () => {
    expect(resolveUserLocation({ lat: 48.2, lon: 16.37 })).toMatchObject({
      kind: 'coordinates',
      location: { lat: 48.2, lon: 16.37 },
    });
  });

  it('gives a clear error for bad input', () => {
    const code = (input: Parameters<typeof resolveUserLocation>[0]): string => {
      try {
        resolveUserLocation(input);
      } catch (e) {
        if (e instanceof CostModelError) return e.code;
      }
      return 'none';
    };
    expect(code({ lat: Number.NaN, lon: 1 })).toBe('INVALID_COORDINATES');
    expect(code({ lat: 91, lon: 1 })).toBe('INVALID_COORDINATES');
    expect(code('atlantis')).toBe('UNKNOWN_LOCATION');
    expect(code('ibm:us-south')).toBe('UNKNOWN_PROVIDER');
    expect(code('aws:nowhere-1')).toBe('UNKNOWN_LOCATION');
    expect(code('')).toBe('UNKNOWN_LOCATION');
  });
});
