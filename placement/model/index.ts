/** Cost and latency model: public surface for the scheduler and storage replication. */
export {
  type CostModel,
  createCostModel,
  defaultCostModel,
  type EgressKind,
  type EgressQuote,
  estimateRttMs,
  HOURS_PER_MONTH,
  type ModelData,
  parseProvider,
  type RttEstimateParams,
} from './cost-model.js';
export {
  DEFAULT_MODEL_DATA,
  type InstanceTypePrice,
  type ProviderEgressTable,
  type ProviderInstancePrices,
  type RttEntry,
} from './data/index.js';
export { CostModelError, type CostModelErrorCode } from './errors.js';
export { greatCircleKm } from './geo.js';
export * from './types.js';
export { METROS, type Metro, metro, type ResolvedLocation, resolveUserLocation } from './user-locations.js';
