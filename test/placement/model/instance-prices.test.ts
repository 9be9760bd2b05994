import { describe, expect, it } from 'vitest';
import {
  CostModelError,
  createCostModel,
  DEFAULT_MODEL_DATA,
  type InstanceCount,
  defaultCostModel as model,
  type RegionRef,
} from '../../../placement/model/index.js';

const aws = (region: string): RegionRef => ({ provider: 'aws', region });
const group = (instanceType: string, count: number, vcpus: number, memoryGiB: number): InstanceCount => ({
  instanceType,
  count,
  vcpus,
  memoryGiB,
});

describe('instance prices', () => {
  it('quotes a listed type as published in its reference region and where a region price is listed', () => {
    expect(model.instancePrice(aws('us-east-1'), 'm6i.xlarge')).toBe(0.192);
    expect(model.instancePrice(aws('eu-west-1'), 'm6g.xlarge')).toBe(0.172);
    expect(model.instancePrice({ provider: 'azure', region: 'eastus' }, 'Standard_D4s_v5')).toBe(0.192);
    // GCP: the sum of the family's SKUs, e2-standard-4 = 4 × 0.021811 + 16 × 0.002923.
    expect(model.instancePrice({ provider: 'gcp', region: 'us-central1' }, 'e2-standard-4')).toBeCloseTo(
      0.134012,
      6,
    );
  });

  it("scales a type without a price for the region by the region's multiplier", () => {
    const fra = model.instancePrice(aws('eu-central-1'), 'm6i.xlarge')!;
    // eu-central-1 lists m7i.large at 0.12075 against 0.1008 in us-east-1.
    expect(fra).toBeCloseTo((0.192 * 0.12075) / 0.1008, 6);
    expect(model.instancePrice(aws('us-east-1'), 'x9.huge')).toBeUndefined();
    expect(model.instancePrice({ provider: 'onprem', region: 'onprem-fra' }, 'm6i.xlarge')).toBeUndefined();
  });
});

describe('cluster compute price from the instance mix', () => {
  it('prices a cheaper mix below the region table, and says where the price came from', () => {
    const table = model.computePrice(aws('eu-west-1'));
    const q = model.clusterComputePrice(aws('eu-west-1'), [group('m6g.xlarge', 3, 4, 16)]);
    expect(q.basis).toBe('inventory');
    expect(q.inventory).toMatchObject({ mix: { 'm6g.xlarge': 3 }, unlisted: [] });
    // 3 × $0.172/h against the same 12 vCPU and 48 GiB at the region's list price.
    const atList = 12 * table.vcpuHour + 48 * table.gibHour;
    expect(q.inventory!.hourly).toBeCloseTo(3 * 0.172, 9);
    expect(q.inventory!.vsRegion).toBeCloseTo((3 * 0.172) / atList, 9);
    expect(q.vcpuHour).toBeCloseTo(table.vcpuHour * q.inventory!.vsRegion, 9);
    // The derived per-vCPU/GiB price reproduces the mix's bill exactly.
    expect(12 * q.vcpuHour + 48 * q.gibHour).toBeCloseTo(3 * 0.172, 9);
    expect(q.vcpuHour).toBeLessThan(table.vcpuHour);
  });

  it('lets a cluster in a dearer region come out cheaper than one in a cheaper region', () => {
    const virginia = model.clusterComputePrice(aws('us-east-1'), [group('m6i.2xlarge', 2, 8, 32)]);
    const ireland = model.clusterComputePrice(aws('eu-west-1'), [group('m6g.xlarge', 4, 4, 16)]);
    expect(model.computePrice(aws('us-east-1')).vcpuHour).toBeLessThan(
      model.computePrice(aws('eu-west-1')).vcpuHour,
    );
    expect(ireland.vcpuHour).toBeLessThan(virginia.vcpuHour);
  });

  it('weights a mixed fleet by what each type costs, counting unlisted types at the region rate', () => {
    const table = model.computePrice(aws('us-east-1'));
    const q = model.clusterComputePrice(aws('us-east-1'), [
      group('t3.large', 2, 2, 8),
      group('m6i.xlarge', 1, 4, 16),
      group('z9.custom', 1, 4, 8),
    ]);
    const custom = 4 * table.vcpuHour + 8 * table.gibHour;
    const hourly = 2 * 0.0832 + 0.192 + custom;
    const atList = 8 * table.vcpuHour + 32 * table.gibHour + custom;
    expect(q.inventory).toMatchObject({ mix: { 't3.large': 2, 'm6i.xlarge': 1, 'z9.custom': 1 } });
    expect(q.inventory!.unlisted).toEqual(['z9.custom']);
    expect(q.inventory!.hourly).toBeCloseTo(hourly, 9);
    expect(q.inventory!.vsRegion).toBeCloseTo(hourly / atList, 9);
  });

  it('keeps the region price when no type of the mix is listed, or there is no mix', () => {
    const table = model.computePrice(aws('us-east-1'));
    expect(model.clusterComputePrice(aws('us-east-1'), [group('z9.custom', 5, 4, 8)])).toEqual(table);
    expect(model.clusterComputePrice(aws('us-east-1'), [])).toEqual(table);
    expect(model.clusterComputePrice(aws('us-east-1'), undefined)).toEqual(table);
    expect(model.clusterComputePrice(aws('us-east-1'), [group('m6i.xlarge', 0, 4, 16)])).toEqual(table);
  });

  it('lets spec.cost overrides win, field by field', () => {
    const mix = [group('m6g.xlarge', 3, 4, 16)];
    const inv = model.clusterComputePrice(aws('eu-west-1'), mix);
    const full = model.clusterComputePrice(aws('eu-west-1'), mix, { compute: { vcpuHour: 1, gibHour: 0.1 } });
    expect(full).toEqual({ vcpuHour: 1, gibHour: 0.1, basis: 'override', estimated: false });
    const part = model.clusterComputePrice(aws('eu-west-1'), mix, { compute: { vcpuHour: 1 } });
    expect(part).toMatchObject({ vcpuHour: 1, gibHour: inv.gibHour, basis: 'override' });
    expect(part.inventory).toEqual(inv.inventory);
  });

  it('marks a mix in a region not in the table as estimated', () => {
    const q = model.clusterComputePrice(aws('mars-north-1'), [group('m6i.xlarge', 2, 4, 16)]);
    expect(q).toMatchObject({ basis: 'inventory', estimated: true });
  });

  it('refuses a malformed mix with the field that is wrong', () => {
    const bad = (g: InstanceCount) => () => model.clusterComputePrice(aws('us-east-1'), [g]);
    expect(bad(group('m6i.xlarge', -1, 4, 16))).toThrow(/instances\[0\]\.count must be a whole number/);
    expect(bad(group('m6i.xlarge', 1.5, 4, 16))).toThrow(CostModelError);
    expect(bad(group('m6i.xlarge', 1, 0, 16))).toThrow(/vcpus must be a finite number > 0/);
    expect(bad(group('', 1, 4, 16))).toThrow(/instanceType/);
    try {
      bad(group('m6i.xlarge', 1, 4, Number.NaN))();
    } catch (e) {
      expect(e).toMatchObject({ code: 'INVALID_INVENTORY', field: 'instances[0].memoryGiB' });
    }
  });

  it('refuses a price list whose reference region has no compute price', () => {
    expect(() =>
      createCostModel({
        instances: { aws: { ...DEFAULT_MODEL_DATA.instances.aws!, referenceRegion: 'nowhere-1' } },
      }),
    ).toThrow(/reference region nowhere-1/);
  });
});
