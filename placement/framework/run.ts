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

/** Memoised verdicts of the fleet-scope filters, and the clusters none of them rejects. */
interface FleetVerdicts {
  readonly verdicts: readonly (Rejection | undefined)[];
  /** Fleet indexes of the clusters without a verdict, ascending. */
  readonly survivors: Int32Array;
}

/**
 * The first plugin's rejection of a cluster, or undefined when every plugin passes it. Equal
 * (plugin, reason) pairs share one object through `interned`, so explanations group by identity.
 */
function firstRejection(
  ctx: DecisionContext,
  plugins: readonly FilterPlugin[],
  c: ClusterEntry,
  interned: Map<string, Rejection>,
): Rejection | undefined {
  for (const p of plugins) {
    const reason = p.filter(ctx, c);
    if (reason === undefined) continue;
    const k = `${p.name}\u0000${reason}`;
    let verdict = interned.get(k);
    if (verdict === undefined) {
      verdict = { plugin: p.name, reason };
      interned.set(k, verdict);
    }
    return verdict;
  }
  return undefined;
}

function fleetVerdicts(ctx: DecisionContext, plugins: readonly FilterPlugin[]): FleetVerdicts {
  const key = `f:${ctx.policy.id}:${ctx.term.index}:${ctx.template.dataBearing ? 1 : 0}:${plugins.map((p) => p.name).join(',')}`;
  const memo = ctx.fleet.memo;
  const hit = memo.get(key) as FleetVerdicts | undefined;
  if (hit !== undefined) return hit;
  // Rejections are interned per (plugin, reason) so that equal reasons share one object.
  const interned = new Map<string, Rejection>();
  const verdicts: (Rejection | undefined)[] = new Array(ctx.fleet.clusters.length);
  const survivors: number[] = [];
  for (const c of ctx.fleet.clusters) {
    const verdict = firstRejection(ctx, plugins, c, interned);
    verdicts[c.index] = verdict;
    if (verdict === undefined) survivors.push(c.index);
  }
  const out: FleetVerdicts = { verdicts, survivors: Int32Array.from(survivors) };
  if (memo.size >= MAX_MEMO) memo.clear();
  memo.set(key, out);
  return out;
}

/**
 * Splits the filters into those memoised per fleet snapshot and those run per decision: the
 * fleet-scope ones, plus — when the decision has no previous placement — the leading
 * decision-scope ones that are fleet-scope without one (the order of evaluation is unchanged).
 */
function split(
  ctx: DecisionContext,
  plugins: readonly FilterPlugin[],
): { memoised: FilterPlugin[]; perDecision: FilterPlugin[] } {
  const memoised = plugins.filter((p) => p.scope === 'fleet');
  const perDecision = plugins.filter((p) => p.scope === 'decision');
  let k = 0;
  if (ctx.previous.size === 0) {
    while (k < perDecision.length && perDecision[k]!.fleetScopeWithoutPrevious === true) k++;
  }
  return k === 0
    ? { memoised, perDecision }
    : { memoised: [...memoised, ...perDecision.slice(0, k)], perDecision: perDecision.slice(k) };
}

/** Runs every filter plugin over the fleet; the first rejecting plugin is the one reported. */
export function runFilters(ctx: DecisionContext, plugins: readonly FilterPlugin[]): FilterOutcome {
  const { memoised, perDecision } = split(ctx, plugins);
  const clusters = ctx.fleet.clusters;
  const feasible: ClusterEntry[] = [];
  // Decision-scope rejections are interned per decision so explanations can group by identity.
  const interned = new Map<string, Rejection>();
  let rejections: (Rejection | undefined)[];
  let candidates: ArrayLike<number> | undefined;
  if (memoised.length > 0) {
    const fleet = fleetVerdicts(ctx, memoised);
    rejections = fleet.verdicts.slice();
    candidates = fleet.survivors;
  } else {
    rejections = new Array(clusters.length);
  }
  const n = candidates !== undefined ? candidates.length : clusters.length;
  for (let i = 0; i < n; i++) {
    const c = clusters[candidates !== undefined ? candidates[i]! : i]!;
    const verdict = firstRejection(ctx, perDecision, c, interned);
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
