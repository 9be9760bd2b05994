import type { Region } from '../api.js';
import { STATUS } from '../format.js';
import { landPath } from './land.js';

/** One dot on the map: the clusters of one provider region. */
export interface MapGroup {
  key: string;
  provider: string;
  region: string;
  total: number;
  ready: number;
  /** Clusters with no Ready condition yet (never probed). */
  unprobed: number;
}

/** Region names are drawn beside the dots up to this many regions (always in each dot's label). */
const LABELLED_GROUPS_MAX = 12;

const W = 720;
const H = 360;
const x = (lon: number) => ((lon + 180) / 360) * W;
const y = (lat: number) => ((90 - lat) / 180) * H;
/** Computed once: the land does not move. */
let land: string | undefined;
function landOutline(): string {
  land ??= landPath((lon, lat) => [x(lon), y(lat)]);
  return land;
}

/**
 * An equirectangular world map (land outlines from Natural Earth 1:110m, graticule every 30°) with a dot per provider region that holds
 * clusters, at the region's real coordinates; size by cluster count, colour and label by health.
 */
export function WorldMap(props: { groups: MapGroup[]; regions: Region[]; onSelect: (g: MapGroup) => void }) {
  const where = new Map(props.regions.map((r) => [`${r.provider}/${r.name}`, r]));
  const unknown = props.groups.filter((g) => !where.has(g.key));
  const lines = [];
  for (let lon = -180; lon <= 180; lon += 30)
    lines.push(<line key={`o${lon}`} x1={x(lon)} x2={x(lon)} y1={0} y2={H} />);
  for (let lat = -90; lat <= 90; lat += 30)
    lines.push(<line key={`a${lat}`} x1={0} x2={W} y1={y(lat)} y2={y(lat)} />);
  return (
    <figure class="map">
      {/* biome-ignore lint/a11y/useSemanticElements: an SVG drawing groups its marks with role=group */}
      <svg viewBox={`0 0 ${W} ${H}`} role="group" aria-label="Clusters on a world map by region">
        <rect width={W} height={H} class="sea" />
        <path class="land" d={landOutline()} data-testid="land" />
        <g class="graticule">{lines}</g>
        {props.groups.map((g) => {
          const r = where.get(g.key);
          if (!r) return null;
          const probed = g.total - g.unprobed;
          const failing = probed - g.ready;
          const colour =
            probed === 0
              ? STATUS.unknown
              : failing === 0
                ? STATUS.ok
                : g.ready === 0
                  ? STATUS.bad
                  : STATUS.warn;
          const label = `${g.provider} ${g.region} (${r.displayName}): ${g.total} clusters, ${g.ready} ready${
            failing > 0 ? `, ${failing} not ready or unreachable` : ''
          }${g.unprobed > 0 ? `, ${g.unprobed} not probed yet` : ''}`;
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG mark cannot be a <button>
            <g
              key={g.key}
              class="dot"
              role="button"
              tabindex={0}
              aria-label={label}
              onClick={() => props.onSelect(g)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && props.onSelect(g)}
            >
              <title>{label}</title>
              <circle cx={x(r.lon)} cy={y(r.lat)} r={4 + Math.min(8, Math.sqrt(g.total) * 2)} fill={colour} />
              {(props.groups.length <= LABELLED_GROUPS_MAX || failing > 0) && (
                <text x={x(r.lon) + 8} y={y(r.lat) - 8}>
                  {g.region}
                  {failing > 0 ? ` ⚠ ${failing}` : ''}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {unknown.length > 0 && (
        <figcaption>Regions without known coordinates: {unknown.map((g) => g.key).join(', ')}</figcaption>
      )}
    </figure>
  );
}
