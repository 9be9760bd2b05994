import type { CostModel } from '../../placement/model/cost-model.js';
import { AZURE_PEERING_PER_GIB, vpnEndPerMonth } from './link-prices.js';
import type { LinkCost, LinkKind, PlanCluster } from './types.js';

/** Traffic one link carries, GiB per month, in each direction. */
export interface LinkLoad {
  readonly aToB: number;
  readonly bToA: number;
}

/**
 * The monthly cost of one link: the providers' fixed charges for its ends (per-cluster gateway
 * charges are counted once per cluster by the plan, not here) and what its traffic costs:
 * egress at the source's price (the cost model's) plus per-GiB peering charges where a provider
 * makes them.
 */
export function linkCost(
  model: CostModel,
  a: PlanCluster,
  b: PlanCluster,
  kind: LinkKind,
  load: LinkLoad,
): LinkCost {
  const items: { what: string; usdPerMonth: number }[] = [];
  if (kind === 'ipsec-vpn') {
    for (const [side, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const price = vpnEndPerMonth(side.provider, other.provider);
      if (price.usd > 0) items.push({ what: `${side.name}: ${price.what}`, usdPerMonth: round2(price.usd) });
    }
  }
  const fixed = items.reduce((s, i) => s + i.usdPerMonth, 0);
  let traffic = 0;
  for (const [from, to, gib] of [
    [a, b, load.aToB],
    [b, a, load.bToA],
  ] as const) {
    if (gib <= 0) continue;
    const egress = model.egressPerGiB(
      { provider: from.provider, region: from.region },
      { provider: to.provider, region: to.region },
    );
    const peering =
      kind === 'azure-vnet-peering'
        ? from.region === to.region
          ? AZURE_PEERING_PER_GIB.sameRegion
          : AZURE_PEERING_PER_GIB.global
        : 0;
    const usd = round2(gib * (egress + peering));
    traffic += usd;
    items.push({
      what: `${from.name} → ${to.name}: ${gib} GiB at $${round4(egress + peering)}/GiB`,
      usdPerMonth: usd,
    });
  }
  return {
    fixedPerMonth: round2(fixed),
    trafficPerMonth: round2(traffic),
    totalPerMonth: round2(fixed + traffic),
    items,
  };
}

/** Cents, so sums print the same everywhere. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
