import { DEFAULT_MODEL_DATA, type ModelData, type RttEstimateParams } from './data/index.js';
import { CostModelError } from './errors.js';
import { greatCircleKm, isGeoPoint } from './geo.js';
import { buildInstanceIndex, type InstanceIndex } from './instance-index.js';
import { buildIndex, type ModelIndex, type RegionEntry } from './model-index.js';
import type {
  ComputePrice,
  ComputePriceQuote,
  CostOverrides,
  EgressPrices,
  GeoPoint,
  InstanceCount,
  Provider,
  RegionInfo,
  RegionRef,
  ReplicaRequests,
} from './types.js';
import {
  assertGeoPoint,
  assertInstances,
  assertPrice,
  assertProvider,
  assertRegionRef,
  assertRequests,
} from './validate.js';

export type { ModelData, RttEstimateParams } from './data/index.js';

/** Hours in a billing month as the three clouds count them (8760 / 12). */
export const HOURS_PER_MONTH = 730;

/** Which price-list line a transfer falls under. */
export type EgressKind = 'intra-region' | 'inter-region' | 'inter-continent' | 'internet';

/** An egress price with the reasoning behind it, for explanations. */
export interface EgressQuote {
  readonly perGiB: number;
  readonly kind: EgressKind;
  /** True when a region was unknown and a provider default or a conservative class was used. */
  readonly estimated: boolean;
  readonly basis: 'table' | 'pair' | 'override';
}

/** Prices and latencies of the regions fedgate knows. All methods are pure and O(1). */
export interface CostModel {
  /** Region metadata: location, continent, jurisdiction (for data residency). undefined when unknown. */
  region(ref: RegionRef): RegionInfo | undefined;
  /** Every region in the catalogue. */
  listRegions(): readonly RegionInfo[];
  /** Regions with this name across providers (region names rarely collide; on-prem sites might). */
  findRegions(name: string): readonly RegionInfo[];
  /** Compute price; unknown regions of a known provider get the provider average, flagged `estimated`. */
  computePrice(ref: RegionRef, overrides?: CostOverrides): ComputePriceQuote;
  /**
   * Compute price of a cluster from the instances it runs (cloud inventory): the region's vCPU-hour
   * and GiB-hour prices scaled by what the instance mix costs against the region's list price for
   * the same vCPUs and memory. Types not in the price list count at the region's rate; a mix with
   * no listed type, or no instances, gets computePrice(). Overrides win, field by field.
   */
  clusterComputePrice(
    ref: RegionRef,
    instances: readonly InstanceCount[] | undefined,
    overrides?: CostOverrides,
  ): ComputePriceQuote;
  /** On-demand USD per hour of one instance of a type in a region; undefined when the type is not listed. */
  instancePrice(ref: RegionRef, instanceType: string): number | undefined;
  /** Monthly cost (730 h) of a replica with the given requests in that region. */
  replicaMonthlyCost(ref: RegionRef, requests: ReplicaRequests, overrides?: CostOverrides): number;
  /** USD per GiB from `from` to `to`; `overrides` are those of the source cluster (its bill). */
  egressPerGiB(from: RegionRef, to: RegionRef | 'internet', overrides?: CostOverrides): number;
  /** Like egressPerGiB, with the price class and provenance. */
  egressQuote(from: RegionRef, to: RegionRef | 'internet', overrides?: CostOverrides): EgressQuote;
  /** Round-trip ms: measured table when both are known regions, else the distance estimate. Throws for an unknown region. */
  rttMs(a: RegionRef | GeoPoint, b: RegionRef | GeoPoint): number;
  /** Like rttMs, but undefined instead of throwing when a region has no known location. */
  tryRttMs(a: RegionRef | GeoPoint, b: RegionRef | GeoPoint): number | undefined;
}

/** Distance-based RTT estimate between two points (documented and calibrated in data/index.ts). */
export function estimateRttMs(
  a: GeoPoint,
  b: GeoPoint,
  params: RttEstimateParams = DEFAULT_MODEL_DATA.rttEstimate,
): number {
  return params.baseMs + params.msPerKm * greatCircleKm(a.lat, a.lon, b.lat, b.lon);
}

const EGRESS_FIELD = {
  'intra-region': 'intraRegionPerGiB',
  'inter-region': 'interRegionPerGiB',
  'inter-continent': 'interContinentPerGiB',
  internet: 'internetPerGiB',
} as const satisfies Record<EgressKind, keyof EgressPrices>;

/** Builds a model over `data`; each key given replaces the built-in section wholesale. */
export function createCostModel(data?: Partial<ModelData>): CostModel {
  const merged: ModelData = { ...DEFAULT_MODEL_DATA, ...data };
  const ix = buildIndex(merged);
  return new TableCostModel(ix, buildInstanceIndex(merged.instances, ix), merged.rttEstimate);
}

