import type { MultiPolygon, Polygon, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
// Natural Earth's 1:110m land (public domain), as TopoJSON from world-atlas; bundled, never fetched.
import land110m from 'world-atlas/land-110m.json';

/**
 * A ring's longitudes made continuous across the antimeridian (world-atlas keeps spherical
 * coordinates: Chukotka and Fiji cross ±180°, Antarctica circles the pole), as rings to draw in
 * -180…180: one crossing ring drawn twice, 360° apart (the map clips each), and a ring around a
 * pole closed along the pole's edge of the map.
 */
export function flatRings(ring: readonly Position[]): [number, number][][] {
  const out: [number, number][] = [];
  let lon = ring[0]?.[0] ?? 0;
  let lo = lon;
  let hi = lon;
  let latSum = 0;
  for (const [i, p] of ring.entries()) {
    if (i > 0) {
      const d = p[0]! - ring[i - 1]![0]!;
      lon += d > 180 ? d - 360 : d < -180 ? d + 360 : d;
    }
    lo = Math.min(lo, lon);
    hi = Math.max(hi, lon);
    latSum += p[1]!;
    out.push([lon, p[1]!]);
  }
  const net = out.length > 0 ? out[out.length - 1]![0] - out[0]![0] : 0;
  if (Math.abs(net) > 180) {
    // Around a pole: go along the pole's edge back to where the ring started.
    const pole = latSum < 0 ? -90 : 90;
    const shift = lo < -180 ? 360 : hi > 180 ? -360 : 0;
    const shifted = out.map(([x, y]): [number, number] => [x + shift, y]);
    shifted.push([shifted[shifted.length - 1]![0], pole], [shifted[0]![0], pole]);
    return [shifted];
  }
  if (lo < -180) return [out, out.map(([x, y]) => [x + 360, y])];
  if (hi > 180) return [out, out.map(([x, y]) => [x - 360, y])];
  return [out];
}

/**
 * The land outlines as one SVG path, through `project` (longitude, latitude → x, y; the drawing
 * must clip at the map's edges). Coordinates are rounded to a tenth of a unit: the drawing is a
 * few hundred units wide.
 */
export function landPath(project: (lon: number, lat: number) => [number, number]): string {
  const topology = land110m as unknown as Topology<{ land: GeometryCollection }>;
  const land = feature(topology, topology.objects.land);
  const ring = (r: [number, number][]) =>
    `M${r
      .map(([lon, lat]) => {
        const [x, y] = project(lon, lat);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join('L')}Z`;
  const parts: string[] = [];
  for (const f of land.features) {
    const g = f.geometry as Polygon | MultiPolygon;
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    for (const p of polygons) for (const r of p) for (const flat of flatRings(r)) parts.push(ring(flat));
  }
  return parts.join('');
}
