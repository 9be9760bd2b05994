import {
  priceText,
  type SideOutcome,
  type TargetCluster,
  type TemplateWhatIf,
} from '../../../placement/index.js';
import type { SimulateResult } from '../api-client.js';
import { type Column, renderTable } from './format.js';

/** Options of the simulation rendering. */
export interface RenderSimulationOptions {
  /** List unchanged templates too (default: only those that change or have something to say). */
  readonly all?: boolean;
}

const COLUMNS: Column<TemplateWhatIf>[] = [
  { header: 'TEMPLATE', value: (t) => templateName(t) },
  { header: 'BEFORE', value: (t) => clusters(t.before) },
  { header: 'AFTER', value: (t) => clusters(t.after) },
  { header: 'MOVED', value: (t) => String(t.diff.movedReplicas) },
  { header: 'COST BEFORE', value: (t) => money(t.before.costPerMonth) },
  { header: 'COST AFTER', value: (t) => money(t.after.costPerMonth) },
  { header: 'NOTE', value: (t) => shortNote(t) },
];

/**
 * Renders a simulation for people: a table of the templates whose placement changes (before and
 * after as `cluster(replicas)`, replicas moved, monthly cost on each side, a short note), then the
 * totals, the violated constraints and the templates left unschedulable, each with its reason.
 */
export function renderSimulation(r: SimulateResult, opts: RenderSimulationOptions = {}): string {
  const out: string[] = [];
  const shown = r.templates.filter((t) => opts.all || t.changed || t.notes.length > 0);
  const t = r.totals;
  out.push(
    `Simulated ${t.templates} template${t.templates === 1 ? '' : 's'} at resourceVersion ${r.resourceVersion}: ${t.changed} would change. Nothing was applied.`,
    '',
  );
  if (shown.length > 0) out.push(renderTable(COLUMNS, shown).trimEnd());
  else out.push('No template would change.');
  const hidden = r.templates.length - shown.length;
  if (hidden > 0)
    out.push(`(${hidden} unchanged template${hidden === 1 ? '' : 's'} not shown; --all lists them)`);

  out.push('', 'Totals:');
  out.push(
    `  replicas moved:  ${t.movedReplicas}${t.addedReplicas > 0 ? `, added ${t.addedReplicas}` : ''}${t.removedReplicas > 0 ? `, removed ${t.removedReplicas}` : ''}`,
  );
  const c = t.costPerMonth;
  out.push(
    `  cost per month:  ${money(c.before)} → ${money(c.after)} (${c.delta > 0 ? '+' : c.delta < 0 ? '-' : '±'}${money(Math.abs(c.delta))}${percent(c.before, c.delta)})`,
  );
  if (t.unpricedTemplates > 0) {
    out.push(
      `  not priced:      ${t.unpricedTemplates} template${t.unpricedTemplates === 1 ? '' : 's'} without resource requests`,
    );
  }

  out.push(...pricesSection(r, shown));

  const violations = r.templates.flatMap((x) =>
    x.violations.map((v) => `  ${templateName(x)}: ${v.cluster} violates ${v.plugin}: ${v.reason}`),
  );
  out.push(
    '',
    violations.length > 0
      ? 'Violated constraints (clusters the proposal no longer allows):'
      : 'Violated constraints: none',
  );
  out.push(...violations);

  const blocked = r.templates.filter((x) => x.becomesUnschedulable);
  out.push(
    '',
    blocked.length > 0 ? 'Unschedulable after the change:' : 'Unschedulable after the change: none',
  );
  for (const x of blocked) {
    const why = x.after.reason
      ? `${x.after.reason}: ${x.after.message ?? ''}`
      : (x.after.message ?? x.after.status);
    const kept = x.after.kept ? ` (keeps running on ${x.after.clusters.map(target).join(',')})` : '';
    out.push(`  ${templateName(x)}: ${why}${kept}`);
  }
  const pending = r.templates.filter((x) => x.pendingWithoutProposal);
  if (pending.length > 0) {
    out.push(
      '',
      'Pending without the change (the current policies already give another placement):',
      ...pending.map((x) => `  ${templateName(x)}`),
    );
  }
  return `${out.join('\n')}\n`;
}

/** Clusters listed in the Prices section at most. */
const PRICE_LINES = 20;

/**
 * Where the compute prices behind the costs come from: the clusters of the templates shown (all
 * placed clusters when none is shown), each with its price source.
 */
function pricesSection(r: SimulateResult, shown: readonly TemplateWhatIf[]): string[] {
  const prices = r.prices;
  if (prices === undefined) {
    return r.totals.costPerMonth.before > 0 || r.totals.costPerMonth.after > 0
      ? ['', "Prices: every cluster at its region's list price"]
      : [];
  }
  const names = new Set<string>();
  for (const t of shown.length > 0 ? shown : r.templates)
    for (const c of [...t.before.clusters, ...t.after.clusters]) names.add(c.name);
  const listed = [...names].filter((n) => prices[n] !== undefined).sort();
  const out = ['', "Prices (where each cluster's compute price comes from):"];
  for (const n of listed.slice(0, PRICE_LINES)) out.push(`  ${n}: ${priceText(prices[n]!)}`);
  if (listed.length > PRICE_LINES)
    out.push(`  … ${listed.length - PRICE_LINES} more (-o json lists them all)`);
  return out;
}

/** `shop/deployment/web`, or `namespace/web` for a cluster-scoped kind. */
function templateName(t: TemplateWhatIf): string {
  const { namespace, kind, name } = t.template;
  return `${namespace ? `${namespace}/` : ''}${kind.toLowerCase()}/${name}`;
}

function clusters(s: SideOutcome): string {
  if (s.clusters.length === 0) return s.status === 'Scheduled' ? '<none>' : `<${statusWord(s.status)}>`;
  return `${s.clusters.map(target).join(',')}${s.kept ? ' (kept)' : ''}`;
}

function target(c: TargetCluster): string {
  return c.replicas === undefined ? c.name : `${c.name}(${c.replicas})`;
}

function statusWord(status: SideOutcome['status']): string {
  switch (status) {
    case 'Unschedulable':
      return 'unschedulable';
    case 'NoMatchingPolicy':
      return 'no policy';
    case 'NotPlaced':
      return 'not placed';
    default:
      return 'none';
  }
}

function shortNote(t: TemplateWhatIf): string {
  const parts: string[] = [];
  if (t.before.source === 'none') parts.push('new');
  if (t.becomesUnschedulable)
    parts.push(t.after.status === 'Unschedulable' ? 'becomes unschedulable' : 'loses its placement');
  else if (t.after.status === 'Unschedulable') parts.push('still unschedulable');
  const plugins = [...new Set(t.violations.map((v) => v.plugin))];
  if (plugins.length > 0) parts.push(`violates ${plugins.join(', ')}`);
  if (t.after.status === 'FollowsWorkload' && t.changed) parts.push('follows its workloads');
  if (t.before.policy !== undefined && t.after.policy !== undefined && t.before.policy !== t.after.policy) {
    parts.push(`policy ${t.before.policy} → ${t.after.policy}`);
  }
  if (t.pendingWithoutProposal) parts.push('pending');
  if (t.before.source === 'computed') parts.push('no Binding yet');
  return parts.join('; ');
}

function money(v: number | undefined): string {
  return v === undefined ? '-' : `$${v.toFixed(2)}`;
}

function percent(before: number, delta: number): string {
  if (before <= 0 || delta === 0) return '';
  return `, ${delta > 0 ? '+' : ''}${((delta / before) * 100).toFixed(1)}%`;
}
