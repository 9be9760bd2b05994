/**
 * Builds the structured explanation of a decision from the attempt that decided it: the score
 * table of the feasible clusters (columnar, cheap to build and to store), rejected clusters
 * grouped by (plugin, reason) in name order, and the placement.
 */
import type { Rejection } from '../framework/types.js';
import type { Attempt } from '../schedule/decide.js';
import type { Placement } from '../schedule/place.js';
import { countGroups } from '../spread/groups.js';
import type { TemplateInfo } from '../types.js';
import { type PriceSource, priceSource } from './prices.js';
import type {
  AffinityTermOutcome,
  Explanation,
  PlacedCluster,
  PolicyCandidate,
  RejectedGroup,
  ResidencyOutcome,
  ScoreTable,
} from './types.js';

/** The parts of an explanation known before any attempt runs. */
export interface ExplanationHeader {
  template: TemplateInfo;
  fleetVersion: string;
  filterPlugins: string[];
  policy?: { winner: string; reason: string; candidates: PolicyCandidate[] };
  residency?: ResidencyOutcome;
}

/** An explanation with no attempt (no matching policy, invalid policy). */
export function emptyExplanation(h: ExplanationHeader, messages: string[]): Explanation {
  const { apiVersion, kind, namespace, name, replicas } = h.template;
  return {
    template: { apiVersion, kind, namespace, name, ...(replicas !== undefined ? { replicas } : {}) },
    fleetVersion: h.fleetVersion,
    ...(h.policy !== undefined ? { policy: h.policy } : {}),
    ...(h.residency !== undefined ? { residency: h.residency } : {}),
    affinityTerms: [],
    filterPlugins: h.filterPlugins,
    scorePlugins: [],
    feasible: { clusters: [], total: [], byPlugin: {} },
    rejected: [],
    placement: [],
    spread: [],
    messages,
  };
}

function rejectedGroups(a: Attempt): RejectedGroup[] {
  const groups = new Map<Rejection, RejectedGroup>();
  const clusters = a.ctx.fleet.clusters;
  const rejections = a.filter.rejections;
  for (let i = 0; i < clusters.length; i++) {
    const r = rejections[i];
    if (r === undefined) continue;
    let g = groups.get(r);
    if (g === undefined) {
      g = { plugin: r.plugin, reason: r.reason, clusters: [] };
      groups.set(r, g);
    }
    g.clusters.push(clusters[i]!.name);
  }
  return [...groups.values()];
}

/** A plain array of a typed array's values (a counted loop: cheaper than Array.from's iterator). */
function toArray(xs: Float64Array): number[] {
  const out = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i]!;
  return out;
}

function scoreTable(a: Attempt): ScoreTable {
  const score = a.score;
  const byPlugin: Record<string, number[]> = {};
  score?.plugins.forEach((p, j) => {
    byPlugin[p.plugin.name] = toArray(score.scores[j]!);
  });
  const feasible = a.filter.feasible;
  const clusters = new Array<string>(feasible.length);
  for (let i = 0; i < feasible.length; i++) clusters[i] = feasible[i]!.name;
  return {
    clusters,
    total: score !== undefined ? toArray(score.total) : new Array<number>(feasible.length).fill(0),
    byPlugin,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function placed(a: Attempt, placement: Placement, priced: boolean): PlacedCluster[] {
  const out: PlacedCluster[] = [];
  for (const [name, replicas] of placement) {
    const entry = a.ctx.fleet.byName.get(name)!;
    const pos = a.feasiblePosition(entry.index);
    const p: PlacedCluster = { name, total: a.score?.total[pos] ?? 0 };
    if (replicas !== undefined) p.replicas = replicas;
    const unit = a.ctx.unitCostOf(entry);
    if (priced && unit !== undefined) p.costPerMonth = round2(unit * (replicas ?? 1));
    out.push(p);
  }
  return out.sort((x, y) => (x.name < y.name ? -1 : 1));
}

/** Feasible clusters beyond the placed ones whose price sources an explanation records. */
const PRICE_ROWS = 10;

/** Price sources of the placed clusters and the best-scoring others (see Explanation.prices). */
function prices(a: Attempt, placed: readonly PlacedCluster[]): Record<string, PriceSource> {
  const out: Record<string, PriceSource> = {};
  const feasible = a.filter.feasible;
  const taken = new Uint8Array(feasible.length);
  for (const p of placed) {
    const entry = a.ctx.fleet.byName.get(p.name);
    if (entry?.price !== undefined) out[p.name] = priceSource(entry.price);
    const pos = entry !== undefined ? a.feasiblePosition(entry.index) : -1;
    if (pos >= 0) taken[pos] = 1;
  }
  // The best totals among the others: a bounded insertion list, not a sort of every feasible cluster.
  const total = a.score?.total;
  const best: number[] = [];
  for (let i = 0; i < feasible.length; i++) {
    if (taken[i] === 1) continue;
    const t = total?.[i] ?? 0;
    if (best.length === PRICE_ROWS && (total?.[best[PRICE_ROWS - 1]!] ?? 0) >= t) continue;
    let at = best.length;
    while (at > 0 && (total?.[best[at - 1]!] ?? 0) < t) at--;
    best.splice(at, 0, i);
    if (best.length > PRICE_ROWS) best.pop();
  }
  for (const i of best) {
    const c = feasible[i]!;
    if (c.price !== undefined) out[c.name] = priceSource(c.price);
  }
  return out;
}

/** Builds the explanation of the final attempt. */
export function buildExplanation(
  h: ExplanationHeader,
  terms: AffinityTermOutcome[],
  a: Attempt,
  messages: string[],
): Explanation {
  const ok = a.outcome.ok ? a.outcome : undefined;
  const priced = a.ctx.template.podRequests !== undefined && a.ctx.template.replicas !== undefined;
  const e = emptyExplanation(h, messages);
  e.affinityTerms = terms;
  e.scorePlugins = a.score?.plugins.map((p) => ({ name: p.plugin.name, weight: p.weight })) ?? [];
  e.feasible = scoreTable(a);
  e.rejected = rejectedGroups(a);
  e.spread = a.ctx.policy.spread.map((k, i) => ({
    spreadByField: k.spreadByField,
    minGroups: k.minGroups,
    ...(k.maxGroups !== undefined ? { maxGroups: k.maxGroups } : {}),
    feasibleGroups: countGroups(a.ctx.fleet, a.filter.feasible, k.spreadByField),
    selectedGroups: ok?.groups[i] ?? [],
  }));
  if (a.strategy !== undefined) e.division = { algorithm: a.strategy.algorithm, notes: a.notes };
  if (ok !== undefined) {
    e.stability = ok.stability;
    e.placement = placed(a, ok.placement, priced);
    if (priced && e.placement.every((p) => p.costPerMonth !== undefined)) {
      e.costPerMonth = round2(e.placement.reduce((s, p) => s + (p.costPerMonth ?? 0), 0));
    }
  }
  if (a.ctx.fleet.pricesBeyondTable && a.filter.feasible.length > 0) e.prices = prices(a, e.placement);
  return e;
}
