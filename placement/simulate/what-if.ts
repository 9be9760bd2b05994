/**
 * What-if simulation (`fedgate simulate`): schedules every template under the current inputs and
 * under a proposal (policies replaced or added, optionally another fleet or other templates) and
 * says what would change — replicas moved per cluster, monthly cost before and after, clusters of
 * the current placement that the proposal's constraints reject, templates left unschedulable.
 * Pure and deterministic: the same state, proposal and `now` give the same answer; nothing is
 * written anywhere. The proposed run passes the current placement as `previous`, exactly as the
 * placement reconciler would, so stability and failover behave as they would after an apply.
 */
import { type DiffContext, diffPlacements } from '../diff.js';
import { explainCluster } from '../explain/format.js';
import { type PriceSource, priceSource } from '../explain/prices.js';
import type { Explanation } from '../explain/types.js';
import { buildFleetSnapshot, type FleetSnapshot } from '../fleet/snapshot.js';
import { defaultCostModel } from '../model-types.js';
import type { TargetCluster } from '../types.js';
import {
  type Decided,
  decideAll,
  keyOfManifest,
  mergePolicies,
  mergeTemplates,
  type Side,
  templateKey,
} from './side.js';
import type {
  ConstraintViolation,
  CurrentPlacement,
  SideOutcome,
  TemplateWhatIf,
  WhatIfOptions,
  WhatIfProposal,
  WhatIfResult,
  WhatIfState,
  WhatIfTotals,
} from './types.js';

export { mergePolicies } from './side.js';
export type * from './types.js';

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function sameClusters(a: readonly TargetCluster[], b: readonly TargetCluster[]): boolean {
  if (a.length !== b.length) return false;
  const m = new Map(a.map((c) => [c.name, c.replicas]));
  return b.every((c) => m.has(c.name) && m.get(c.name) === c.replicas);
}

function isPlaced(s: SideOutcome): boolean {
  return s.clusters.length > 0;
}

/** Where `before` comes from: the Binding, else the current inputs' decision, else nothing. */
function beforeOf(
  placement: CurrentPlacement | undefined,
  baseline: Decided | undefined,
): TemplateWhatIf['before'] {
  if (placement !== undefined) {
    const clusters = [...placement.clusters].sort((a, b) => (a.name < b.name ? -1 : 1));
    if (clusters.length > 0) {
      return {
        source: 'binding',
        status: baseline?.outcome.status === 'FollowsWorkload' ? 'FollowsWorkload' : 'Scheduled',
        ...(placement.policy ? { policy: placement.policy } : {}),
        clusters,
      };
    }
    const b = baseline?.outcome;
    if (b !== undefined && !isPlaced(b)) return { ...b, source: 'binding' };
    return { source: 'binding', status: 'NotPlaced', clusters: [] };
  }
  if (baseline !== undefined) return { ...baseline.outcome, source: 'computed' };
  return { source: 'none', status: 'NotPlaced', clusters: [] };
}

/** Clusters of the current placement the proposed decision rejects, with the rejecting plugin. */
function violationsOf(before: SideOutcome, after: Decided, fleet: FleetSnapshot): ConstraintViolation[] {
  const r = after.result;
  if (r === undefined || r.status === 'NoMatchingPolicy') return [];
  const e: Explanation = r.explanation;
  const out: ConstraintViolation[] = [];
  for (const c of before.clusters) {
    if (!fleet.byName.has(c.name)) {
      out.push({ cluster: c.name, plugin: 'Fleet', reason: 'cluster is not in the simulated fleet' });
      continue;
    }
    const v = explainCluster(e, c.name);
    if (!v.feasible && v.plugin !== 'NotEvaluated') {
      out.push({ cluster: c.name, plugin: v.plugin, reason: v.reason });
    }
  }
  return out;
}

function notesOf(t: Omit<TemplateWhatIf, 'notes'>, isNew: boolean): string[] {
  const notes: string[] = [];
  if (isNew) notes.push('new template');
  if (t.before.source === 'computed') notes.push('no Binding yet: before is what the current policies give');
  if (t.pendingWithoutProposal) notes.push('the current policies alone would already change this placement');
  if (t.before.policy !== undefined && t.after.policy !== undefined && t.before.policy !== t.after.policy) {
    notes.push(`policy ${t.before.policy} → ${t.after.policy}`);
  }
  if (t.after.status === 'Unschedulable')
    notes.push(
      `${t.becomesUnschedulable ? '' : 'still '}unschedulable: ${t.after.message ?? t.after.reason}${t.after.kept ? ' (keeps its current placement until it can be scheduled: nothing is removed)' : ''}`,
    );
  else if (t.after.status === 'NoMatchingPolicy' && t.becomesUnschedulable)
    notes.push(
      t.before.status === 'FollowsWorkload'
        ? 'no workload that references it is placed any more'
        : 'no PlacementPolicy selects it any more',
    );
  for (const v of t.violations) notes.push(`${v.cluster} violates ${v.plugin}: ${v.reason}`);
  return notes;
}

/**
 * Simulates `proposal` against `state`: per template, the placement before (what runs now) and
 * after, the replicas moved, the monthly cost on each side, violated constraints and templates
 * left unschedulable; plus totals. Throws only for a malformed state (duplicate cluster names).
 */
