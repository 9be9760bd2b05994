/**
 * Capacity score: prefers clusters with more free room, as the fraction of allocatable CPU and
 * memory still available (the scarcer of the two). Clusters that report no capacity score 50.
 */
import { defineScorePlugin } from '../framework/registry.js';

/** Scores clusters by free capacity. */
export const capacityScorePlugin = defineScorePlugin({
  name: 'Capacity',
  description: 'free fraction of allocatable CPU/memory (scarcer of the two)',
  objective: true,
  weight: () => 1,
  score(_ctx, cluster) {
    const alloc = cluster.source.allocatable;
    const avail = cluster.available;
    if (alloc === undefined || avail === undefined) return 50;
    const cpu = alloc.cpuMilli > 0 ? avail.cpuMilli / alloc.cpuMilli : 1;
    const mem = alloc.memoryBytes > 0 ? avail.memoryBytes / alloc.memoryBytes : 1;
    return 100 * Math.max(0, Math.min(1, cpu, mem));
  },
});
