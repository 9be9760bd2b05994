import { describe, expect, it } from 'vitest';
import {
  CostModelError,
  createCostModel,
  DEFAULT_MODEL_DATA,
  estimateRttMs,
  defaultCostModel as model,
  type RegionRef,
} from '../../../placement/model/index.js';

const r = (provider: RegionRef['provider'], region: string): RegionRef => ({ provider, region });
const locationOf = (key: string) => {
  const [provider, region] = key.split(':') as [RegionRef['provider'], string];
  const info = model.region({ provider, region });
  if (info === undefined) throw new Error(`unknown ${key}`);
  return info.location;
};

describe('round-trip times', () => {
  it('is symmetric and about zero to itself', () => {
    const regions = model.listRegions().map((i) => r(i.provider, i.name));
    for (const a of regions) {
      expect(model.rttMs(a, a)).toBeLessThanOrEqual(1);
      for (const b of regions) expect(model.rttMs(a, b)).toBe(model.rttMs(b, a));
    }
  });

  it('is small between providers in the same metro', () => {
    expect(model.rttMs(r('aws', 'eu-west-1'), r('azure', 'northeurope'))).toBeLessThanOrEqual(3);
    expect(model.rttMs(r('gcp', 'europe-west3'), r('aws', 'eu-central-1'))).toBeLessThanOrEqual(3);
    expect(model.rttMs(r('aws', 'ap-northeast-1'), r('azure', 'japaneast'))).toBeLessThanOrEqual(3);
  });

  it('puts the Atlantic at 70-90 ms and the Pacific well above', () => {
    for (const [a, b] of [
      [r('aws', 'us-east-1'), r('aws', 'eu-west-1')],
      [r('azure', 'eastus'), r('azure', 'westeurope')],
      [r('gcp', 'us-east1'), r('gcp', 'europe-west2')],
      [r('aws', 'us-east-1'), r('gcp', 'europe-west2')], // not in the table: estimated
    ] as const) {
      const ms = model.rttMs(a, b);
      expect(ms, `${a.region}-${b.region}`).toBeGreaterThanOrEqual(65);
      expect(ms, `${a.region}-${b.region}`).toBeLessThanOrEqual(95);
    }
    expect(model.rttMs(r('aws', 'us-east-1'), r('aws', 'ap-southeast-1'))).toBeGreaterThan(150);
  });

  it('accepts coordinates on either side', () => {
    const frankfurt = { lat: 50.11, lon: 8.68 };
    expect(model.rttMs(frankfurt, r('aws', 'eu-central-1'))).toBeLessThan(10);
    expect(model.rttMs(frankfurt, frankfurt)).toBe(DEFAULT_MODEL_DATA.rttEstimate.baseMs);
    expect(model.rttMs(frankfurt, { lat: -33.87, lon: 151.21 })).toBeGreaterThan(200);
  });

  it('has a distance estimate calibrated against the table: >= 85% of pairs within max(25%, 10 ms)', () => {
    const long = DEFAULT_MODEL_DATA.rtt.filter(([a, b]) => estimateRttMs(locationOf(a), locationOf(b)) > 10);
    let within = 0;
    for (const [a, b, ms] of long) {
      const est = estimateRttMs(locationOf(a), locationOf(b));
      if (Math.abs(est - ms) <= Math.max(0.25 * ms, 10)) within++;
    }
    expect(long.length).toBeGreaterThan(80);
    expect(within / long.length).toBeGreaterThanOrEqual(0.85);
  });

  it('throws a clear error for a region with no location, and tryRttMs does not', () => {
    const unknown = r('aws', 'us-future-9');
    expect(() => model.rttMs(unknown, r('aws', 'us-east-1'))).toThrow(/coordinates/);
    expect(model.tryRttMs(unknown, r('aws', 'us-east-1'))).toBeUndefined();
    expect(() => model.rttMs({ lat: Number.NaN, lon: 0 }, r('aws', 'us-east-1'))).toThrow(CostModelError);
    expect(() => model.rttMs({ lat: 0, lon: 200 }, { lat: 0, lon: 0 })).toThrow(/lon/);
  });

  it('rejects an RTT table that names an unknown region', () => {
    expect(() => createCostModel({ rtt: [['aws:us-east-1', 'aws:atlantis-1', 5]] })).toThrow(/atlantis/);
  });
});
