/**
 * Capacity score: prefers clusters with more free room, as the fraction of allocatable CPU and
 * memory still available (the scarcer of the two). Clusters that report no capacity score 50.
 * The score depends on the cluster only, so it is computed once per fleet snapshot.
 */
import type { ClusterEntry, FleetSnapshot } from '../fleet/snapshot.js';
import { defineScorePlugin } from '../framework/registry.js';

function capacityScore(cluster: ClusterEntry): number {
  const alloc = cluster.allocatable;
  const avail = cluster.available;
  if (alloc === undefined || avail === undefined) return 50;
  const cpu = alloc.cpuMilli > 0 ? avail.cpuMilli / alloc.cpuMilli : 1;
  const mem = alloc.memoryBytes > 0 ? avail.memoryBytes / alloc.memoryBytes : 1;
  return 100 * Math.max(0, Math.min(1, cpu, mem));
}

const byFleet = new WeakMap<FleetSnapshot, Float64Array>();

/** Every cluster's capacity score, by fleet index. */
function capacityScores(fleet: FleetSnapshot): Float64Array {
  let scores = byFleet.get(fleet);
  if (scores === undefined) {
    scores = new Float64Array(fleet.clusters.length);
    for (const c of fleet.clusters) scores[c.index] = capacityScore(c);
    byFleet.set(fleet, scores);
  }
  return scores;
}

/** Scores clusters by free capacity. */
export const capacityScorePlugin = defineScorePlugin<Float64Array>({
  name: 'Capacity',
  description: 'free fraction of allocatable CPU/memory (scarcer of the two)',
  objective: true,
  weight: () => 1,
  prepare: (ctx) => capacityScores(ctx.fleet),
  score: (_ctx, cluster, scores) => scores[cluster.index]!,
});