class TableCostModel implements CostModel {
  constructor(
    private readonly ix: ModelIndex,
    private readonly instances: InstanceIndex,
    private readonly est: RttEstimateParams,
  ) {}

  region(ref: RegionRef): RegionInfo | undefined {
    assertRegionRef(ref);
    return this.ix.entries.get(ref.provider)?.get(ref.region)?.info;
  }

  listRegions(): readonly RegionInfo[] {
    return this.ix.regions;
  }

  findRegions(name: string): readonly RegionInfo[] {
    return this.ix.byName.get(name) ?? [];
  }

  computePrice(ref: RegionRef, overrides?: CostOverrides): ComputePriceQuote {
    assertRegionRef(ref);
    return withOverrides(this.regionPrice(ref), overrides);
  }

  clusterComputePrice(
    ref: RegionRef,
    instances: readonly InstanceCount[] | undefined,
    overrides?: CostOverrides,
  ): ComputePriceQuote {
    assertRegionRef(ref);
    const base = this.regionPrice(ref);
    if (instances === undefined || instances.length === 0) return withOverrides(base, overrides);
    assertInstances(instances);
    let hourly = 0;
    let list = 0;
    let listed = 0;
    const mix: Record<string, number> = {};
    const unlisted = new Set<string>();
    for (const g of instances) {
      if (g.count === 0) continue;
      // What the instance would cost at the region's vCPU-hour and GiB-hour list price.
      const atRegionRate = g.vcpus * base.vcpuHour + g.memoryGiB * base.gibHour;
      const price = this.instancePriceOf(ref, base, g.instanceType);
      if (price === undefined) unlisted.add(g.instanceType);
      else listed += g.count;
      hourly += g.count * (price ?? atRegionRate);
      list += g.count * atRegionRate;
      mix[g.instanceType] = (mix[g.instanceType] ?? 0) + g.count;
    }
    // No listed type: the mix costs exactly the region's rate, so the region price stands.
    if (listed === 0 || list <= 0) return withOverrides(base, overrides);
    const vsRegion = hourly / list;
    return withOverrides(
      {
        vcpuHour: base.vcpuHour * vsRegion,
        gibHour: base.gibHour * vsRegion,
        basis: 'inventory',
        estimated: base.estimated,
        inventory: { mix, unlisted: [...unlisted].sort(), hourly, vsRegion },
      },
      overrides,
    );
  }

  instancePrice(ref: RegionRef, instanceType: string): number | undefined {
    assertRegionRef(ref);
    return this.instancePriceOf(ref, this.regionPrice(ref), instanceType);
  }

  /** The region's list price, or the provider's average for a region not in the table. */
  private regionPrice(ref: RegionRef): ComputePriceQuote {
    const base =
      this.ix.compute.get(ref.provider)?.get(ref.region) ?? this.ix.computeFallback.get(ref.provider);
    // buildIndex guarantees a fallback for every provider; this keeps the type checker honest.
    if (base === undefined)
      throw new CostModelError('INVALID_MODEL_DATA', `no compute price for ${ref.provider}`);
    return base;
  }

  /** A listed type's price in the region: as published there, else its reference price × the region multiplier. */
  private instancePriceOf(ref: RegionRef, region: ComputePrice, instanceType: string): number | undefined {
    const list = this.instances.get(ref.provider);
    const type = list?.types.get(instanceType);
    if (list === undefined || type === undefined) return undefined;
    return type.byRegion?.[ref.region] ?? type.hourly * (region.vcpuHour / list.reference.vcpuHour);
  }

  replicaMonthlyCost(ref: RegionRef, requests: ReplicaRequests, overrides?: CostOverrides): number {
    assertRequests(requests);
    const p: ComputePrice = this.computePrice(ref, overrides);
    return HOURS_PER_MONTH * (requests.cpuCores * p.vcpuHour + requests.memoryGiB * p.gibHour);
  }

  egressPerGiB(from: RegionRef, to: RegionRef | 'internet', overrides?: CostOverrides): number {
    return this.egressQuote(from, to, overrides).perGiB;
  }

