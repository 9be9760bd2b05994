/**
 * Where a cluster's compute price came from, as explanations and simulations record it: the
 * region's list price, the provider's average, the cluster's instance mix from cloud inventory,
 * or its `spec.cost` override. Plain JSON, rounded, small.
 */
import type { ComputePriceQuote, PriceBasis } from '../model-types.js';

/** A cluster's compute price and its provenance. */
export interface PriceSource {
  basis: PriceBasis;
  /** USD per vCPU-hour and per GiB-hour, to 6 decimals. */
  vcpuHour: number;
  gibHour: number;
  /** The region is not in the price table: a provider average stands in for its price. */
  estimated?: true;
  /** Instance mix (type → instances) the price, or the part not overridden, came from. */
  mix?: Record<string, number>;
  /** Types of the mix not in the price list, counted at the region's rate. */
  unlisted?: string[];
  /** The mix's hourly cost over the region's list price for the same vCPUs and memory. */
  vsRegion?: number;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** The recorded form of a price quote. */
export function priceSource(q: ComputePriceQuote): PriceSource {
  const out: PriceSource = { basis: q.basis, vcpuHour: round(q.vcpuHour, 6), gibHour: round(q.gibHour, 6) };
  if (q.estimated) out.estimated = true;
  const inv = q.inventory;
  if (inv !== undefined) {
    out.mix = { ...inv.mix };
    if (inv.unlisted.length > 0) out.unlisted = [...inv.unlisted];
    out.vsRegion = round(inv.vsRegion, 4);
  }
  return out;
}

function mixText(p: PriceSource): string {
  const mix = Object.entries(p.mix ?? {})
    .map(([type, n]) => `${n}× ${type}`)
    .join(', ');
  const vs = p.vsRegion !== undefined ? ` at ${p.vsRegion}× the region list price` : '';
  const unlisted =
    p.unlisted !== undefined && p.unlisted.length > 0
      ? `; ${p.unlisted.join(', ')} not in the price list, counted at the region rate`
      : '';
  return `instance mix ${mix}${vs}${unlisted}`;
}

/** One line for people: `instance mix 3× m6g.xlarge at 0.76× the region list price ($0.0316/vCPU-h, $0.0023/GiB-h)`. */
export function priceText(p: PriceSource): string {
  let what: string;
  switch (p.basis) {
    case 'inventory':
      what = mixText(p);
      break;
    case 'table':
      what = 'region list price';
      break;
    case 'provider-average':
      what = 'provider average (region not in the price table)';
      break;
    case 'override':
      what =
        p.mix !== undefined ? `spec.cost override; the rest from the ${mixText(p)}` : 'spec.cost override';
      break;
  }
  const estimated =
    p.estimated && p.basis !== 'provider-average' ? ', estimated: region not in the price table' : '';
  return `${what}${estimated} ($${p.vcpuHour.toFixed(4)}/vCPU-h, $${p.gibHour.toFixed(4)}/GiB-h)`;
}
