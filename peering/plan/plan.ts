import type { CostModel } from '../../placement/model/cost-model.js';
import { allocateBlocks, CidrError, parseCidr } from './cidr.js';
import { PeeringPlanError } from './errors.js';
import { type LinkLoad, linkCost, round2 } from './link-cost.js';
import { chooseLinkKind } from './link-kind.js';
import { VPN_GATEWAY_PER_MONTH } from './link-prices.js';
import { clashingPairs, clusterRanges, findOverlaps, pairKey } from './overlaps.js';
import type { PeeringPlan, PeeringPlanInput, PlanCluster, PlannedLink } from './types.js';

const DEFAULT_MESH_MAX = 6;
const DEFAULT_POOL = '242.0.0.0/8';
const DEFAULT_GLOBAL_PREFIX = 16;

/**
 * Plans the links of a fleet: finds clashing ranges, gives clashing clusters global ranges (or
 * refuses), picks each pair's link kind, and the topology: a full mesh up to `meshMaxClusters`,
 * past it whichever of the mesh and the cheapest hub-and-spoke costs less per month. Pure and
 * deterministic: the same input gives the same plan.
 */
export function planPeering(input: PeeringPlanInput, model: CostModel): PeeringPlan {
  const clusters = [...input.clusters].sort((x, y) => cmp(x.name, y.name));
  const byName = indexClusters(clusters);
  const pairs = requiredPairs(input, byName);
  const overlaps = parseOrExplain(() => findOverlaps(clusters));
  const clashes = clashingPairs(overlaps);
  if (clashes.size > 0 && input.overlapMode === 'refuse') {
    const list = overlaps
      .filter((o) => o.a.cluster !== o.b.cluster)
      .map((o) => `${o.a.cluster} ${o.a.role} ${o.a.cidr} ↔ ${o.b.cluster} ${o.b.role} ${o.b.cidr}`);
    throw new PeeringPlanError('Overlap', `address ranges clash: ${list.join('; ')}`);
  }
  const globalAddresses = assignGlobalRanges(input, clusters, clashes);
  const load = trafficByPair(input, byName);

  const mesh = planTopology(model, byName, pairs, clashes, load, undefined);
  const meshMax = input.meshMaxClusters ?? DEFAULT_MESH_MAX;
  let chosen = mesh;
  let alternative: PeeringPlan['alternative'];
  let why = `${clusters.length} clusters (at most ${meshMax} for a full mesh): every pair linked directly`;
  if (clusters.length > meshMax) {
    const hubs = clusters.map((h) => planTopology(model, byName, pairs, clashes, load, h.name));
    const bestHub = hubs.reduce((best, p) => (p.total < best.total ? p : best));
    if (bestHub.total < mesh.total) {
      chosen = bestHub;
      alternative = { topology: 'full-mesh', total: mesh.total };
      why = `${clusters.length} clusters: hub-and-spoke through ${bestHub.hub} costs $${bestHub.total}/month against $${mesh.total} for a full mesh`;
    } else {
      alternative = { topology: 'hub-and-spoke', hub: bestHub.hub!, total: bestHub.total };
      why = `${clusters.length} clusters: a full mesh costs $${mesh.total}/month, no more than hub-and-spoke through ${bestHub.hub} ($${bestHub.total})`;
    }
  }
  const fixed = round2(
    chosen.links.reduce((s, l) => s + l.cost.fixedPerMonth, 0) +
      chosen.clusterCosts.reduce((s, c) => s + c.usdPerMonth, 0),
  );
  const traffic = round2(chosen.links.reduce((s, l) => s + l.cost.trafficPerMonth, 0));
  return {
    topology: chosen.hub === undefined ? 'full-mesh' : 'hub-and-spoke',
    ...(chosen.hub === undefined ? {} : { hub: chosen.hub }),
    why,
    links: chosen.links,
    overlaps,
    globalAddresses,
    paths: chosen.paths,
    clusterCosts: chosen.clusterCosts,
    monthlyCost: { fixed, traffic, total: round2(fixed + traffic) },
    ...(alternative === undefined ? {} : { alternative }),
  };
}

interface TopologyPlan {
  readonly hub: string | undefined;
  readonly links: PlannedLink[];
  readonly paths: { a: string; b: string; via: string[] }[];
  readonly clusterCosts: { cluster: string; what: string; usdPerMonth: number }[];
  readonly total: number;
}

