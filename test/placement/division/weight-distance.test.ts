/**
 * The distance from static weights that stability compares (Σ replicas² ÷ weight) and the claim it
 * rests on: Webster's split, within its bounds, is the closest one — so "strictly closer" means
 * "not a declared split" and an equal distance is a rounding tie.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { websterApportion } from '../../../placement/division/webster.js';
import { compareWeightDistance } from '../../../placement/division/weight-distance.js';

const RUNS = { numRuns: Number(process.env.FEDGATE_PROPERTY_RUNS ?? 300) };

const names = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
const asSplit = (counts: readonly number[]) => new Map(counts.map((s, i) => [`c${i}`, s]));

/** Every split of `total` within [min, max] per entry. */
function allSplits(total: number, min: readonly number[], max: readonly number[]): number[][] {
  const out: number[][] = [];
  const walk = (i: number, left: number, acc: number[]): void => {
    if (i === min.length) {
      if (left === 0) out.push([...acc]);
      return;
    }
    for (let s = min[i]!; s <= Math.min(max[i]!, left); s++) walk(i + 1, left - s, [...acc, s]);
  };
  walk(0, total, []);
  return out;
}

describe('compareWeightDistance', () => {
  const w = (weights: Record<string, number>) => (name: string) => weights[name] ?? 0;

  it('orders splits by Σ replicas² ÷ weight; equal distances compare equal', () => {
    const oneOneOne = w({ a: 1, b: 1, c: 1 });
    const even = new Map([
      ['a', 2],
      ['b', 2],
      ['c', 2],
    ]);
    const twoClusters = new Map([
      ['a', 3],
      ['b', 3],
    ]);
    expect(compareWeightDistance(even, twoClusters, oneOneOne)).toBeLessThan(0);
    expect(compareWeightDistance(twoClusters, even, oneOneOne)).toBeGreaterThan(0);
    const tieA = new Map([
      ['a', 2],
      ['b', 1],
      ['c', 1],
    ]);
    const tieC = new Map([
      ['a', 1],
      ['b', 1],
      ['c', 2],
    ]);
    expect(compareWeightDistance(tieA, tieC, oneOneOne)).toBe(0);
  });

  it('is exact where floating point is not: weights 999999 and 1000000', () => {
    const weights = w({ a: 999_999, b: 1_000_000 });
    // 1²/999999 + 0 vs 0 + 1²/1000000: a is farther by ~1e-12.
    expect(compareWeightDistance(new Map([['a', 1]]), new Map([['b', 1]]), weights)).toBeGreaterThan(0);
    expect(compareWeightDistance(new Map([['b', 1]]), new Map([['a', 1]]), weights)).toBeLessThan(0);
  });

  it('replicas on a cluster of weight 0 are farther than any split of weighted clusters', () => {
    const weights = w({ a: 1, b: 1 });
    const onZero = new Map([
      ['a', 1],
      ['z', 1],
    ]);
    const lopsided = new Map([['a', 100]]);
    expect(compareWeightDistance(onZero, lopsided, weights)).toBeGreaterThan(0);
  });

  it("Webster's split is the closest within its bounds (brute force)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            weight: fc.integer({ min: 1, max: 7 }),
            min: fc.integer({ min: 0, max: 2 }),
            extra: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.integer({ min: 0, max: 12 }),
        (entries, total) => {
          const min = entries.map((e) => e.min);
          const max = entries.map((e) => (e.extra === undefined ? total : e.min + e.extra));
          const seats = websterApportion(
            total,
            entries.map((e, i) => ({ weight: e.weight, min: min[i], max: max[i] })),
          );
          const splits = allSplits(total, min, max);
          if (seats === undefined) {
            expect(splits).toEqual([]);
            return;
          }
          const weightOf = (name: string) => entries[names(entries.length).indexOf(name)]!.weight;
          for (const other of splits) {
            expect(compareWeightDistance(asSplit(seats), asSplit(other), weightOf)).toBeLessThanOrEqual(0);
          }
        },
      ),
      RUNS,
    );
  });
});
