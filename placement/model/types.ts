/**
 * Types of the cost and latency model. Pure data: no I/O, no clocks, nothing mutable, so the
 * scheduler, `simulate`, `explain` and storage replication all read the same figures.
 */

/**
 * Every provider fedgate knows: the clouds and private data centres. The one definition: the
 * policy and MemberCluster schemas, the model and the cloud adapters' registry all derive from it.
 */
export const PROVIDERS = ['aws', 'gcp', 'azure', 'onprem'] as const;

/** A cloud provider, or a private data centre. */
export type Provider = (typeof PROVIDERS)[number];

/** A provider region (for on-prem: a named site such as `onprem-fra`). */
export interface RegionRef {
  readonly provider: Provider;
  readonly region: string;
}

/** A point on the globe in decimal degrees (WGS84). */
export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

/** Continents as the providers' egress price lists group them. */
export type Continent =
  | 'north-america'
  | 'south-america'
  | 'europe'
  | 'asia'
  | 'oceania'
  | 'africa'
  | 'middle-east';

/** Compute list price in USD: one vCPU for one hour, one GiB of memory for one hour. */
export interface ComputePrice {
  readonly vcpuHour: number;
  readonly gibHour: number;
}

/**
 * Where a compute price came from, so a decision can say how much to trust it: the region's list
 * price (`table`), the provider's average for a region not in the table, the cluster's own
 * instance mix from cloud inventory (`inventory`), or the MemberCluster's `spec.cost` (`override`).
 */
export type PriceBasis = 'table' | 'provider-average' | 'inventory' | 'override';

/** A compute price with its provenance; `estimated` is true when the region was not in the table. */
export interface ComputePriceQuote extends ComputePrice {
  readonly basis: PriceBasis;
  readonly estimated: boolean;
  /**
   * Set when the price (or, under a partial override, the part not overridden) comes from the
   * cluster's instance mix.
   */
  readonly inventory?: InventoryPricing;
}

/** Instances of one type that a cluster runs, with the shape of one instance. */
export interface InstanceCount {
  readonly instanceType: string;
  readonly count: number;
  readonly vcpus: number;
  readonly memoryGiB: number;
}

/** How a price was derived from a cluster's instance mix. */
export interface InventoryPricing {
  /** Instance type → running instances. */
  readonly mix: Readonly<Record<string, number>>;
  /** Types not in the price list, priced from their vCPUs and memory at the region's rate. */
  readonly unlisted: readonly string[];
  /** USD per hour of every instance of the mix. */
  readonly hourly: number;
  /** The mix's hourly cost over the region's list price for the same vCPUs and memory (0.8 = 20 % cheaper). */
  readonly vsRegion: number;
}

/** Data-transfer list prices in USD per GiB leaving a region, by where the bytes go. */
export interface EgressPrices {
  /** Between zones of one region (same-zone traffic is free at all three clouds). */
  readonly intraRegionPerGiB: number;
  /** To another region of the same provider on the same continent. */
  readonly interRegionPerGiB: number;
  /** To another region of the same provider on another continent. */
  readonly interContinentPerGiB: number;
  /** To the internet, which includes any other provider or an on-prem site. */
  readonly internetPerGiB: number;
}

/**
 * What a MemberCluster may override. `egressPerGiB` is either per class of traffic or one flat
 * figure for every byte leaving the cluster (typical for on-prem transit contracts).
 */
export interface CostOverrides {
  readonly compute?: Partial<ComputePrice>;
  readonly egressPerGiB?: Partial<EgressPrices> | number;
  readonly location?: GeoPoint;
}

/** Region metadata: where it is and which law applies to data stored there. */
export interface RegionInfo {
  readonly provider: Provider;
  readonly name: string;
  /** Human-readable place, e.g. "Frankfurt, DE". */
  readonly displayName: string;
  readonly location: GeoPoint;
  readonly continent: Continent;
  /** Data-residency jurisdiction: 'EU', 'US', 'UK', 'CH', 'CA', 'JP', 'SG', 'IN', 'BR', 'AU'. */
  readonly jurisdiction: string;
  /** ISO 3166-1 alpha-2 country code. */
  readonly country: string;
}

/** CPU and memory a replica requests. */
export interface ReplicaRequests {
  readonly cpuCores: number;
  readonly memoryGiB: number;
}
