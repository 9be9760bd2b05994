/**
 * Human text for an explanation (`fedgate explain`), and the per-cluster view of the structured
 * form. The CLI may render the structured form itself; this is the reference rendering.
 */
import { priceText } from './prices.js';
import type { ClusterExplanation, Explanation } from './types.js';

/** One cluster's part of an explanation. */
export function explainCluster(e: Explanation, name: string): ClusterExplanation {
  const i = e.feasible.clusters.indexOf(name);
  if (i >= 0) {
    const scores: Record<string, number> = {};
    for (const [plugin, column] of Object.entries(e.feasible.byPlugin)) scores[plugin] = column[i] ?? 0;
    const p = e.placement.find((c) => c.name === name);
    return {
      feasible: true,
      name,
      scores,
      total: e.feasible.total[i] ?? 0,
      selected: p !== undefined,
      ...(p?.replicas !== undefined ? { replicas: p.replicas } : {}),
      ...(p?.costPerMonth !== undefined ? { costPerMonth: p.costPerMonth } : {}),
    };
  }
  const g = e.rejected.find((r) => r.clusters.includes(name));
  if (g !== undefined) return { name, feasible: false, plugin: g.plugin, reason: g.reason };
  return {
    name,
    feasible: false,
    plugin: 'NotEvaluated',
    reason: 'not in the fleet, or no policy was evaluated',
  };
}

/** The residency line: the rule that applied and where it allows, or why none did. */
export function residencyText(e: Pick<Explanation, 'residency'>): string {
  const r = e.residency;
  if (r === undefined) return 'not recorded (decided by an older fedgate)';
  const where = [...(r.jurisdictions ?? []), ...(r.regions ?? [])].join(', ');
  if (r.status === 'Applied') return `${where} only — ${r.reason}`;
  if (r.status === 'NotApplicable') return `${where} not applied — ${r.reason}`;
  return `none — ${r.reason}`;
}

function scoreText(scores: Record<string, number>): string {
  return Object.entries(scores)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** The price lines: where each listed cluster's compute price came from. */
export function pricesText(e: Pick<Explanation, 'prices' | 'scorePlugins'>): string[] {
  if (e.prices === undefined) {
    return e.scorePlugins.some((p) => p.name === 'Cost')
      ? ["prices: every cluster at its region's list price"]
      : [];
  }
  return ['prices:', ...Object.entries(e.prices).map(([name, p]) => `  ${name}: ${priceText(p)}`)];
}

/** Renders an explanation as indented text. */
export function formatExplanation(e: Explanation, maxFeasible = 20): string {
  const t = e.template;
  const lines: string[] = [
    `${t.kind} ${t.namespace}/${t.name}${t.replicas !== undefined ? ` (${t.replicas} replicas)` : ''}, fleet ${e.fleetVersion}`,
  ];
  if (e.policy !== undefined) {
    lines.push(`policy: ${e.policy.winner} (${e.policy.reason})`);
    for (const c of e.policy.candidates)
      lines.push(`  #${c.rank} ${c.name} priority=${c.priority} specificity=${c.specificity}`);
  }
  lines.push(`residency: ${residencyText(e)}`);
  for (const term of e.affinityTerms) {
    lines.push(
      `affinity term ${term.index} ${term.name}: ${term.outcome}${term.reason !== undefined ? ` — ${term.reason}` : ''}`,
    );
  }
  if (e.division !== undefined) {
    lines.push(
      `division: ${e.division.algorithm}${e.division.notes.length > 0 ? ` (${e.division.notes.join('; ')})` : ''}`,
    );
  }
  if (e.scorePlugins.length > 0)
    lines.push(`scores: ${e.scorePlugins.map((p) => `${p.name}×${p.weight}`).join(', ')}`);
  for (const s of e.spread) {
    lines.push(
      `spread by ${s.spreadByField}: min ${s.minGroups}${s.maxGroups !== undefined ? ` max ${s.maxGroups}` : ''}, ${s.feasibleGroups} feasible, selected [${s.selectedGroups.join(', ')}]`,
    );
  }
  const f = e.feasible;
  lines.push(`placement (${e.placement.length} cluster(s)):`);
  for (const c of e.placement) {
    const cost = c.costPerMonth !== undefined ? ` ($${c.costPerMonth}/mo)` : '';
    lines.push(`  ${c.name} → ${c.replicas ?? 'copy'}${cost} total=${c.total}`);
  }
  lines.push(`feasible (${f.clusters.length}), best first:`);
  const order = f.clusters.map((_, i) => i).sort((a, b) => (f.total[b] ?? 0) - (f.total[a] ?? 0) || a - b);
  for (const i of order.slice(0, maxFeasible)) {
    const c = explainCluster(e, f.clusters[i]!);
    if (c.feasible)
      lines.push(`  ${c.name} total=${c.total} ${scoreText(c.scores)}${c.selected ? ' (selected)' : ''}`);
  }
  if (order.length > maxFeasible) lines.push(`  … ${order.length - maxFeasible} more`);
  const rejected = e.rejected.reduce((n, g) => n + g.clusters.length, 0);
  lines.push(`rejected (${rejected}):`);
  for (const g of e.rejected) {
    const shown = g.clusters.slice(0, 8).join(', ');
    const more = g.clusters.length > 8 ? ` … +${g.clusters.length - 8}` : '';
    lines.push(`  ${g.plugin}: ${g.reason} — ${shown}${more}`);
  }
  if (e.stability !== undefined) lines.push(`stability: ${e.stability.decision} (${e.stability.reason})`);
  if (e.costPerMonth !== undefined) lines.push(`estimated cost: $${e.costPerMonth}/month`);
  lines.push(...pricesText(e));
  for (const m of e.messages) lines.push(`note: ${m}`);
  return lines.join('\n');
}
