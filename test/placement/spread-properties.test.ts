/**
 * Property of spread selection (placement/spread/select.ts): on small random fleets it is
 * complete. Whenever some choice of candidates meets every constraint — keeping the forced
 * clusters, adding at most maxSeeds — the selector finds one, checked against a brute force over
 * every subset; and what it returns meets the constraints with its forced and seed clusters alone
 * (fill clusters may end up with no replica). Raise FEDGATE_PROPERTY_RUNS to search harder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildFleetSnapshot,
  type ClusterEntry,
  type ClusterSnapshot,
  defaultCostModel,
  type SpreadConstraint,
} from '../../placement/index.js';
import { checkSpread, selectClusters } from '../../placement/spread/select.js';
import { REGIONS, spreadConstraintsArb } from './arbitraries.js';

const RUNS = { numRuns: Number(process.env.FEDGATE_PROPERTY_RUNS ?? 150) * 10 };
const PROVIDERS = ['aws', 'gcp', 'azure'] as const;

/** Two real regions per provider, two zones each: few groups, so constraints often bind. */
const clusterArb = fc.record({
  provider: fc.constantFrom(...PROVIDERS),
  region: fc.integer({ min: 0, max: 1 }),
  zone: fc.constantFrom('a', 'b'),
});

const fleetArb = fc.array(clusterArb, { minLength: 2, maxLength: 8 }).map((bodies) =>
  bodies.map((b, i): ClusterSnapshot => {
    const region = REGIONS.filter((r) => r.provider === b.provider)[b.region]!.name;
    return {
      name: `c${i}`,
      provider: b.provider,
      region,
      zone: `${region}-${b.zone}`,
      labels: {},
      taints: [],
      ready: true,
    };
  }),
);

const constraintsArb = spreadConstraintsArb({ maxMin: 4, minLength: 2, maxLength: 4 });

/** A fleet, its candidates in a random preference order, forced clusters among them, a seed limit. */
const caseArb = fleetArb.chain((fleet) =>
  fc.record({
    fleet: fc.constant(fleet),
    order: fc.shuffledSubarray(
      fleet.map((c) => c.name),
      { minLength: 1 },
    ),
    forced: fc.subarray(
      fleet.map((c) => c.name),
      { maxLength: Math.min(2, fleet.length) },
    ),
    constraints: constraintsArb,
    maxSeeds: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  }),
);

/** Whether forced ∪ S meets every constraint for some S of at most maxSeeds other candidates. */
function bruteForce(
  candidates: readonly ClusterEntry[],
  forced: readonly ClusterEntry[],
  constraints: readonly SpreadConstraint[],
  maxSeeds: number | undefined,
): boolean {
  const others = candidates.filter((c) => !forced.includes(c));
  for (let mask = 0; mask < 1 << others.length; mask++) {
    const chosen = others.filter((_, i) => (mask >> i) & 1);
    if (maxSeeds !== undefined && chosen.length > maxSeeds) continue;
    if (checkSpread(constraints, [...forced, ...chosen]) === undefined) return true;
  }
  return false;
}

describe('spread selection: properties over small random fleets', () => {
  it('finds a selection whenever one exists (brute force), and what it finds holds', () => {
    fc.assert(
      fc.property(caseArb, ({ fleet, order, forced: forcedNames, constraints, maxSeeds }) => {
        const snapshot = buildFleetSnapshot(fleet, { model: defaultCostModel });
        const candidates = order.map((n) => snapshot.byName.get(n)!);
        // Forced clusters are candidates (the surviving previous placement), in preference order.
        const forced = candidates.filter((c) => forcedNames.includes(c.name));
        const sel = selectClusters({
          constraints,
          candidates,
          forced,
          ...(maxSeeds !== undefined ? { maxSeeds } : {}),
        });
        const exists = bruteForce(candidates, forced, constraints, maxSeeds);
        expect(sel.ok, sel.ok ? 'selected' : sel.message).toBe(exists);
        if (!sel.ok) {
          expect(sel.message).not.toContain('exhausted');
          return;
        }
        const names = sel.selected.map((c) => c.name);
        expect(new Set(names).size).toBe(names.length);
        for (const c of forced) expect(names).toContain(c.name);
        for (const s of sel.seeds) {
          expect(names).toContain(s);
          expect(forcedNames).not.toContain(s);
        }
        if (maxSeeds !== undefined) expect(sel.seeds.size).toBeLessThanOrEqual(maxSeeds);
        expect(checkSpread(constraints, sel.selected)).toBeUndefined();
        const core = sel.selected.filter((c) => forced.includes(c) || sel.seeds.has(c.name));
        expect(checkSpread(constraints, core)).toBeUndefined();
      }),
      RUNS,
    );
  });
});
