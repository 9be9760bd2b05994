import { type CostModel, defaultCostModel } from './cost-model.js';
import { CostModelError } from './errors.js';
import { assertGeoPoint, isGeoPoint } from './geo.js';
import type { GeoPoint, RegionInfo } from './types.js';
import { assertProvider } from './validate.js';

/** A metro where users are, for latency objectives ("p50 to users in frankfurt < 30 ms"). */
export interface Metro {
  readonly id: string;
  readonly name: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly location: GeoPoint;
}

/** What a user-location reference resolved to. */
export interface ResolvedLocation {
  readonly kind: 'metro' | 'region' | 'coordinates';
  /** Metro id, `provider:region`, or `lat,lon`. */
  readonly id: string;
  readonly location: GeoPoint;
  readonly region?: RegionInfo;
}

type MetroRow = readonly [id: string, name: string, country: string, lat: number, lon: number];

// City-centre coordinates (WGS84, 2 decimals), as published on each city's Wikipedia page.
const METRO_ROWS: readonly MetroRow[] = [
  ['frankfurt', 'Frankfurt', 'DE', 50.11, 8.68],
  ['london', 'London', 'GB', 51.51, -0.13],
  ['paris', 'Paris', 'FR', 48.86, 2.35],
  ['amsterdam', 'Amsterdam', 'NL', 52.37, 4.9],
  ['dublin', 'Dublin', 'IE', 53.35, -6.26],
  ['stockholm', 'Stockholm', 'SE', 59.33, 18.07],
  ['zurich', 'Zürich', 'CH', 47.37, 8.54],
  ['madrid', 'Madrid', 'ES', 40.42, -3.7],
  ['warsaw', 'Warsaw', 'PL', 52.23, 21.01],
  ['new-york', 'New York', 'US', 40.71, -74.01],
  ['washington', 'Washington, D.C.', 'US', 38.91, -77.04],
  ['chicago', 'Chicago', 'US', 41.88, -87.63],
  ['dallas', 'Dallas', 'US', 32.78, -96.8],
  ['los-angeles', 'Los Angeles', 'US', 34.05, -118.24],
  ['san-francisco', 'San Francisco', 'US', 37.77, -122.42],
  ['seattle', 'Seattle', 'US', 47.61, -122.33],
  ['toronto', 'Toronto', 'CA', 43.65, -79.38],
  ['mexico-city', 'Mexico City', 'MX', 19.43, -99.13],
  ['sao-paulo', 'São Paulo', 'BR', -23.55, -46.63],
  ['buenos-aires', 'Buenos Aires', 'AR', -34.6, -58.38],
  ['singapore', 'Singapore', 'SG', 1.35, 103.82],
  ['tokyo', 'Tokyo', 'JP', 35.68, 139.69],
  ['seoul', 'Seoul', 'KR', 37.57, 126.98],
  ['hong-kong', 'Hong Kong', 'HK', 22.32, 114.17],
  ['mumbai', 'Mumbai', 'IN', 19.08, 72.88],
  ['sydney', 'Sydney', 'AU', -33.87, 151.21],
  ['johannesburg', 'Johannesburg', 'ZA', -26.2, 28.05],
  ['dubai', 'Dubai', 'AE', 25.2, 55.27],
];

/** Known user metros. */
export const METROS: readonly Metro[] = METRO_ROWS.map(([id, name, country, lat, lon]) => ({
  id,
  name,
  country,
  location: { lat, lon },
}));

const METRO_BY_ID: ReadonlyMap<string, Metro> = new Map(METROS.map((m) => [m.id, m]));
// Spellings people write in policies.
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['nyc', 'new-york'],
  ['newyork', 'new-york'],
  ['sf', 'san-francisco'],
  ['la', 'los-angeles'],
  ['saopaulo', 'sao-paulo'],
  ['são-paulo', 'sao-paulo'],
  ['zürich', 'zurich'],
  ['hongkong', 'hong-kong'],
  ['dc', 'washington'],
]);

/** The metro with this id or alias (case-insensitive), or undefined. */
export function metro(id: string): Metro | undefined {
  const key = id.trim().toLowerCase().replaceAll(' ', '-');
  return METRO_BY_ID.get(ALIASES.get(key) ?? key);
}

function fromRegion(info: RegionInfo): ResolvedLocation {
  return { kind: 'region', id: `${info.provider}:${info.name}`, location: info.location, region: info };
}

/**
 * Resolves a user location: a metro id ('frankfurt'), a region ('aws:eu-central-1',
 * 'aws/eu-central-1', or a bare name when unambiguous), or coordinates ({lat, lon}).
 * Throws CostModelError (UNKNOWN_LOCATION, INVALID_COORDINATES, UNKNOWN_PROVIDER) on bad input.
 */
export function resolveUserLocation(
  input: string | GeoPoint,
  model: CostModel = defaultCostModel,
): ResolvedLocation {
  if (isGeoPoint(input)) {
    assertGeoPoint(input, 'location');
    return {
      kind: 'coordinates',
      id: `${input.lat},${input.lon}`,
      location: { lat: input.lat, lon: input.lon },
    };
  }
  if (typeof input !== 'string' || input.trim() === '') {
    throw new CostModelError(
      'UNKNOWN_LOCATION',
      `location must be a metro id, a region or {lat, lon}, got ${JSON.stringify(input)}`,
      'location',
    );
  }
  const m = metro(input);
  if (m !== undefined) return { kind: 'metro', id: m.id, location: m.location };
  const sep = input.search(/[:/]/);
  if (sep > 0) {
    const provider = input.slice(0, sep).trim().toLowerCase();
    assertProvider(provider, 'location.provider');
    const info = model.region({ provider, region: input.slice(sep + 1).trim() });
    if (info !== undefined) return fromRegion(info);
    throw new CostModelError('UNKNOWN_LOCATION', `unknown region ${JSON.stringify(input)}`, 'location');
  }
  const found = model.findRegions(input.trim());
  if (found.length === 1) return fromRegion(found[0]!);
  if (found.length > 1) {
    const options = found.map((r) => `${r.provider}:${r.name}`).join(', ');
    throw new CostModelError(
      'UNKNOWN_LOCATION',
      `region name ${JSON.stringify(input)} is ambiguous; write one of ${options}`,
      'location',
    );
  }
  throw new CostModelError(
    'UNKNOWN_LOCATION',
    `unknown location ${JSON.stringify(input)}: not a metro (${METROS.map((x) => x.id).join(', ')}), not a known region, not {lat, lon}`,
    'location',
  );
}
