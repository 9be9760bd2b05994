/**
 * TaintToleration filter, with Kubernetes semantics lifted to clusters:
 *  - NoSchedule: an untolerated taint refuses new placements; a cluster already hosting the
 *    workload keeps it (NoSchedule never evicts).
 *  - NoExecute: an untolerated taint refuses the cluster and evicts what runs there. A toleration
 *    with tolerationSeconds keeps an existing placement until timeAdded + tolerationSeconds, then
 *    evicts it; it never admits a new placement (the copy would be evicted anyway). A toleration
 *    without tolerationSeconds tolerates forever.
 *  - PreferNoSchedule: never filters.
 * The policy's failover.tolerationSeconds is an implicit NoExecute toleration of the not-ready and
 * unreachable taints (see compile.ts), which is how failover is driven.
 */
import type { FilterPlugin } from '../framework/types.js';
import type { Toleration } from '../policy/schema.js';
import type { Taint } from '../types.js';

/** Whether a toleration matches a taint (key, operator/value and effect). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== taint.effect) return false;
  if (t.key === undefined || t.key === '') return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The verdict for one NoExecute taint: tolerated forever, until a deadline, or not at all. */
export type NoExecuteVerdict =
  | { kind: 'forever' }
  | { kind: 'until'; deadline: number }
  | { kind: 'untolerated' };

/**
 * How long a NoExecute taint is tolerated. A matching toleration without tolerationSeconds
 * tolerates forever and wins (Kubernetes would still apply the shortest timed one); otherwise the
 * shortest tolerationSeconds among the matching tolerations applies, as in Kubernetes.
 * A taint without timeAdded counts as added long ago: its toleration has run out.
 */
export function noExecuteVerdict(tolerations: readonly Toleration[], taint: Taint): NoExecuteVerdict {
  let best: NoExecuteVerdict = { kind: 'untolerated' };
  let minSeconds = Number.POSITIVE_INFINITY;
  for (const t of tolerations) {
    if (!tolerates(t, taint)) continue;
    if (t.tolerationSeconds === undefined) return { kind: 'forever' };
    minSeconds = Math.min(minSeconds, t.tolerationSeconds);
  }
  if (Number.isFinite(minSeconds)) {
    const added = taint.timeAdded !== undefined ? Date.parse(taint.timeAdded) : Number.NaN;
    best = {
      kind: 'until',
      deadline: Number.isFinite(added) ? added + minSeconds * 1000 : Number.NEGATIVE_INFINITY,
    };
  }
  return best;
}

/** Filters clusters whose taints the policy does not tolerate. */
export const taintTolerationPlugin: FilterPlugin = {
  name: 'TaintToleration',
  scope: 'decision',
  // Without a previous placement nothing hosts the workload: time and hosting play no part.
  fleetScopeWithoutPrevious: true,
  description:
    'taints must be tolerated (NoSchedule: new placements; NoExecute: also evicts after tolerationSeconds)',
  filter(ctx, cluster) {
    const taints = cluster.taints;
    if (taints.length === 0) return undefined;
    const tolerations = ctx.policy.tolerations;
    const hosting = ctx.previous.has(cluster.name);
    for (let i = 0; i < taints.length; i++) {
      const taint = taints[i]!;
      if (taint.effect === 'PreferNoSchedule') continue;
      if (taint.effect === 'NoSchedule') {
        if (hosting || tolerations.some((t) => tolerates(t, taint))) continue;
        return `untolerated taint ${cluster.taintText[i]}`;
      }
      const v = noExecuteVerdict(tolerations, taint);
      if (v.kind === 'forever') continue;
      if (v.kind === 'untolerated') return `untolerated taint ${cluster.taintText[i]}`;
      if (!hosting) return `taint ${cluster.taintText[i]} tolerated only temporarily: no new placement`;
      if (ctx.now >= v.deadline) return `taint ${cluster.taintText[i]} toleration expired: evicted`;
      ctx.requeueAt(v.deadline);
    }
    return undefined;
  },
};
