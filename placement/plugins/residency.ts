/**
 * Residency filter: every template the policy selects (or, when the policy narrows it with
 * `appliesTo: DataBearing`, only data-bearing ones) may only land in the allowed jurisdictions
 * (e.g. 'EU', or an ISO country code such as 'DE') or regions. Fails closed: a cluster whose
 * jurisdiction is unknown, or whose jurisdiction label contradicts the model, is not resident
 * anywhere. `residencyOutcome()` says, for explanations, which rule applied or why none did.
 */
import type { FilterPlugin } from '../framework/types.js';
import type { PlacementPolicySpec } from '../policy/schema.js';
import type { TemplateInfo } from '../types.js';

/** Which residency rule applied to a template, or why none did: shown by every explanation. */
export interface ResidencyOutcome {
  /** Applied: clusters were filtered by it; NotApplicable: the policy narrowed it away; None: no rule. */
  status: 'Applied' | 'NotApplicable' | 'None';
  jurisdictions?: string[];
  regions?: string[];
  reason: string;
}

/** True when the policy's residency binds this template. */
function applies(spec: PlacementPolicySpec, template: Pick<TemplateInfo, 'dataBearing'>): boolean {
  return spec.residency !== undefined && (spec.residency.appliesTo !== 'DataBearing' || template.dataBearing);
}

/** The residency rule the winning policy applies to a template (policy undefined: none selected it). */
export function residencyOutcome(
  policy: { name: string; spec: PlacementPolicySpec } | undefined,
  template: Pick<TemplateInfo, 'kind' | 'dataBearing'>,
): ResidencyOutcome {
  if (policy === undefined) return { status: 'None', reason: 'no PlacementPolicy selects this template' };
  const r = policy.spec.residency;
  if (r === undefined) return { status: 'None', reason: `policy ${policy.name} declares no residency` };
  const where = {
    ...(r.jurisdictions !== undefined ? { jurisdictions: [...r.jurisdictions] } : {}),
    ...(r.regions !== undefined ? { regions: [...r.regions] } : {}),
  };
  if (!applies(policy.spec, template)) {
    return {
      status: 'NotApplicable',
      ...where,
      reason: `policy ${policy.name} narrows residency to data-bearing templates (appliesTo: DataBearing), and this ${template.kind} holds no data (no volume claim, no fedgate.dev/data-bearing: "true")`,
    };
  }
  return {
    status: 'Applied',
    ...where,
    reason:
      r.appliesTo === 'DataBearing'
        ? `policy ${policy.name}: this ${template.kind} holds data`
        : `policy ${policy.name}: applies to every template it selects`,
  };
}

/** Filters clusters outside the policy's residency. */
export const residencyPlugin: FilterPlugin = {
  name: 'Residency',
  scope: 'fleet',
  description:
    'selected templates (or only data-bearing ones, when narrowed) only in allowed jurisdictions/regions (unknown jurisdiction: refused)',
  filter(ctx, cluster) {
    const residency = ctx.policy.spec.residency;
    if (residency === undefined || !applies(ctx.policy.spec, ctx.template)) return undefined;
    if (residency.regions?.includes(cluster.region)) return undefined;
    if (cluster.jurisdictionConflict) return 'jurisdiction label contradicts the region (fail closed)';
    const jurisdictions = residency.jurisdictions ?? [];
    if (cluster.jurisdiction === undefined) {
      return jurisdictions.length > 0
        ? 'jurisdiction unknown (fail closed)'
        : 'region not in residency.regions';
    }
    if (jurisdictions.includes(cluster.jurisdiction)) return undefined;
    if (cluster.country !== undefined && jurisdictions.includes(cluster.country)) return undefined;
    return `jurisdiction ${cluster.jurisdiction} not allowed`;
  },
};
