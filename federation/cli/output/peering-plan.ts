import type { PeeringPlan } from '../../../peering/plan/types.js';

/** The plan as text: topology and why, one block per link (kind, why, routes, cost), totals. */
export function renderPeeringPlan(plan: PeeringPlan): string {
  const lines: string[] = [];
  lines.push(`Topology: ${plan.topology}${plan.hub ? ` (hub ${plan.hub})` : ''}`);
  lines.push(`  ${plan.why}`);
  if (plan.alternative)
    lines.push(
      `  alternative: ${plan.alternative.topology}${plan.alternative.hub ? ` through ${plan.alternative.hub}` : ''} at $${money(plan.alternative.total)}/month`,
    );
  if (plan.overlaps.length > 0) {
    lines.push('', 'Clashing address ranges:');
    for (const o of plan.overlaps)
      lines.push(`  ${o.a.cluster} ${o.a.role} ${o.a.cidr}  ↔  ${o.b.cluster} ${o.b.role} ${o.b.cidr}`);
    for (const [c, r] of Object.entries(plan.globalAddresses))
      lines.push(`  ${c} is reached through the gateways at global range ${r}`);
  }
  lines.push('', `Links (${plan.links.length}):`);
  for (const l of plan.links) {
    lines.push(`  ${l.a} ↔ ${l.b}: ${l.kind}, $${money(l.cost.totalPerMonth)}/month`);
    lines.push(`    why: ${l.why}`);
    if (l.routes.aToB.length + l.routes.bToA.length > 0)
      lines.push(`    routes: ${l.a} → ${l.routes.aToB.join(', ')}; ${l.b} → ${l.routes.bToA.join(', ')}`);
    for (const item of l.cost.items) lines.push(`    $${money(item.usdPerMonth)}  ${item.what}`);
  }
  if (plan.clusterCosts.length > 0) {
    lines.push('', 'Gateways shared by a cluster’s links:');
    for (const c of plan.clusterCosts) lines.push(`  $${money(c.usdPerMonth)}  ${c.cluster}: ${c.what}`);
  }
  lines.push(
    '',
    `Monthly cost: $${money(plan.monthlyCost.total)} (fixed $${money(plan.monthlyCost.fixed)}, traffic $${money(plan.monthlyCost.traffic)})`,
  );
  return `${lines.join('\n')}\n`;
}

function money(x: number): string {
  return x.toFixed(2);
}
