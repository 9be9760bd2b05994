import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { TrafficLink } from '../api.js';
import { ERROR_STEPS, money, P99_STEPS, PROVIDER_COLOURS, percent, rate, severity } from '../format.js';

/** A link between two graph nodes (clusters, or groups of them), summed. */
export interface GraphLink {
  source: string;
  destination: string;
  requestsPerSecond: number;
  bytes: number;
  /** The worst p99 of the links summed (an upper bound of the group's p99). */
  p99Ms: number;
  errorRate: number;
  egressCostPerHour: number;
  egressCostPerMonth: number;
}

/** Sums links by the node each end maps to (the identity for clusters; provider or region for groups). */
export function groupLinks(links: TrafficLink[], nodeOf: (cluster: string) => string): GraphLink[] {
  const out = new Map<string, GraphLink>();
  for (const l of links) {
    const s = nodeOf(l.source);
    const d = nodeOf(l.destination);
    const k = `${s}|${d}`;
    const g = out.get(k) ?? {
      source: s,
      destination: d,
      requestsPerSecond: 0,
      bytes: 0,
      p99Ms: 0,
      errorRate: 0,
      egressCostPerHour: 0,
      egressCostPerMonth: 0,
    };
    const before = g.requestsPerSecond;
    g.requestsPerSecond += l.requestsPerSecond;
    g.errorRate =
      g.requestsPerSecond === 0
        ? 0
        : (g.errorRate * before + l.errorRate * l.requestsPerSecond) / g.requestsPerSecond;
    g.bytes += l.bytesIn + l.bytesOut;
    g.p99Ms = Math.max(g.p99Ms, l.p99Ms);
    g.egressCostPerHour += l.egressCostPerHour;
    g.egressCostPerMonth += l.egressCostPerMonth;
    out.set(k, g);
  }
  return [...out.values()];
}

const SIZE = 520;
const C = SIZE / 2;
const R = SIZE / 2 - 70;
/** Room on either side for node names (the drawing is SIZE + 2 × PAD wide). */
const PAD = 100;
/** Links drawn as focusable SVG marks; past this, the rest are painted on a canvas underneath. */
const INTERACTIVE_LINKS_MAX = 300;
/** Nodes labelled by name; past this, names are in each node's tooltip and label only. */
const LABELLED_NODES_MAX = 60;

type Point = { x: number; y: number };

function colourOf(l: GraphLink, by: 'p99' | 'errors'): string {
  return by === 'p99' ? severity(l.p99Ms, P99_STEPS) : severity(l.errorRate, ERROR_STEPS);
}

/** The arc of a link: curved so that a→b and b→a do not overlap. */
function control(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2 + (b.y - a.y) * 0.15, y: (a.y + b.y) / 2 - (b.x - a.x) * 0.15 };
}

/** Paints links on a canvas (thousands of SVG elements would take seconds to lay out). */
function LinkCanvas(props: {
  links: GraphLink[];
  at: Map<string, Point>;
  colourBy: 'p99' | 'errors';
  width: (l: GraphLink) => number;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = (SIZE + 2 * PAD) * ratio;
    canvas.height = SIZE * ratio;
    ctx.setTransform(ratio, 0, 0, ratio, PAD * ratio, 0);
    ctx.clearRect(-PAD, 0, SIZE + 2 * PAD, SIZE);
    ctx.globalAlpha = 0.5;
    for (const l of props.links) {
      const a = props.at.get(l.source);
      const b = props.at.get(l.destination);
      if (!a || !b) continue;
      const m = control(a, b);
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.quadraticCurveTo(m.x, m.y, b.x, b.y);
      ctx.strokeStyle = colourOf(l, props.colourBy);
      ctx.lineWidth = props.width(l);
      ctx.stroke();
    }
  }, [props.links, props.at, props.colourBy, props.width]);
  // A canvas is not focusable; its links are in the table for keyboards and screen readers.
  // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a <canvas> without tabindex takes no focus
  return <canvas ref={ref} class="graph-canvas" aria-hidden="true" />;
}

/**
 * The traffic graph: nodes on a circle (ordered by provider), links as arcs whose width follows the
 * request rate and whose colour follows p99 latency or error rate. The busiest links are focusable
 * SVG marks, selectable with Enter; past INTERACTIVE_LINKS_MAX the others are painted on a canvas
 * underneath (and are in the table), so thousands of links stay quick to draw.
 */
