import {
  type ClusterExplanation,
  type Explanation,
  explainCluster,
  type PriceSource,
  pricesText,
  residencyText,
} from '../../../placement/index.js';
import type { KubeObject } from '../../resources/kube-object.js';
import { age, type Column, cell, field, renderTable, toYaml } from './format.js';

/** One row of the per-cluster verdict table. */
interface ClusterRow {
  cluster: string;
  verdict: string;
  replicas: string;
  score: string;
  status: string;
  detail: string;
}

/** Top-level explanation fields this renderer knows; anything else is shown as-is under "Other". */
const KNOWN_FIELDS = new Set([
  'template',
  'fleetVersion',
  'policy',
  'residency',
  'affinityTerms',
  'filterPlugins',
  'scorePlugins',
  'feasible',
  'rejected',
  'placement',
  'spread',
  'division',
  'stability',
  'costPerMonth',
  'prices',
  'messages',
]);

/**
 * Renders a Binding's `status.explanation` for people: the winning policy, then every cluster's
 * verdict (chosen, feasible, or filtered by which plugin and why) with scores, replicas and what
 * the cluster reports. Written defensively: the explanation is plain JSON from the scheduler and
 * any part may be missing or shaped differently; unknown parts are printed as YAML.
 */
export function renderExplanation(binding: KubeObject): string {
  const e = field(binding, 'status', 'explanation');
  const out: string[] = [];
  const res = field(binding, 'spec', 'resource');
  const tmpl = field(e, 'template') ?? res;
  const ns = field(tmpl, 'namespace');
  const replicas = field(tmpl, 'replicas');
  out.push(
    `Template:   ${cell(field(tmpl, 'kind'))} ${ns ? `${String(ns)}/` : ''}${cell(field(tmpl, 'name'))}${typeof replicas === 'number' ? ` (${replicas} replicas)` : ''}`,
  );
  out.push(
    `Binding:    ${binding.metadata.namespace ? `${binding.metadata.namespace}/` : ''}${binding.metadata.name} (generation ${cell(binding.metadata.generation)}${field(res, 'generation') !== undefined ? `, for template generation ${cell(field(res, 'generation'))}` : ''})`,
  );
  out.push(`Policy:     ${policyLine(field(e, 'policy'), field(binding, 'spec', 'policy'))}`);
  const candidates = field(e, 'policy', 'candidates');
  if (Array.isArray(candidates) && candidates.length > 1) {
    for (const c of candidates) {
      out.push(
        `  #${cell(field(c, 'rank'))} ${cell(field(c, 'name'))} priority=${cell(field(c, 'priority'))} specificity=${cell(field(c, 'specificity'))}`,
      );
    }
  }
  if (e !== undefined)
    out.push(
      `Residency:  ${residencyText({ residency: field(e, 'residency') as Explanation['residency'] })}`,
    );
  const terms = field(e, 'affinityTerms');
  if (Array.isArray(terms) && terms.length > 0) {
    out.push('Affinity terms:');
    for (const t of terms) {
      const reason = field(t, 'reason');
      out.push(
        `  ${cell(field(t, 'index'))} ${cell(field(t, 'name'))}: ${cell(field(t, 'outcome'))}${reason ? ` (${String(reason)})` : ''}`,
      );
    }
  }
  const division = field(e, 'division');
  if (division !== undefined) {
    const notes = field(division, 'notes');
    out.push(
      `Division:   ${cell(field(division, 'algorithm'))}${Array.isArray(notes) && notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
    );
  }
  const spread = field(e, 'spread');
  if (Array.isArray(spread)) {
    for (const s of spread) {
      const sel = field(s, 'selectedGroups');
      out.push(
        `Spread:     by ${cell(field(s, 'spreadByField'))}: min ${cell(field(s, 'minGroups'))}, ${cell(field(s, 'feasibleGroups'))} feasible, selected [${Array.isArray(sel) ? sel.join(', ') : ''}]`,
      );
    }
  }
  const stability = field(e, 'stability');
  if (stability !== undefined) {
    out.push(`Stability:  ${cell(field(stability, 'decision'))}: ${cell(field(stability, 'reason'))}`);
  }
  const scorePlugins = field(e, 'scorePlugins');
  if (Array.isArray(scorePlugins) && scorePlugins.length > 0) {
    out.push(
      `Scoring:    ${scorePlugins.map((p) => (typeof p === 'string' ? p : `${cell(field(p, 'name'))}×${cell(field(p, 'weight'))}`)).join(', ')}`,
    );
  }
  const rows = clusterRows(binding, e);
  out.push('');
  if (rows.length === 0) out.push('No clusters were evaluated.');
  else out.push(renderTable(COLUMNS, rows).trimEnd());
  const cost = field(e, 'costPerMonth');
  if (typeof cost === 'number') out.push('', `Estimated cost: $${cost.toFixed(2)}/month`);
  if (isExplanation(e)) {
    // Where each compared cluster's compute price came from (region list, instance mix, override).
    const [head, ...rest] = pricesText(e);
    if (head !== undefined) out.push('', `${head[0]!.toUpperCase()}${head.slice(1)}`, ...rest);
  }
  const messages = field(e, 'messages');
  if (Array.isArray(messages) && messages.length > 0) {
    out.push('', 'Messages:', ...messages.map((m) => `  - ${typeof m === 'string' ? m : JSON.stringify(m)}`));
  }
  if (e === undefined) out.push('', 'The scheduler has not written an explanation for this Binding yet.');
  else if (typeof e === 'object' && e !== null) {
    const other = Object.fromEntries(Object.entries(e).filter(([k]) => !KNOWN_FIELDS.has(k)));
    if (Object.keys(other).length > 0) out.push('', 'Other:', indent(toYaml(other).trimEnd(), 2));
  }
  return `${out.join('\n')}\n`;
}

const COLUMNS: Column<ClusterRow>[] = [
  { header: 'CLUSTER', value: (r) => r.cluster },
  { header: 'VERDICT', value: (r) => r.verdict },
  { header: 'REPLICAS', value: (r) => r.replicas },
  { header: 'SCORE', value: (r) => r.score },
  { header: 'STATUS', value: (r) => r.status },
  { header: 'DETAIL', value: (r) => r.detail },
];

function policyLine(p: unknown, specPolicy: unknown): string {
  if (typeof p === 'string') return p;
  const winner = field(p, 'winner') ?? field(p, 'name') ?? specPolicy;
  if (winner === undefined) return '<none> (no PlacementPolicy matched)';
  const reason = field(p, 'reason');
  return `${String(winner)}${reason ? ` (${String(reason)})` : ''}`;
}

function clusterRows(binding: KubeObject, e: unknown): ClusterRow[] {
  const status = new Map<string, unknown>();
  for (const s of arr(field(binding, 'status', 'clusters'))) status.set(String(field(s, 'cluster')), s);
  const targets = new Map<string, unknown>();
  for (const t of arr(field(binding, 'spec', 'clusters')))
    targets.set(String(field(t, 'name')), field(t, 'replicas'));
  const explanation = isExplanation(e) ? e : undefined;

  const rows: ClusterRow[] = [];
  const seen = new Set<string>();
  const add = (r: ClusterRow) => {
    seen.add(r.cluster);
    rows.push(r);
  };
  // Feasible clusters, chosen first, by total score (explainCluster gives each one's view).
  const feasible = (explanation?.feasible.clusters ?? [])
    .map((name) => explainCluster(explanation!, name))
    .filter((c): c is Extract<ClusterExplanation, { feasible: true }> => c.feasible)
    .sort(
      (a, b) => Number(b.selected) - Number(a.selected) || b.total - a.total || (a.name < b.name ? -1 : 1),
    );
  for (const c of feasible) {
    const chosen = c.selected || targets.has(c.name);
    const replicas = c.replicas ?? targets.get(c.name);
    add({
      cluster: c.name,
      verdict: chosen ? 'chosen' : 'feasible',
      replicas: chosen ? (typeof replicas === 'number' ? String(replicas) : 'copy') : '-',
      score: String(Math.round(c.total * 10) / 10),
      status: statusOf(status.get(c.name)),
      detail: [
        scoreBreakdown(c.scores),
        c.costPerMonth !== undefined ? `$${c.costPerMonth.toFixed(2)}/month` : '',
        basisWord(explanation?.prices?.[c.name]),
      ]
        .filter(Boolean)
        .join('; '),
    });
  }
  for (const g of explanation?.rejected ?? []) {
    const detail = `${g.plugin}: ${g.reason}`;
    if (g.clusters.length > 6) {
      const shown = [...g.clusters.slice(0, 5), `… (+${g.clusters.length - 5} more)`];
      add({ cluster: shown.join(', '), verdict: 'filtered', replicas: '-', score: '-', status: '', detail });
      for (const c of g.clusters) seen.add(c);
      continue;
    }
    for (const c of g.clusters) {
      add({
        cluster: c,
        verdict: 'filtered',
        replicas: '-',
        score: '-',
        status: statusOf(status.get(c)),
        detail,
      });
    }
  }
  // Clusters the binding targets or reports that the explanation does not mention (a dependency
  // following its workloads, or a cluster being left).
  for (const [name, replicas] of targets) {
    if (seen.has(name)) continue;
    add({
      cluster: name,
      verdict: 'chosen',
      replicas: typeof replicas === 'number' ? String(replicas) : 'copy',
      score: '-',
      status: statusOf(status.get(name)),
      detail: '',
    });
  }
  for (const [name, s] of status) {
    if (seen.has(name)) continue;
    add({ cluster: name, verdict: 'not chosen', replicas: '-', score: '-', status: statusOf(s), detail: '' });
  }
  return rows;
}

/** True when the stored explanation has the scheduler's shape (older or foreign ones are shown raw). */
function isExplanation(e: unknown): e is Explanation {
  return (
    Array.isArray(field(e, 'feasible', 'clusters')) &&
    Array.isArray(field(e, 'rejected')) &&
    Array.isArray(field(e, 'placement'))
  );
}

/** The short form of a price source for the cluster table; the Prices section has the detail. */
function basisWord(p: PriceSource | undefined): string {
  switch (p?.basis) {
    case undefined:
      return '';
    case 'inventory':
      return 'price: instance mix';
    case 'table':
      return 'price: region list';
    case 'provider-average':
      return 'price: provider average';
    case 'override':
      return 'price: spec.cost';
  }
}

function scoreBreakdown(scores: unknown): string {
  if (typeof scores !== 'object' || scores === null) return '';
  return Object.entries(scores as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 10) / 10 : cell(v)}`)
    .join(' ');
}

/** A cluster's reported status: `Applied 3/3 ready`, `Failed: message`, or `-`. */
export function statusOf(s: unknown): string {
  if (s === undefined) return '-';
  const phase = cell(field(s, 'phase'));
  const ready = field(s, 'readyReplicas');
  const want = field(s, 'replicas');
  const counts = typeof want === 'number' ? ` ${typeof ready === 'number' ? ready : 0}/${want} ready` : '';
  const msg = field(s, 'message');
  return `${phase}${counts}${phase !== 'Applied' && msg ? `: ${String(msg)}` : ''}${driftOf(s)}`;
}

/** `, drifted: <paths> (restored|left in place)` when the cluster reports drift; '' otherwise. */
export function driftOf(s: unknown): string {
  const paths = field(s, 'drift', 'paths');
  if (!Array.isArray(paths) || paths.length === 0) return '';
  const shown =
    paths.slice(0, 3).map(String).join(' ') + (paths.length > 3 ? ` (+${paths.length - 3} more)` : '');
  const what = field(s, 'drift', 'restored') === true ? 'restored' : 'left in place';
  return `, drifted: ${shown} (${what} ${age(field(s, 'drift', 'detectedAt'))} ago)`;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function indent(s: string, n: number): string {
  const pad = ' '.repeat(n);
  return s
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
