/**
 * TaintToleration filter, with Kubernetes semantics lifted to clusters:
 *  - NoSchedule: an untolerated taint refuses new placements; a cluster already hosting the
 *    workload keeps it (NoSchedule never evicts).
 *  - NoExecute: an untolerated taint refuses the cluster and evicts what runs there. When the
 *    matching tolerations include timed ones, the shortest tolerationSeconds keeps an existing
 *    placement until timeAdded + tolerationSeconds, then evicts it, even if an untimed toleration
 *    matches too (Kubernetes' getMinTolerationTime); such a taint never admits a new placement (the
 *    copy would be evicted anyway). Only untimed matching tolerations tolerate forever.
 *  - PreferNoSchedule: never filters.
 * The policy's failover.tolerationSeconds is an implicit NoExecute toleration of the not-ready and
 * unreachable taints (see compile.ts), which is how failover is driven.
 */
import type { FilterPlugin } from '../framework/types.js';
import { noExecuteVerdict, tolerates } from '../policy/toleration.js';

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
