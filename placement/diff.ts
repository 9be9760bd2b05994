/**
 * diffPlacements: what changes between two placements of one template, for `fedgate simulate` —
 * per-cluster replica changes, replicas moved between clusters, and the monthly cost before and
 * after when the template's requests and the clusters' prices are known.
 */
import type { FleetSnapshot } from './fleet/snapshot.js';
import { type CostModel, defaultCostModel } from './model-types.js';
import { fleetSnapshotOf } from './schedule/schedule.js';
import { unitMonthlyCost } from './schedule/unit-cost.js';
import type { ClusterSnapshot, TargetCluster, TemplateInfo } from './types.js';

/** One cluster's change. */
export interface ClusterChange {
  name: string;
  before: number;
  after: number;
  change: 'added' | 'removed' | 'scaled' | 'unchanged';
}

/** The difference between two placements. */
export interface PlacementDiff {
  clusters: ClusterChange[];
  /** Replicas that leave one cluster for another: min(total decrease, total increase). */
  movedReplicas: number;
  /** Net replicas added (scale up) and removed (scale down). */
  addedReplicas: number;
  removedReplicas: number;
  costPerMonth?: { before: number; after: number; delta: number };
}

/** Context for pricing a diff. */
export interface DiffContext {
  fleet: readonly ClusterSnapshot[] | FleetSnapshot;
  /** The fleet the `after` placement is priced on, when it differs (a what-if fleet); default `fleet`. */
  afterFleet?: readonly ClusterSnapshot[] | FleetSnapshot;
  template: TemplateInfo;
  model?: CostModel;
}

function counts(p: readonly TargetCluster[]): Map<string, number> {
  // A copy of a non-replicated object (replicas undefined) counts as one.
  return new Map(p.map((c) => [c.name, c.replicas ?? 1]));
}

function monthlyCost(
  p: ReadonlyMap<string, number>,
  ctx: DiffContext,
  on: readonly ClusterSnapshot[] | FleetSnapshot,
): number | undefined {
  const req = ctx.template.podRequests;
  if (req === undefined) return undefined;
  const fleet = fleetSnapshotOf(on, ctx.model ?? defaultCostModel);
  let total = 0;
  for (const [name, n] of p) {
    const c = fleet.byName.get(name);
    if (c === undefined) return undefined;
    // The cluster's own price (instance mix, override or region list), as the scheduler ranks by.
    const unit = unitMonthlyCost(req, c);
    if (unit === undefined) return undefined;
    total += unit * n;
  }
  return Math.round(total * 100) / 100;
}

/** Compares two placements; with a context, also prices them. */
export function diffPlacements(
  before: readonly TargetCluster[],
  after: readonly TargetCluster[],
  ctx?: DiffContext,
): PlacementDiff {
  const b = counts(before);
  const a = counts(after);
  const names = [...new Set([...b.keys(), ...a.keys()])].sort();
  let decrease = 0;
  let increase = 0;
  const clusters = names.map((name): ClusterChange => {
    const x = b.get(name) ?? 0;
    const y = a.get(name) ?? 0;
    if (y < x) decrease += x - y;
    if (y > x) increase += y - x;
    const change = !b.has(name) ? 'added' : !a.has(name) ? 'removed' : x === y ? 'unchanged' : 'scaled';
    return { name, before: x, after: y, change };
  });
  const diff: PlacementDiff = {
    clusters,
    movedReplicas: Math.min(decrease, increase),
    addedReplicas: Math.max(0, increase - decrease),
    removedReplicas: Math.max(0, decrease - increase),
  };
  if (ctx !== undefined) {
    const cb = monthlyCost(b, ctx, ctx.fleet);
    const ca = monthlyCost(a, ctx, ctx.afterFleet ?? ctx.fleet);
    if (cb !== undefined && ca !== undefined) {
      diff.costPerMonth = { before: cb, after: ca, delta: Math.round((ca - cb) * 100) / 100 };
    }
  }
  return diff;
}
