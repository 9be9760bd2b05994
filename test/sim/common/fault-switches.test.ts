import { describe, expect, it } from 'vitest';
import { FaultSwitches } from '../../../sim/common/fault-switches.js';

const invalid = (field: string, why: string) => new Error(`${field}: ${why}`);

describe('cloud simulator fault switches', () => {
  it('throttles, then fails, the next requests in turn, then passes', () => {
    const f = new FaultSwitches(100);
    f.throttleNext(2);
    f.failNext(1);
    expect([f.verdict(), f.verdict(), f.verdict(), f.verdict()]).toEqual([
      'throttle',
      'throttle',
      'fail',
      'pass',
    ]);
  });

  it('throttles a fraction of requests, and queues operation failures in order', () => {
    let r = 0;
    const f = new FaultSwitches(100, () => [0.1, 0.9][r++ % 2]!);
    f.throttleRate(0.5);
    expect([f.verdict(), f.verdict()]).toEqual(['throttle', 'pass']);
    f.failNextOperation('first');
    f.failNextOperation('second');
    expect([f.takeOperationFailure(), f.takeOperationFailure(), f.takeOperationFailure()]).toEqual([
      'first',
      'second',
      undefined,
    ]);
  });

  it('a control body with a bad or unknown field is refused and changes nothing; reset restores defaults', () => {
    const f = new FaultSwitches(100);
    f.apply({ operationDelayMs: 5, throttleNext: 1 }, invalid);
    expect(f.settings()).toMatchObject({ operationDelayMs: 5, throttleNext: 1 });
    expect(() => f.apply({ failNext: 3, throttleRate: 'high' }, invalid)).toThrow(
      'throttleRate: expected a number',
    );
    expect(() => f.apply({ failNext: 3, slowly: true }, invalid)).toThrow('slowly: unknown fault');
    expect(() => f.apply([1], invalid)).toThrow('body: expected a JSON object');
    expect(f.settings().failNext).toBe(0);
    f.apply({ reset: true }, invalid);
    expect(f.settings()).toEqual({
      throttleNext: 0,
      failNext: 0,
      throttleRate: 0,
      operationDelayMs: 100,
      pendingOperationFailures: 0,
    });
  });
});
