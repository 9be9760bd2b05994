/**
 * Latency score: the weighted mean round-trip time from the cluster to the policy's declared user
 * locations (objectives.userLocations), mapped to 100 × (1 − rtt / 250 ms), floored at 0. An
 * absolute scale, so a cluster joining elsewhere does not change anyone's latency score.
 * The per-cluster RTTs depend only on (policy, fleet) and are memoised in the fleet snapshot.
 */
import type { FleetSnapshot } from '../fleet/snapshot.js';
import { defineScorePlugin } from '../framework/registry.js';
import type { DecisionContext } from '../framework/types.js';
import { type GeoPoint, resolveUserLocation } from '../model-types.js';

/** RTT at which the latency score reaches 0. */
export const LATENCY_ZERO_SCORE_MS = 250;

/** Weighted mean RTT (ms) from every cluster of the fleet to the policy's users; NaN when unknown. */
export function userRttByCluster(ctx: DecisionContext): Float64Array {
  const key = `rtt:${ctx.policy.id}`;
  const hit = ctx.fleet.memo.get(key) as Float64Array | undefined;
  if (hit !== undefined) return hit;
  const users = (ctx.policy.spec.objectives?.userLocations ?? []).map((u) => ({
    point: resolveUserLocation(u.location, ctx.model).location,
    weight: u.weight ?? 1,
  }));
  const out = computeRtt(ctx.fleet, ctx, users);
  ctx.fleet.memo.set(key, out);
  return out;
}

function computeRtt(
  fleet: FleetSnapshot,
  ctx: DecisionContext,
  users: { point: GeoPoint; weight: number }[],
): Float64Array {
  const out = new Float64Array(fleet.clusters.length);
  const totalWeight = users.reduce((a, u) => a + u.weight, 0);
  for (const c of fleet.clusters) {
    let sum = 0;
    for (const u of users) {
      const from = c.source.costOverrides?.location ?? { provider: c.provider, region: c.region };
      const rtt = ctx.model.tryRttMs(from, u.point);
      if (rtt === undefined) {
        sum = Number.NaN;
        break;
      }
      sum += u.weight * rtt;
    }
    out[c.index] = totalWeight > 0 ? sum / totalWeight : Number.NaN;
  }
  return out;
}

/** Prefers clusters close to the declared users (objectives.latency, default 1 when users are declared). */
export const latencyScorePlugin = defineScorePlugin<Float64Array>({
  name: 'Latency',
  description: `100 × (1 − mean RTT to users / ${LATENCY_ZERO_SCORE_MS} ms) (objectives.latency, userLocations)`,
  objective: true,
  weight: (ctx) => {
    const o = ctx.policy.spec.objectives;
    return (o?.userLocations?.length ?? 0) > 0 ? (o?.latency ?? 1) : 0;
  },
  prepare: (ctx) => userRttByCluster(ctx),
  score(_ctx, cluster, rtt) {
    const ms = rtt[cluster.index]!;
    if (Number.isNaN(ms)) return 0;
    return 100 * Math.max(0, 1 - ms / LATENCY_ZERO_SCORE_MS);
  },
});
