/**
 * Toleration semantics, as Kubernetes defines them for pods and nodes, lifted to workloads and
 * clusters. The TaintToleration filter applies them; policy compilation uses them to decide whether
 * a policy already tolerates the failover taints itself.
 */
import type { Taint } from '../types.js';
import type { Toleration } from './schema.js';

/** Whether a toleration matches a taint (key, operator/value and effect). */
export function tolerates(t: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
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
 * How long a NoExecute taint is tolerated, as Kubernetes' taint manager decides it
 * (getMinTolerationTime): no matching toleration → untolerated; otherwise the shortest
 * tolerationSeconds among the matching tolerations that have one applies, counted from the
 * taint's timeAdded, and a tolerationSeconds of 0 means at once. Only when no matching toleration
 * has tolerationSeconds is the taint tolerated forever: an untimed toleration does not lift a
 * timed one that also matches. A taint without timeAdded counts as added long ago: a timed
 * toleration of it has run out.
 */
export function noExecuteVerdict(tolerations: readonly Toleration[], taint: Taint): NoExecuteVerdict {
  let matched = false;
  let minSeconds = Number.POSITIVE_INFINITY;
  for (const t of tolerations) {
    if (!tolerates(t, taint)) continue;
    matched = true;
    if (t.tolerationSeconds !== undefined) minSeconds = Math.min(minSeconds, t.tolerationSeconds);
  }
  if (!matched) return { kind: 'untolerated' };
  if (!Number.isFinite(minSeconds)) return { kind: 'forever' };
  if (minSeconds <= 0) return { kind: 'until', deadline: Number.NEGATIVE_INFINITY };
  const added = taint.timeAdded !== undefined ? Date.parse(taint.timeAdded) : Number.NaN;
  return {
    kind: 'until',
    deadline: Number.isFinite(added) ? added + minSeconds * 1000 : Number.NEGATIVE_INFINITY,
  };
}
