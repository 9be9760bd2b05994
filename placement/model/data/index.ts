import type { ComputePrice, Provider, RegionInfo } from '../types.js';
import { COMPUTE_FALLBACKS, COMPUTE_PRICES } from './compute-prices.js';
import { EGRESS_PRICES, type ProviderEgressTable } from './egress-prices.js';
import { INSTANCE_PRICES, type ProviderInstancePrices } from './instance-prices.js';
import { REGIONS } from './regions.js';
import { RTT_TABLE, type RttEntry } from './rtt-table.js';

export type { ProviderEgressTable } from './egress-prices.js';
export type { InstanceTypePrice, ProviderInstancePrices } from './instance-prices.js';
export type { RttEntry } from './rtt-table.js';

/** Constants of the distance-based RTT estimate: rtt = baseMs + msPerKm x great-circle km. */
export interface RttEstimateParams {
  readonly baseMs: number;
  readonly msPerKm: number;
  /** RTT between two clusters in the same region (across zones). */
  readonly intraRegionMs: number;
}

/** Everything the model computes from; swap any part for tests, simulations or a price refresh. */
export interface ModelData {
  readonly regions: readonly RegionInfo[];
  readonly compute: Readonly<Record<Provider, Readonly<Record<string, ComputePrice>>>>;
  readonly computeFallbacks: Readonly<Partial<Record<Provider, ComputePrice>>>;
  /** On-demand prices of common instance types, for clusters whose instance mix inventory found. */
  readonly instances: Readonly<Partial<Record<Provider, ProviderInstancePrices>>>;
  readonly egress: Readonly<Record<Provider, ProviderEgressTable>>;
  readonly rtt: readonly RttEntry[];
  readonly rttEstimate: RttEstimateParams;
}

/*
 * Distance-based RTT estimate, least-squares fit over the 89 pairs of RTT_TABLE more than 300 km
 * apart (2025-06): intercept 5.8 ms, slope 0.0144 ms/km. The slope is light in fibre
 * (~200 km/ms, so 0.010 ms per km of round trip) times a path-inflation factor of ~1.44 for
 * cables that do not follow great circles. 87% of those pairs fall within max(25%, 10 ms) of
 * the table; the misses are Europe-Asia routes via Suez (estimate low) and trans-Pacific routes
 * to Sydney (estimate high). test/placement/model/rtt.test.ts keeps the calibration honest.
 * Intra-region: "Locations within regions tend to have round-trip network latencies of <1ms in
 * the 95th percentile" (https://cloud.google.com/solutions/best-practices-compute-engine-region-selection).
 */
const RTT_ESTIMATE: RttEstimateParams = { baseMs: 5.8, msPerKm: 0.0144, intraRegionMs: 1 };

/** The built-in tables. */
export const DEFAULT_MODEL_DATA: ModelData = {
  regions: REGIONS,
  compute: COMPUTE_PRICES,
  computeFallbacks: COMPUTE_FALLBACKS,
  instances: INSTANCE_PRICES,
  egress: EGRESS_PRICES,
  rtt: RTT_TABLE,
  rttEstimate: RTT_ESTIMATE,
};