/** Links, paths and cost of one topology: direct links (hub undefined), or every pair through `hub`. */
function planTopology(
  model: CostModel,
  byName: ReadonlyMap<string, PlanCluster>,
  pairs: readonly (readonly [string, string])[],
  clashes: ReadonlySet<string>,
  load: ReadonlyMap<string, LinkLoad>,
  hub: string | undefined,
): TopologyPlan {
  const linkLoads = new Map<string, { aToB: number; bToA: number }>();
  const paths: { a: string; b: string; via: string[] }[] = [];
  const addLoad = (from: string, to: string, gib: number) => {
    const key = pairKey(from, to);
    const entry = linkLoads.get(key) ?? { aToB: 0, bToA: 0 };
    if (from < to) entry.aToB += gib;
    else entry.bToA += gib;
    linkLoads.set(key, entry);
  };
  for (const [a, b] of pairs) {
    const l = load.get(pairKey(a, b)) ?? { aToB: 0, bToA: 0 };
    const hops = hub === undefined || a === hub || b === hub ? [a, b] : [a, hub, b];
    paths.push({ a, b, via: hops });
    for (let i = 0; i + 1 < hops.length; i++) {
      addLoad(hops[i]!, hops[i + 1]!, l.aToB);
      addLoad(hops[i + 1]!, hops[i]!, l.bToA);
    }
  }
  const links: PlannedLink[] = [];
  for (const key of [...linkLoads.keys()].sort(cmp)) {
    const [an, bn] = key.split('|') as [string, string];
    const a = byName.get(an)!;
    const b = byName.get(bn)!;
    const clash = clashes.has(key);
    const { kind, why } = chooseLinkKind(a, b, clash);
    const routable = (c: PlanCluster) => (clash ? [] : [...c.nodeCidrs, ...c.podCidrs]);
    links.push({
      a: an,
      b: bn,
      kind,
      why:
        hub !== undefined && an !== hub && bn !== hub
          ? why
          : hub === undefined
            ? why
            : `spoke of hub ${hub}; ${why}`,
      routes: { aToB: routable(b), bToA: routable(a) },
      cost: linkCost(model, a, b, kind, linkLoads.get(key)!),
    });
  }
  const vpnClusters = new Set(links.filter((l) => l.kind === 'ipsec-vpn').flatMap((l) => [l.a, l.b]));
  const clusterCosts = [...vpnClusters]
    .sort(cmp)
    .map((name) => ({ name, price: VPN_GATEWAY_PER_MONTH[byName.get(name)!.provider] }))
    .filter(({ price }) => price.usd > 0)
    .map(({ name, price }) => ({ cluster: name, what: price.what, usdPerMonth: round2(price.usd) }));
  const total = round2(
    links.reduce((s, l) => s + l.cost.totalPerMonth, 0) + clusterCosts.reduce((s, c) => s + c.usdPerMonth, 0),
  );
  return { hub, links, paths, clusterCosts, total };
}

function indexClusters(clusters: readonly PlanCluster[]): Map<string, PlanCluster> {
  const byName = new Map<string, PlanCluster>();
  clusters.forEach((c, i) => {
    if (byName.has(c.name))
      throw new PeeringPlanError('Invalid', `clusters[${i}].name: "${c.name}" appears twice`);
    byName.set(c.name, c);
  });
  return byName;
}

/** The pairs that must talk, each once, a < b, sorted; default every pair. */
function requiredPairs(
  input: PeeringPlanInput,
  byName: ReadonlyMap<string, PlanCluster>,
): [string, string][] {
  const names = [...byName.keys()];
  const given = input.pairs ?? names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b] as const));
  const seen = new Set<string>();
  const out: [string, string][] = [];
  given.forEach(([x, y], i) => {
    for (const n of [x, y])
      if (!byName.has(n)) throw new PeeringPlanError('Invalid', `pairs[${i}]: no cluster named "${n}"`);
    if (x === y) throw new PeeringPlanError('Invalid', `pairs[${i}]: a cluster cannot be peered with itself`);
    const key = pairKey(x, y);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(x < y ? [x, y] : [y, x]);
  });
  return out.sort((p, q) => cmp(p[0], q[0]) || cmp(p[1], q[1]));
}

function trafficByPair(
  input: PeeringPlanInput,
  byName: ReadonlyMap<string, PlanCluster>,
): Map<string, LinkLoad> {
  const out = new Map<string, { aToB: number; bToA: number }>();
  (input.traffic ?? []).forEach((t, i) => {
    for (const n of [t.from, t.to])
      if (!byName.has(n)) throw new PeeringPlanError('Invalid', `traffic[${i}]: no cluster named "${n}"`);
    if (!(Number.isFinite(t.gibPerMonth) && t.gibPerMonth >= 0))
      throw new PeeringPlanError('Invalid', `traffic[${i}].gibPerMonth: must be a number ≥ 0`);
    const key = pairKey(t.from, t.to);
    const entry = out.get(key) ?? { aToB: 0, bToA: 0 };
    if (t.from < t.to) entry.aToB += t.gibPerMonth;
    else entry.bToA += t.gibPerMonth;
    out.set(key, entry);
  });
  return out;
}

/** Global ranges for every cluster in a clashing pair, from the pool, clear of every cluster range. */
function assignGlobalRanges(
  input: PeeringPlanInput,
  clusters: readonly PlanCluster[],
  clashes: ReadonlySet<string>,
): Record<string, string> {
  const needing = [...new Set([...clashes].flatMap((k) => k.split('|')))].sort(cmp);
  if (needing.length === 0) return {};
  const pool = parseOrExplain(() => parseCidr(input.globalPool ?? DEFAULT_POOL), 'globalPool');
  const avoid = clusterRanges(clusters).map((r) => r.range);
  const blocks = parseOrExplain(
    () => allocateBlocks(pool, input.globalPrefix ?? DEFAULT_GLOBAL_PREFIX, needing.length, avoid),
    'globalPool',
  );
  return Object.fromEntries(needing.map((n, i) => [n, blocks[i]!.cidr]));
}

function parseOrExplain<T>(f: () => T, field?: string): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof CidrError)
      throw new PeeringPlanError('Invalid', field ? `${field}: ${err.message}` : err.message);
    throw err;
  }
}

function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
