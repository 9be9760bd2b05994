/**
 * The outcome when the filters leave no cluster. The message counts the clusters each plugin
 * rejected — the first plugin to reject a cluster, counted in plugin order, so it reads the same
 * for every fleet. The reason is ResidencyUnsatisfiable only when residency is what left no
 * cluster: some cluster it rejected passes every other filter, so the same policy without
 * residency would have a cluster to place on. When every cluster residency rejected is rejected
 * by another filter too (affinity rejects it first; it is NotReady, full, tainted…), residency
 * changed nothing and the reason is NoClusterFits.
 */
import type { DecisionContext, FilterOutcome, FilterPlugin } from '../framework/types.js';
import { residencyPlugin } from '../plugins/residency.js';
import type { UnschedulableReason } from '../types.js';

/** Reason and message of an attempt whose filters left no cluster (see file comment). */
export function noFitOutcome(
  ctx: DecisionContext,
  filter: FilterOutcome,
  plugins: readonly FilterPlugin[],
): { reason: UnschedulableReason; message: string } {
  const counts = new Map<string, number>(plugins.map((p) => [p.name, 0]));
  for (const r of filter.rejections)
    if (r !== undefined) counts.set(r.plugin, (counts.get(r.plugin) ?? 0) + 1);
  for (const [plugin, n] of counts) if (n === 0) counts.delete(plugin);
  const parts = [...counts].map(([plugin, n]) => `${n} rejected by ${plugin}`);
  const reason: UnschedulableReason = residencyDecides(ctx, filter, plugins)
    ? 'ResidencyUnsatisfiable'
    : 'NoClusterFits';
  const message = `0/${ctx.fleet.clusters.length} clusters fit${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
  return { reason, message };
}

/**
 * Whether a cluster rejected by residency passes every other filter. The filters before residency
 * passed it already (the first rejection is the one recorded); those after it are run here, on the
 * clusters residency rejected, until one passes them all.
 */
function residencyDecides(
  ctx: DecisionContext,
  filter: FilterOutcome,
  plugins: readonly FilterPlugin[],
): boolean {
  const at = plugins.findIndex((p) => p.name === residencyPlugin.name);
  if (at < 0) return false;
  const after = plugins.slice(at + 1);
  // A what-if: it must not move the decision's requeue time.
  const quiet: DecisionContext = { ...ctx, requeueAt: () => {} };
  const clusters = ctx.fleet.clusters;
  for (let i = 0; i < clusters.length; i++) {
    if (filter.rejections[i]?.plugin !== residencyPlugin.name) continue;
    const c = clusters[i]!;
    if (after.every((p) => p.filter(quiet, c) === undefined)) return true;
  }
  return false;
}
