import { planPeering } from '../../../peering/plan/plan.js';
import type { PeeringPlan } from '../../../peering/plan/types.js';
import type { CostModel } from '../../../placement/model/cost-model.js';
import type { MemberClusterObject } from '../../reconcile/cluster-snapshot.js';
import type { PeeringPolicySpec } from '../../resources/peering.js';
import { planClusterOf } from './link-ends.js';

/** The clusters a policy selects: every label of `matchLabels` must match. */
export function selectClusters(
  clusters: readonly MemberClusterObject[],
  spec: Pick<PeeringPolicySpec, 'clusterSelector'>,
): MemberClusterObject[] {
  const want = Object.entries(spec.clusterSelector.matchLabels);
  return clusters.filter((c) => want.every(([k, v]) => c.metadata.labels?.[k] === v));
}

/** Plans the links of the clusters a policy selects (defaults when no policy), with the cost model's prices. */
export function planFleet(
  clusters: readonly MemberClusterObject[],
  spec: PeeringPolicySpec,
  model: CostModel,
): PeeringPlan {
  const selected = selectClusters(clusters, spec);
  const names = new Set(selected.map((c) => c.metadata.name));
  return planPeering(
    {
      clusters: selected.map(planClusterOf),
      traffic: spec.expectedTraffic.filter((t) => names.has(t.from) && names.has(t.to)),
      overlapMode: spec.overlap === 'Refuse' ? 'refuse' : 'global-addresses',
      meshMaxClusters: spec.meshMaxClusters,
    },
    model,
  );
}

/** The Peering name of a planned link: `a--b`, shortened with a hash when that is over 63 characters. */
export function peeringNameFor(a: string, b: string): string {
  const full = `${a}--${b}`;
  if (full.length <= 63) return full;
  let h = 0x811c9dc5;
  for (const ch of full) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `${a.slice(0, 26)}--${b.slice(0, 26)}-${h.toString(16).padStart(8, '0')}`.replace(/-+$/, '');
}
