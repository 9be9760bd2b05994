/**
 * The one place the engine imports the cost/latency model's types from (`placement/model/`, owned
 * by the model's author). Re-exported so the rest of the engine does not reach into that folder.
 */
export type {
  ComputePrice,
  ComputePriceQuote,
  CostModel,
  CostOverrides,
  GeoPoint,
  InstanceCount,
  InventoryPricing,
  PriceBasis,
  Provider,
  RegionInfo,
  RegionRef,
} from './model/index.js';
export { defaultCostModel, HOURS_PER_MONTH, PROVIDERS, resolveUserLocation } from './model/index.js';
