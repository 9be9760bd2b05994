/**
 * The built-in plugins and the default registry, in run order. Filters: cheap fleet-scope ones
 * first (memoised per fleet), then the decision-scope ones.
 */
import { createRegistry, type Registry } from '../framework/registry.js';
import { capacityScorePlugin } from './capacity.js';
import { clusterAffinityPlugin } from './cluster-affinity.js';
import { clusterReadyPlugin } from './cluster-ready.js';
import { costScorePlugin } from './cost.js';
import { latencyScorePlugin } from './latency.js';
import { residencyPlugin } from './residency.js';
import { resourceFitPlugin } from './resource-fit.js';
import { spreadFieldPlugin } from './spread-field.js';
import { stabilityScorePlugin } from './stability.js';
import { taintTolerationPlugin } from './taint-toleration.js';

/** The default plugin set. */
export const defaultRegistry: Registry = createRegistry(
  [
    clusterAffinityPlugin,
    residencyPlugin,
    spreadFieldPlugin,
    clusterReadyPlugin,
    taintTolerationPlugin,
    resourceFitPlugin,
  ],
  [costScorePlugin, latencyScorePlugin, capacityScorePlugin, stabilityScorePlugin],
);

export {
  capacityScorePlugin,
  clusterAffinityPlugin,
  clusterReadyPlugin,
  costScorePlugin,
  latencyScorePlugin,
  residencyPlugin,
  resourceFitPlugin,
  spreadFieldPlugin,
  stabilityScorePlugin,
  taintTolerationPlugin,
};
