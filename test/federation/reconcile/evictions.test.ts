import { describe, expect, it } from 'vitest';
import { mergeEvictions } from '../../../federation/reconcile/placement-reconciler.js';
import type { BindingEviction } from '../../../federation/resources/binding.js';

const T0 = '2026-11-27T10:00:00.000Z';
const T1 = '2026-11-27T10:05:00.000Z';

const ev = (cluster: string, purgeMode: BindingEviction['purgeMode'], since = T0): BindingEviction => ({
  cluster,
  reason: 'TaintToleration: toleration expired: evicted',
  since,
  ...(purgeMode ? { purgeMode } : {}),
});

describe('mergeEvictions', () => {
  it('dates a new eviction now and keeps the date of one already listed', () => {
    const out = mergeEvictions(
      [
        { cluster: 'a', reason: 'r', purgeMode: 'Graciously' },
        { cluster: 'b', reason: 'r', purgeMode: 'Graciously' },
      ],
      [ev('a', 'Graciously', T0)],
      new Set(['c']),
      () => true,
      T1,
    );
    expect(out.map((e) => [e.cluster, e.since])).toEqual([
      ['a', T0],
      ['b', T1],
    ]);
  });

  it('keeps an earlier eviction while its old copy is there, and drops it once pruned', () => {
    const existing = [ev('a', 'Graciously'), ev('b', 'Immediately')];
    expect(mergeEvictions([], existing, new Set(['c']), () => true, T1).map((e) => e.cluster)).toEqual([
      'a',
      'b',
    ]);
    expect(mergeEvictions([], existing, new Set(['c']), (c) => c === 'b', T1).map((e) => e.cluster)).toEqual([
      'b',
    ]);
  });

  it('keeps a purge-mode Never eviction for good, unless the cluster is placed again', () => {
    const existing = [ev('a', 'Never')];
    expect(mergeEvictions([], existing, new Set(['c']), () => false, T1)).toEqual(existing);
    expect(mergeEvictions([], existing, new Set(['a', 'c']), () => true, T1)).toEqual([]);
  });
});
