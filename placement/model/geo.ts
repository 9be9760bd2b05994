import { CostModelError } from './errors.js';
import type { GeoPoint } from './types.js';

/** Mean Earth radius (IUGG), km. */
const EARTH_RADIUS_KM = 6371.0088;
const DEG = Math.PI / 180;

/** Throws a clear error unless `p` is a finite latitude in [-90, 90] and longitude in [-180, 180]. */
export function assertGeoPoint(p: GeoPoint, field = 'location'): void {
  const { lat, lon } = p;
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw new CostModelError(
      'INVALID_COORDINATES',
      `${field}.lat must be a number in [-90, 90], got ${String(lat)}`,
      `${field}.lat`,
    );
  }
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) {
    throw new CostModelError(
      'INVALID_COORDINATES',
      `${field}.lon must be a number in [-180, 180], got ${String(lon)}`,
      `${field}.lon`,
    );
  }
}

/** Great-circle distance in km (haversine): allocation-free, accurate to ~0.5% for our purpose. */
export function greatCircleKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const dLat = (bLat - aLat) * DEG;
  const dLon = (bLon - aLon) * DEG;
  const s1 = Math.sin(dLat / 2);
  const s2 = Math.sin(dLon / 2);
  const h = s1 * s1 + Math.cos(aLat * DEG) * Math.cos(bLat * DEG) * s2 * s2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Whether a value is shaped like a GeoPoint (as opposed to a RegionRef). */
export function isGeoPoint(x: unknown): x is GeoPoint {
  return typeof x === 'object' && x !== null && 'lat' in x && 'lon' in x;
}