  egressQuote(from: RegionRef, to: RegionRef | 'internet', overrides?: CostOverrides): EgressQuote {
    assertRegionRef(from, 'from');
    if (to !== 'internet') assertRegionRef(to, 'to');
    const src = this.ix.entries.get(from.provider)?.get(from.region);
    let kind: EgressKind;
    let estimated = src === undefined;
    let dst: RegionEntry | undefined;
    if (to === 'internet' || to.provider !== from.provider) {
      kind = 'internet'; // another cloud or an on-prem site is reached over the internet
    } else if (to.region === from.region) {
      kind = 'intra-region';
    } else {
      dst = this.ix.entries.get(to.provider)?.get(to.region);
      if (src === undefined || dst === undefined) {
        kind = 'inter-continent'; // unknown continent: assume the dearer class
        estimated = true;
      } else {
        kind = src.info.continent === dst.info.continent ? 'inter-region' : 'inter-continent';
      }
    }
    const flat = overrides?.egressPerGiB;
    if (typeof flat === 'number') {
      assertPrice(flat, 'overrides.egressPerGiB', 'INVALID_OVERRIDE');
      return { perGiB: flat, kind, estimated: false, basis: 'override' };
    }
    const field = EGRESS_FIELD[kind];
    const o = flat?.[field];
    if (o !== undefined) {
      assertPrice(o, `overrides.egressPerGiB.${field}`, 'INVALID_OVERRIDE');
      return { perGiB: o, kind, estimated: false, basis: 'override' };
    }
    if (src !== undefined && dst !== undefined) {
      const pair = this.ix.pairEgress[src.index * this.ix.size + dst.index];
      if (pair !== undefined && !Number.isNaN(pair)) return { perGiB: pair, kind, estimated, basis: 'pair' };
    }
    const prices = src?.egress ?? this.ix.egressFallback.get(from.provider);
    if (prices === undefined)
      throw new CostModelError('INVALID_MODEL_DATA', `no egress prices for ${from.provider}`);
    return { perGiB: prices[field], kind, estimated, basis: 'table' };
  }

  rttMs(a: RegionRef | GeoPoint, b: RegionRef | GeoPoint): number {
    const v = this.tryRttMs(a, b);
    if (v !== undefined) return v;
    const unknown = !isGeoPoint(a) && this.entryOf(a, 'a') === undefined ? a : (b as RegionRef);
    throw new CostModelError(
      'UNKNOWN_REGION',
      `no location for ${unknown.provider}:${unknown.region}; pass its coordinates ({lat, lon}) or set overrides.location`,
    );
  }

  tryRttMs(a: RegionRef | GeoPoint, b: RegionRef | GeoPoint): number | undefined {
    let ea: RegionEntry | undefined;
    let eb: RegionEntry | undefined;
    let pa: GeoPoint;
    let pb: GeoPoint;
    if (isGeoPoint(a)) {
      assertGeoPoint(a, 'a');
      pa = a;
    } else {
      ea = this.entryOf(a, 'a');
      if (ea === undefined) return undefined;
      pa = ea.info.location;
    }
    if (isGeoPoint(b)) {
      assertGeoPoint(b, 'b');
      pb = b;
    } else {
      eb = this.entryOf(b, 'b');
      if (eb === undefined) return undefined;
      pb = eb.info.location;
    }
    if (ea !== undefined && eb !== undefined) {
      if (ea === eb) return this.est.intraRegionMs;
      const measured = this.ix.rtt[ea.index * this.ix.size + eb.index];
      if (measured !== undefined && !Number.isNaN(measured)) return measured;
    }
    return estimateRttMs(pa, pb, this.est);
  }

  private entryOf(ref: RegionRef, field: string): RegionEntry | undefined {
    assertRegionRef(ref, field);
    return this.ix.entries.get(ref.provider)?.get(ref.region);
  }
}

/** A quote with the MemberCluster's price overrides applied, field by field. */
function withOverrides(base: ComputePriceQuote, overrides: CostOverrides | undefined): ComputePriceQuote {
  const o = overrides?.compute;
  if (o === undefined) return base;
  if (o.vcpuHour !== undefined) assertPrice(o.vcpuHour, 'overrides.compute.vcpuHour', 'INVALID_OVERRIDE');
  if (o.gibHour !== undefined) assertPrice(o.gibHour, 'overrides.compute.gibHour', 'INVALID_OVERRIDE');
  const partial = o.vcpuHour === undefined || o.gibHour === undefined;
  return {
    vcpuHour: o.vcpuHour ?? base.vcpuHour,
    gibHour: o.gibHour ?? base.gibHour,
    basis: 'override',
    // Still an estimate if part of the price came from a provider average.
    estimated: base.estimated && partial,
    ...(partial && base.inventory !== undefined ? { inventory: base.inventory } : {}),
  };
}

/** The model over the built-in tables. */
export const defaultCostModel: CostModel = createCostModel();

/** Validates untyped provider input (e.g. from YAML) and narrows it. */
export function parseProvider(p: unknown, field = 'provider'): Provider {
  assertProvider(p, field);
  return p;
}
