import { describe, expect, it } from 'vitest';
import {
  CostModelError,
  createCostModel,
  DEFAULT_MODEL_DATA,
  HOURS_PER_MONTH,
  defaultCostModel as model,
  type RegionRef,
} from '../../../placement/model/index.js';

const aws = (region: string): RegionRef => ({ provider: 'aws', region });

describe('compute prices', () => {
  it('comes out as sourced: GCP N2 us-central1 SKUs and AWS m7i.large in us-east-1', () => {
    const gcp = model.computePrice({ provider: 'gcp', region: 'us-central1' });
    expect(gcp.vcpuHour).toBeCloseTo(0.031611, 6);
    expect(gcp.gibHour).toBeCloseTo(0.004237, 6);
    expect(gcp).toMatchObject({ basis: 'table', estimated: false });

    // The split must reproduce the published m7i.large (2 vCPU, 8 GiB) price of $0.1008/h.
    const p = model.computePrice(aws('us-east-1'));
    expect(2 * p.vcpuHour + 8 * p.gibHour).toBeCloseTo(0.1008, 4);
    // and the Azure split Standard_D4s_v5 (4 vCPU, 16 GiB) $0.192/h in eastus.
    const az = model.computePrice({ provider: 'azure', region: 'eastus' });
    expect(4 * az.vcpuHour + 16 * az.gibHour).toBeCloseTo(0.192, 4);
  });

  it('prices Frankfurt above Virginia and São Paulo highest on AWS', () => {
    const fra = model.computePrice(aws('eu-central-1')).vcpuHour;
    const iad = model.computePrice(aws('us-east-1')).vcpuHour;
    const gru = model.computePrice(aws('sa-east-1')).vcpuHour;
    expect(fra).toBeGreaterThan(iad);
    expect(gru).toBeGreaterThan(fra);
  });

  it('has a price for every catalogue region', () => {
    for (const r of model.listRegions()) {
      const q = model.computePrice({ provider: r.provider, region: r.name });
      expect(q.estimated, `${r.provider}:${r.name}`).toBe(false);
      expect(q.vcpuHour).toBeGreaterThan(0);
    }
  });

  it('falls back to the provider average for an unknown region, and says so', () => {
    const q = model.computePrice(aws('mars-north-1'));
    expect(q).toMatchObject({ basis: 'provider-average', estimated: true });
    const known = Object.values(DEFAULT_MODEL_DATA.compute.aws);
    const mean = known.reduce((s, p) => s + p.vcpuHour, 0) / known.length;
    expect(q.vcpuHour).toBeCloseTo(mean, 9);
  });

  it('uses the on-prem assumption for any on-prem site', () => {
    const site = model.computePrice({ provider: 'onprem', region: 'onprem-fra' });
    const other = model.computePrice({ provider: 'onprem', region: 'my-basement' });
    expect(other.vcpuHour).toBe(site.vcpuHour);
    expect(other.estimated).toBe(true);
    // The assumption must stay cheaper than public cloud, or nobody would run on-prem.
    expect(site.vcpuHour).toBeLessThan(model.computePrice(aws('us-east-1')).vcpuHour);
  });

  it('lets MemberCluster overrides win, field by field', () => {
    const q = model.computePrice(aws('us-east-1'), { compute: { vcpuHour: 0.02 } });
    expect(q.vcpuHour).toBe(0.02);
    expect(q.gibHour).toBe(model.computePrice(aws('us-east-1')).gibHour);
    expect(q.basis).toBe('override');
    const full = model.computePrice(aws('nowhere-1'), { compute: { vcpuHour: 0.02, gibHour: 0.002 } });
    expect(full.estimated).toBe(false);
  });

  it('computes the monthly cost of a replica over 730 hours', () => {
    const ref = { provider: 'gcp', region: 'us-central1' } as const;
    const cost = model.replicaMonthlyCost(ref, { cpuCores: 2, memoryGiB: 8 });
    expect(HOURS_PER_MONTH).toBe(730);
    expect(cost).toBeCloseTo(730 * (2 * 0.031611 + 8 * 0.004237), 6);
    expect(model.replicaMonthlyCost(ref, { cpuCores: 0, memoryGiB: 0 })).toBe(0);
    const overridden = model.replicaMonthlyCost(
      ref,
      { cpuCores: 1, memoryGiB: 1 },
      { compute: { vcpuHour: 1, gibHour: 1 } },
    );
    expect(overridden).toBe(1460);
  });

  it('rejects bad input with a clear, coded error', () => {
    const bad = (fn: () => unknown): CostModelError => {
      try {
        fn();
      } catch (e) {
        if (e instanceof CostModelError) return e;
      }
      throw new Error('expected CostModelError');
    };
    const e1 = bad(() => model.computePrice({ provider: 'ibm' as never, region: 'us-south' }));
    expect(e1.code).toBe('UNKNOWN_PROVIDER');
    expect(e1.message).toContain('aws, gcp, azure, onprem');
    expect(bad(() => model.computePrice(aws(''))).code).toBe('UNKNOWN_REGION');
    expect(
      bad(() => model.replicaMonthlyCost(aws('us-east-1'), { cpuCores: Number.NaN, memoryGiB: 1 })).field,
    ).toBe('requests.cpuCores');
    expect(bad(() => model.computePrice(aws('us-east-1'), { compute: { vcpuHour: -1 } })).code).toBe(
      'INVALID_OVERRIDE',
    );
  });

  it('is data-driven: a custom table replaces the built-in one', () => {
    const custom = createCostModel({
      compute: { ...DEFAULT_MODEL_DATA.compute, aws: { 'us-east-1': { vcpuHour: 1, gibHour: 0.5 } } },
    });
    expect(custom.replicaMonthlyCost(aws('us-east-1'), { cpuCores: 1, memoryGiB: 2 })).toBe(730 * 2);
    expect(() =>
      createCostModel({
        compute: { ...DEFAULT_MODEL_DATA.compute, aws: { x: { vcpuHour: Number.NaN, gibHour: 0 } } },
      }),
    ).toThrow(/compute\.aws\.x\.vcpuHour/);
  });
});
