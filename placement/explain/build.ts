/**
 * Builds the structured explanation of a decision from the attempt that decided it.
 * Rejected clusters are grouped by (plugin, reason) in cluster-name order; feasible clusters get
 * one entry each with every score plugin's score.
 */
import type { Rejection } from '../framework/types.js';
import type { Attempt } from '../schedule/decide.js';
import type { Placement } from '../schedule/place.js';
import { groupKey } from '../spread/select.js';
import type { TemplateInfo } from '../types.js';
import type {
  AffinityTermOutcome,
  Explanation,
  FeasibleCluster,
  PolicyCandidate,
  RejectedGroup,
} from './types.js';

/** The parts of an explanation known before any attempt runs. */
export interface ExplanationHeader {
  template: TemplateInfo;
  fleetVersion: string;
  filterPlugins: string[];
  policy?: { winner: string; reason: string; candidates: PolicyCandidate[] };
}

/** An explanation with no attempt (no matching policy, invalid policy). */
export function emptyExplanation(h: ExplanationHeader, messages: string[]): Explanation {
  const { apiVersion, kind, namespace, name, replicas } = h.template;
  return {
    template: { apiVersion, kind, namespace, name, ...(replicas !== undefined ? { replicas } : {}) },
    fleetVersion: h.fleetVersion,
    ...(h.policy !== undefined ? { policy: h.policy } : {}),
    affinityTerms: [],
    filterPlugins: h.filterPlugins,
    scorePlugins: [],
    feasible: [],
    rejected: [],
    spread: [],
    messages,
  };
}

function rejectedGroups(a: Attempt): RejectedGroup[] {
  const groups = new Map<Rejection, RejectedGroup>();
  const clusters = a.ctx.fleet.clusters;
  for (let i = 0; i < clusters.length; i++) {
    const r = a.filter.rejections[i];
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

function feasibleClusters(a: Attempt, placement: Placement | undefined, priced: boolean): FeasibleCluster[] {
  const score = a.score;
  const out: FeasibleCluster[] = [];
  a.filter.feasible.forEach((c, i) => {
    const scores: Record<string, number> = {};
    score?.plugins.forEach((p, j) => {
      scores[p.plugin.name] = score.scores[j]![i]!;
    });
    const selected = placement?.has(c.name) ?? false;
    const entry: FeasibleCluster = { name: c.name, scores, total: score?.total[i] ?? 0, selected };
    if (selected) {
      const replicas = placement?.get(c.name);
      if (replicas !== undefined) entry.replicas = replicas;
      const unit = a.ranked[i]?.unitCost;
      if (priced && unit !== undefined) entry.costPerMonth = round2(unit * (replicas ?? 1));
    }
    out.push(entry);
  });
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
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
  const feasible = feasibleClusters(a, ok?.placement, priced);
  const e = emptyExplanation(h, messages);
  e.affinityTerms = terms;
  e.scorePlugins = a.score?.plugins.map((p) => ({ name: p.plugin.name, weight: p.weight })) ?? [];
  e.feasible = feasible;
  e.rejected = rejectedGroups(a);
  e.spread = a.ctx.policy.spread.map((k, i) => ({
    spreadByField: k.spreadByField,
    minGroups: k.minGroups,
    ...(k.maxGroups !== undefined ? { maxGroups: k.maxGroups } : {}),
    feasibleGroups: new Set(a.filter.feasible.map((c) => groupKey(c, k.spreadByField))).size,
    selectedGroups: ok?.groups[i] ?? [],
  }));
  if (a.strategy !== undefined) e.division = { algorithm: a.strategy.algorithm, notes: a.notes };
  if (ok !== undefined) {
    e.stability = ok.stability;
    const selected = feasible.filter((f) => f.selected);
    if (priced && selected.every((f) => f.costPerMonth !== undefined)) {
      e.costPerMonth = round2(selected.reduce((s, f) => s + (f.costPerMonth ?? 0), 0));
    }
  }
  return e;
}
