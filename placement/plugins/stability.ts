/**
 * Stability score: clusters of the previous placement score 100, others 0. It only breaks ties
 * towards the status quo; it is not an objective, so it never counts in the gain that decides
 * whether a placement moves (see schedule/stability.ts).
 */
import { defineScorePlugin } from '../framework/registry.js';

/** Prefers the clusters the workload already runs on. */
export const stabilityScorePlugin = defineScorePlugin({
  name: 'Stability',
  description: 'prefers clusters of the previous placement (tie-breaker, not an objective)',
  objective: false,
  weight: (ctx) => (ctx.previous.size > 0 ? 1 : 0),
  score: (ctx, cluster) => (ctx.previous.has(cluster.name) ? 100 : 0),
});