export function simulate(state: WhatIfState, proposal: WhatIfProposal, opts: WhatIfOptions): WhatIfResult {
  const model = opts.model ?? defaultCostModel;
  const currentFleet = buildFleetSnapshot(state.fleet, {
    model,
    ...(state.version ? { version: state.version } : {}),
  });
  const proposedFleet =
    proposal.fleet === undefined
      ? currentFleet
      : buildFleetSnapshot(proposal.fleet, { model, version: `${state.version ?? 'current'}+proposed` });
  const current: Side = { fleet: currentFleet, policies: state.policies };
  const proposed: Side = { fleet: proposedFleet, policies: mergePolicies(state.policies, proposal) };

  const placements = new Map(
    state.placements.map((p) => [templateKey(p.apiVersion, p.kind, p.namespace, p.name), p]),
  );
  const currentTemplates = mergeTemplates(state.templates);
  const proposedTemplates = mergeTemplates(state.templates, proposal.templates);
  const existing = new Set(currentTemplates.map(keyOfManifest));

  const baseline = decideAll(currentTemplates, current, placements, opts);
  const after = decideAll(proposedTemplates, proposed, placements, opts);

  const templates: TemplateWhatIf[] = [];
  for (const [key, a] of after) {
    const placement = placements.get(key);
    const base = baseline.get(key);
    const before = beforeOf(placement, base);
    const ctx: DiffContext = { fleet: currentFleet, afterFleet: proposedFleet, template: a.info, model };
    const diff = diffPlacements(before.clusters, a.outcome.clusters, ctx);
    if (diff.costPerMonth !== undefined) {
      before.costPerMonth = diff.costPerMonth.before;
      a.outcome.costPerMonth = diff.costPerMonth.after;
    }
    const afterBlocked = a.outcome.status === 'Unschedulable' || a.outcome.status === 'NoMatchingPolicy';
    const t: Omit<TemplateWhatIf, 'notes'> = {
      template: {
        apiVersion: a.manifest.apiVersion,
        kind: a.manifest.kind,
        namespace: a.manifest.metadata.namespace ?? '',
        name: a.manifest.metadata.name,
        ...(a.info.replicas !== undefined ? { replicas: a.info.replicas } : {}),
      },
      before,
      after: a.outcome,
      diff,
      changed: !sameClusters(before.clusters, a.outcome.clusters),
      becomesUnschedulable:
        afterBlocked &&
        (isPlaced(before) || (a.outcome.status === 'Unschedulable' && before.status !== 'Unschedulable')),
      pendingWithoutProposal:
        placement !== undefined &&
        base !== undefined &&
        !sameClusters(before.clusters, base.outcome.clusters),
      violations: violationsOf(before, a, proposedFleet),
    };
    templates.push({
      ...t,
      notes: notesOf(t, !existing.has(key)),
      ...(opts.explanations && a.result !== undefined ? { explanation: a.result.explanation } : {}),
    });
  }
  templates.sort(compareTemplates);
  const result: WhatIfResult = { templates, totals: totalsOf(templates) };
  if (currentFleet.pricesBeyondTable || proposedFleet.pricesBeyondTable)
    result.prices = pricesOf(templates, proposedFleet, currentFleet);
  return result;
}

/** The price source of each cluster some placement uses, from the proposed fleet, else the current. */
function pricesOf(
  templates: readonly TemplateWhatIf[],
  proposed: FleetSnapshot,
  current: FleetSnapshot,
): Record<string, PriceSource> {
  const names = new Set<string>();
  for (const t of templates) for (const c of [...t.before.clusters, ...t.after.clusters]) names.add(c.name);
  const out: Record<string, PriceSource> = {};
  for (const name of [...names].sort()) {
    const price = (proposed.byName.get(name) ?? current.byName.get(name))?.price;
    if (price !== undefined) out[name] = priceSource(price);
  }
  return out;
}

function compareTemplates(x: TemplateWhatIf, y: TemplateWhatIf): number {
  const a = x.template;
  const b = y.template;
  for (const [p, q] of [
    [a.namespace, b.namespace],
    [a.kind, b.kind],
    [a.name, b.name],
    [a.apiVersion, b.apiVersion],
  ] as const) {
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

function totalsOf(templates: readonly TemplateWhatIf[]): WhatIfTotals {
  const t: WhatIfTotals = {
    templates: templates.length,
    changed: 0,
    movedReplicas: 0,
    addedReplicas: 0,
    removedReplicas: 0,
    costPerMonth: { before: 0, after: 0, delta: 0 },
    unpricedTemplates: 0,
    becomeUnschedulable: 0,
    violations: 0,
  };
  for (const x of templates) {
    if (x.changed) t.changed++;
    if (x.template.replicas !== undefined) {
      t.movedReplicas += x.diff.movedReplicas;
      t.addedReplicas += x.diff.addedReplicas;
      t.removedReplicas += x.diff.removedReplicas;
    }
    const cost = x.diff.costPerMonth;
    if (cost !== undefined) {
      t.costPerMonth.before += cost.before;
      t.costPerMonth.after += cost.after;
    } else if (isPlaced(x.before) || isPlaced(x.after)) t.unpricedTemplates++;
    if (x.becomesUnschedulable) t.becomeUnschedulable++;
    t.violations += x.violations.length;
  }
  t.costPerMonth.before = round2(t.costPerMonth.before);
  t.costPerMonth.after = round2(t.costPerMonth.after);
  t.costPerMonth.delta = round2(t.costPerMonth.after - t.costPerMonth.before);
  return t;
}