export function TrafficGraph(props: {
  nodes: { id: string; provider: string }[];
  links: GraphLink[];
  colourBy: 'p99' | 'errors';
  selected: string | undefined;
  onSelect: (l: GraphLink) => void;
  onNode: (id: string) => void;
}) {
  const at = useMemo(
    () =>
      new Map(
        props.nodes.map((n, i) => {
          const a = (2 * Math.PI * i) / Math.max(1, props.nodes.length) - Math.PI / 2;
          return [n.id, { x: C + R * Math.cos(a), y: C + R * Math.sin(a) }];
        }),
      ),
    [props.nodes],
  );
  const { width, painted, marked } = useMemo(() => {
    let maxRate = 1e-9;
    for (const l of props.links) maxRate = Math.max(maxRate, l.requestsPerSecond);
    const byRate = [...props.links].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    const cut = Math.max(0, byRate.length - INTERACTIVE_LINKS_MAX);
    // Thinner lines the more links there are, so that a dense graph does not become one blot.
    const widest = props.links.length <= 40 ? 8 : Math.max(1.5, 8 * Math.sqrt(40 / props.links.length));
    const base = props.links.length <= 40 ? 1.5 : 0.6;
    return {
      width: (l: GraphLink) => base + widest * Math.sqrt(l.requestsPerSecond / maxRate),
      painted: byRate.slice(0, cut),
      marked: byRate.slice(cut),
    };
  }, [props.links]);
  const labelled = props.nodes.length <= LABELLED_NODES_MAX;
  const r = labelled ? 9 : Math.max(2, Math.min(9, (Math.PI * R) / props.nodes.length));
  return (
    <figure class="graph">
      {painted.length > 0 && <LinkCanvas links={painted} at={at} colourBy={props.colourBy} width={width} />}
      {/* biome-ignore lint/a11y/useSemanticElements: an SVG drawing groups its marks with role=group */}
      <svg viewBox={`${-PAD} 0 ${SIZE + 2 * PAD} ${SIZE}`} role="group" aria-label="Traffic between clusters">
        {marked.map((l) => {
          const a = at.get(l.source);
          const b = at.get(l.destination);
          if (!a || !b) return null;
          const key = `${l.source}|${l.destination}`;
          const m = control(a, b);
          const label = `${l.source} to ${l.destination}: ${rate(l.requestsPerSecond)} requests/s, p99 ${l.p99Ms.toFixed(1)} ms, errors ${percent(l.errorRate)}, egress ${money(l.egressCostPerHour)}/h`;
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG mark cannot be a <button>
            <g
              key={key}
              class={`link${props.selected === key ? ' selected' : ''}`}
              role="button"
              tabindex={0}
              aria-label={label}
              aria-pressed={props.selected === key}
              onClick={() => props.onSelect(l)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && props.onSelect(l)}
            >
              <title>{label}</title>
              <path
                d={`M${a.x},${a.y} Q${m.x},${m.y} ${b.x},${b.y}`}
                stroke={colourOf(l, props.colourBy)}
                stroke-width={width(l)}
                fill="none"
              />
            </g>
          );
        })}
        {props.nodes.map((n) => {
          const p = at.get(n.id)!;
          const right = p.x >= C;
          const label = `${n.id} (${n.provider}): open its placements`;
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG mark cannot be a <button>
            <g
              key={n.id}
              class="node"
              role="button"
              tabindex={0}
              aria-label={label}
              onClick={() => props.onNode(n.id)}
              onKeyDown={(e) => e.key === 'Enter' && props.onNode(n.id)}
            >
              {!labelled && <title>{label}</title>}
              <circle cx={p.x} cy={p.y} r={r} fill={PROVIDER_COLOURS[n.provider] ?? '#999'} stroke="#222" />
              {labelled && (
                <text x={p.x + (right ? 13 : -13)} y={p.y + 4} text-anchor={right ? 'start' : 'end'}>
                  {n.id}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {painted.length > 0 && (
        <figcaption>
          The {marked.length} busiest of {props.links.length} links are drawn on top and can be selected here;
          the others are in the table.
        </figcaption>
      )}
    </figure>
  );
}
