import { describe, expect, it } from 'vitest';
import { defaultCostModel } from '../../../placement/model/index.js';
import type { CostModel as SchedulerCostModel } from '../../../placement/model-types.js';

describe('contract with the scheduler (placement/model-types.ts)', () => {
  it('is assignable to the interface the scheduler programs against', () => {
    // A compile-time check first: tsc fails here if the two drift apart.
    const m: SchedulerCostModel = defaultCostModel;
    // The scheduler's overrides use one flat egress figure; the model accepts that form too.
    expect(m.egressPerGiB({ provider: 'aws', region: 'us-east-1' }, 'internet', { egressPerGiB: 0.05 })).toBe(
      0.05,
    );
    expect(
      m.computePrice({ provider: 'aws', region: 'us-east-1' }, { compute: { vcpuHour: 1, gibHour: 0 } })
        ?.vcpuHour,
    ).toBe(1);
  });
});
