import type { ApplyEffect } from '../api-client.js';

type Ref = ApplyEffect['move'][number]['template'];
type Target = ApplyEffect['move'][number]['before'][number];

/** `shop/deployment/web`, or `kind/name` for a cluster-scoped template. */
function name(t: Ref): string {
  return `${t.namespace ? `${t.namespace}/` : ''}${t.kind.toLowerCase()}/${t.name}`;
}

function clusters(cs: readonly Target[]): string {
  if (cs.length === 0) return '<none>';
  return cs.map((c) => (c.replicas === undefined ? c.name : `${c.name}(${c.replicas})`)).join(',');
}

/**
 * The effect of a dry-run apply of policies, for people: the templates that would move, become
 * unschedulable (and whether their current placement is kept), or lose replicas.
 */
export function renderApplyEffect(e: ApplyEffect): string {
  const out: string[] = [
    '',
    `Effect on placement (${e.templates} template${e.templates === 1 ? '' : 's'} simulated; nothing was applied):`,
  ];
  if (e.move.length === 0 && e.unschedulable.length === 0 && e.loseReplicas.length === 0) {
    out.push('  no template would move, become unschedulable or lose replicas');
    return `${out.join('\n')}\n`;
  }
  if (e.move.length > 0) {
    out.push(`  would move (${e.move.length}):`);
    for (const m of e.move) out.push(`    ${name(m.template)}: ${clusters(m.before)} → ${clusters(m.after)}`);
  }
  if (e.unschedulable.length > 0) {
    out.push(`  would become unschedulable (${e.unschedulable.length}):`);
    for (const u of e.unschedulable) {
      const kept = u.kept.length > 0 ? `; keeps running on ${clusters(u.kept)}` : '; nothing left running';
      out.push(`    ${name(u.template)}: ${u.reason}${u.message ? `: ${u.message}` : ''}${kept}`);
    }
  }
  if (e.loseReplicas.length > 0) {
    out.push(`  would lose replicas (${e.loseReplicas.length}):`);
    for (const l of e.loseReplicas) out.push(`    ${name(l.template)}: ${l.before} → ${l.after}`);
  }
  return `${out.join('\n')}\n`;
}
