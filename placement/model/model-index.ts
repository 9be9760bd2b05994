import type { ModelData } from './data/index.js';
import { CostModelError } from './errors.js';
import {
  type ComputePrice,
  type ComputePriceQuote,
  type EgressPrices,
  PROVIDERS,
  type Provider,
  type RegionInfo,
} from './types.js';
import { assertGeoPoint, assertPrice, assertProvider } from './validate.js';

/** A catalogue region with everything the hot path needs, resolved once. */
export interface RegionEntry {
  readonly info: RegionInfo;
  /** Row/column in the dense RTT and pair-egress matrices. */
  readonly index: number;
  readonly egress: EgressPrices;
}

/**
 * Precomputed lookup structures: nested maps (provider, then region name) so a lookup allocates
 * no key string, and dense N x N Float64Arrays (NaN = no entry) for RTT and pair prices.
 */
export interface ModelIndex {
  readonly regions: readonly RegionInfo[];
  readonly size: number;
  readonly entries: ReadonlyMap<Provider, ReadonlyMap<string, RegionEntry>>;
  readonly byName: ReadonlyMap<string, readonly RegionInfo[]>;
  readonly compute: ReadonlyMap<Provider, ReadonlyMap<string, ComputePriceQuote>>;
  readonly computeFallback: ReadonlyMap<Provider, ComputePriceQuote>;
  readonly egressFallback: ReadonlyMap<Provider, EgressPrices>;
  readonly rtt: Float64Array;
  readonly pairEgress: Float64Array;
}

const bad = (msg: string, field?: string): CostModelError =>
  new CostModelError('INVALID_MODEL_DATA', msg, field);

function quote(p: ComputePrice, estimated: boolean, field: string): ComputePriceQuote {
  assertPrice(p.vcpuHour, `${field}.vcpuHour`, 'INVALID_MODEL_DATA');
  assertPrice(p.gibHour, `${field}.gibHour`, 'INVALID_MODEL_DATA');
  return Object.freeze({
    vcpuHour: p.vcpuHour,
    gibHour: p.gibHour,
    basis: estimated ? 'provider-average' : 'table',
    estimated,
  });
}

function mean(prices: readonly ComputePrice[]): ComputePrice {
  const n = prices.length;
  return {
    vcpuHour: prices.reduce((s, p) => s + p.vcpuHour, 0) / n,
    gibHour: prices.reduce((s, p) => s + p.gibHour, 0) / n,
  };
}

/** Validates `data` and builds the lookup structures; throws INVALID_MODEL_DATA with a field path. */
export function buildIndex(data: ModelData): ModelIndex {
  const entries = new Map<Provider, Map<string, RegionEntry>>(PROVIDERS.map((p) => [p, new Map()]));
  const byName = new Map<string, RegionInfo[]>();
  data.regions.forEach((info, i) => {
    const field = `regions[${i}]`;
    assertProvider(info.provider, `${field}.provider`);
    assertGeoPoint(info.location, `${field}.location`);
    const table = data.egress[info.provider];
    if (table === undefined) throw bad(`no egress table for provider ${info.provider}`, 'egress');
    const egress: EgressPrices = Object.freeze({
      ...table.default,
      ...table.byContinent?.[info.continent],
      ...table.byRegion?.[info.name],
    });
    const map = entries.get(info.provider)!;
    if (map.has(info.name)) throw bad(`duplicate region ${info.provider}:${info.name}`, field);
    map.set(info.name, { info, index: i, egress });
    byName.set(info.name, [...(byName.get(info.name) ?? []), info]);
  });
  const size = data.regions.length;

  const compute = new Map<Provider, Map<string, ComputePriceQuote>>();
  const computeFallback = new Map<Provider, ComputePriceQuote>();
  const egressFallback = new Map<Provider, EgressPrices>();
  const allPrices: ComputePrice[] = PROVIDERS.flatMap((p) => Object.values(data.compute[p] ?? {}));
  for (const p of PROVIDERS) {
    const table = data.compute[p] ?? {};
    const m = new Map<string, ComputePriceQuote>();
    for (const [region, price] of Object.entries(table))
      m.set(region, quote(price, false, `compute.${p}.${region}`));
    compute.set(p, m);
    const known = Object.values(table);
    const fallback =
      data.computeFallbacks[p] ??
      (known.length > 0 ? mean(known) : allPrices.length > 0 ? mean(allPrices) : undefined);
    if (fallback === undefined) throw bad('no compute prices at all', 'compute');
    computeFallback.set(p, quote(fallback, true, `computeFallbacks.${p}`));
    const e = data.egress[p];
    if (e === undefined) throw bad(`no egress table for provider ${p}`, 'egress');
    for (const [k, v] of Object.entries(e.default))
      assertPrice(v, `egress.${p}.default.${k}`, 'INVALID_MODEL_DATA');
    egressFallback.set(p, Object.freeze({ ...e.default }));
  }

  const lookup = (key: string, field: string): RegionEntry => {
    const at = key.indexOf(':');
    const provider = key.slice(0, at);
    const entry = at > 0 ? entries.get(provider as Provider)?.get(key.slice(at + 1)) : undefined;
    if (entry === undefined) throw bad(`unknown region ${JSON.stringify(key)} (want provider:region)`, field);
    return entry;
  };

  const rtt = new Float64Array(size * size).fill(Number.NaN);
  data.rtt.forEach(([a, b, ms], i) => {
    const field = `rtt[${i}]`;
    assertPrice(ms, `${field}.ms`, 'INVALID_MODEL_DATA');
    const ea = lookup(a, field);
    const eb = lookup(b, field);
    if (!Number.isNaN(rtt[ea.index * size + eb.index]!)) throw bad(`duplicate RTT pair ${a} <-> ${b}`, field);
    rtt[ea.index * size + eb.index] = ms;
    rtt[eb.index * size + ea.index] = ms;
  });

  const pairEgress = new Float64Array(size * size).fill(Number.NaN);
  for (const p of PROVIDERS) {
    (data.egress[p]?.pairs ?? []).forEach(([from, to, perGiB], i) => {
      const field = `egress.${p}.pairs[${i}]`;
      assertPrice(perGiB, field, 'INVALID_MODEL_DATA');
      pairEgress[lookup(`${p}:${from}`, field).index * size + lookup(`${p}:${to}`, field).index] = perGiB;
    });
  }

  return {
    regions: Object.freeze([...data.regions]),
    size,
    entries,
    byName,
    compute,
    computeFallback,
    egressFallback,
    rtt,
    pairEgress,
  };
}
