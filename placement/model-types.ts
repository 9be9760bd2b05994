/**
 * The one place the engine imports the cost/latency model's types from (`placement/model/`, owned
 * by the model's author). Re-exported so the rest of the engine does not reach into that folder.
 */
export type {
  ComputePrice,
  CostModel,
  CostOverrides,
  GeoPoint,
  Provider,
  RegionInfo,
  RegionRef,
} from './model/index.js';
export { defaultCostModel, HOURS_PER_MONTH, resolveUserLocation } from './model/index.js';
