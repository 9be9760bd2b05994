/**
 * Runs the filter and score phases. Fleet-scope filters are evaluated once per
 * (fleet snapshot, policy, affinity term, data-bearing) and memoised in the snapshot, so a decision
 * costs one array read per cluster plus the decision-scope filters on the survivors.
 */
import type { ClusterEntry } from '../fleet/snapshot.js';
import type {
  DecisionContext,
  FilterOutcome,
  FilterPlugin,
  Rejection,
  ScoreOutcome,
  ScorePlugin,
} from './types.js';

const MAX_MEMO = 20_000;

function fleetVerdicts(
  ctx: DecisionContext,
  plugins: readonly FilterPlugin[],
): readonly (Rejection | undefined)[] {
  const key = `f:${ctx.policy.id}:${ctx.term.index}:${ctx.template.dataBearing ? 1 : 0}:${plugins.map((p) => p.name).join(',')}`;
  const memo = ctx.fleet.memo;
  const hit = memo.get(key) as (Rejection | undefined)[] | undefined;
  if (hit !== undefined) return hit;
  // Rejections are interned per (plugin, reason) so that equal reasons share one object.
  const interned = new Map<string, Rejection>();
  const out: (Rejection | undefined)[] = new Array(ctx.fleet.clusters.length);
  for (const c of ctx.fleet.clusters) {
    let verdict: Rejection | undefined;
    for (const p of plugins) {
      const reason = p.filter(ctx, c);
      if (reason !== undefined) {
        const k = `${p.name}\u0000${reason}`;
        verdict = interned.get(k);
        if (verdict === undefined) {
          verdict = { plugin: p.name, reason };
          interned.set(k, verdict);
        }
        break;
      }
    }
    out[c.index] = verdict;
  }
  if (memo.size >= MAX_MEMO) memo.clear();
  memo.set(key, out);
  return out;
}

/** Runs every filter plugin over the fleet; the first rejecting plugin is the one reported. */
export function runFilters(ctx: DecisionContext, plugins: readonly FilterPlugin[]): FilterOutcome {
  const fleetScope = plugins.filter((p) => p.scope === 'fleet');
  const decisionScope = plugins.filter((p) => p.scope === 'decision');
  const memoised = fleetScope.length > 0 ? fleetVerdicts(ctx, fleetScope) : undefined;
  const feasible: ClusterEntry[] = [];
  // Decision-scope rejections are interned per decision so explanations can group by identity.
  const interned = new Map<string, Rejection>();
  const rejections: (Rejection | undefined)[] = new Array(ctx.fleet.clusters.length);
  for (const c of ctx.fleet.clusters) {
    let verdict = memoised?.[c.index];
    if (verdict === undefined) {
      for (const p of decisionScope) {
        const reason = p.filter(ctx, c);
        if (reason !== undefined) {
          const k = `${p.name}\u0000${reason}`;
          verdict = interned.get(k);
          if (verdict === undefined) {
            verdict = { plugin: p.name, reason };
            interned.set(k, verdict);
          }
          break;
        }
      }
    }
    if (verdict === undefined) feasible.push(c);
    else rejections[c.index] = verdict;
  }
  return { feasible, rejections };
}

/** Scores the feasible clusters with every plugin of non-zero weight. */
export function runScores(
  ctx: DecisionContext,
  plugins: readonly ScorePlugin[],
  feasible: readonly ClusterEntry[],
): ScoreOutcome {
  const active: { plugin: ScorePlugin; weight: number }[] = [];
  for (const plugin of plugins) {
    const weight = plugin.weight(ctx);
    if (weight > 0) active.push({ plugin, weight });
  }
  const n = feasible.length;
  const total = new Float64Array(n);
  const objective = new Float64Array(n);
  const scores: Float64Array[] = [];
  let weightSum = 0;
  let objectiveWeightSum = 0;
  for (const { plugin, weight } of active) {
    const state = plugin.prepare?.(ctx, feasible);
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const raw = plugin.score(ctx, feasible[i]!, state);
      // Integer scores keep explanations readable and ties exact (no float noise in tie-breaks).
      const v = Number.isFinite(raw) ? Math.min(100, Math.max(0, Math.round(raw))) : 0;
      s[i] = v;
      total[i]! += weight * v;
      if (plugin.objective) objective[i]! += weight * v;
    }
    scores.push(s);
    weightSum += weight;
    if (plugin.objective) objectiveWeightSum += weight;
  }
  for (let i = 0; i < n; i++) {
    total[i] = weightSum > 0 ? Math.round((total[i]! / weightSum) * 100) / 100 : 0;
    objective[i] = objectiveWeightSum > 0 ? Math.round((objective[i]! / objectiveWeightSum) * 100) / 100 : 0;
  }
  return { plugins: active, scores, total, objective };
}
