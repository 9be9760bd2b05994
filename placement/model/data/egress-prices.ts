import type { Continent, EgressPrices, Provider } from '../types.js';

/*
 * Data-transfer list prices, USD per GiB, first volume tier (the first 10 TiB/month after the free
 * allowance), priced at the SOURCE: the cloud bills the side the bytes leave. The clouds write
 * "GB" but meter 2^30 bytes, so the figures are used as per-GiB.
 * Resolution for a source region: byRegion, then byContinent (of the source), then default.
 * Traffic to another provider or an on-prem site is internet egress of the source.
 */

/** Egress prices of one provider, with per-continent and per-region exceptions. */
export interface ProviderEgressTable {
  readonly default: EgressPrices;
  readonly byContinent?: Readonly<Partial<Record<Continent, Partial<EgressPrices>>>>;
  readonly byRegion?: Readonly<Record<string, Partial<EgressPrices>>>;
  /** Exact source→destination region prices that beat the class price (same provider only). */
  readonly pairs?: readonly (readonly [from: string, to: string, perGiB: number])[];
}

// AWS. Inter-region and internet, per source region: skyplane-project/skyplane
// skyplane/data/aws_transfer_costs.csv (transcribed from https://aws.amazon.com/ec2/pricing/on-demand/
// "Data Transfer"), read 2025-06. AWS charges one price to every other region, whatever the
// continent, so interContinent = interRegion. Inter-AZ: $0.01/GB in each direction
// (same page; e.g. https://www.usage.ai/blogs/aws/networking-cost/data-transfer-costs/, 2026-06).
const AWS: ProviderEgressTable = {
  default: {
    intraRegionPerGiB: 0.01,
    interRegionPerGiB: 0.02,
    interContinentPerGiB: 0.02,
    internetPerGiB: 0.09,
  },
  byRegion: {
    'ap-southeast-1': { interRegionPerGiB: 0.09, interContinentPerGiB: 0.09, internetPerGiB: 0.12 },
    'ap-southeast-2': { interRegionPerGiB: 0.098, interContinentPerGiB: 0.098, internetPerGiB: 0.114 },
    'ap-northeast-1': { interRegionPerGiB: 0.09, interContinentPerGiB: 0.09, internetPerGiB: 0.114 },
    'ap-south-1': { interRegionPerGiB: 0.086, interContinentPerGiB: 0.086, internetPerGiB: 0.1093 },
    'sa-east-1': { interRegionPerGiB: 0.138, interContinentPerGiB: 0.138, internetPerGiB: 0.15 },
  },
  // us-east-1 <-> us-east-2 is discounted (same CSV).
  pairs: [
    ['us-east-1', 'us-east-2', 0.01],
    ['us-east-2', 'us-east-1', 0.01],
  ],
};

// GCP. Premium tier, as encoded in skyplane-project/skyplane skyplane/compute/gcp/gcp_pricing.py
// from https://cloud.google.com/vpc/network-pricing (2023): inter-zone $0.01; inter-region within
// North America $0.01, Europe $0.02, Asia $0.05, South America/Oceania $0.08; intercontinental
// $0.08 ($0.15 to or from Oceania); internet $0.12 ($0.19 from Australia, per
// https://egresscost.com/gcp/regions, 2026-04). Google revised inter-region rates in 2024; refresh
// these from the live page before relying on them for intra-continent decisions.
const GCP: ProviderEgressTable = {
  default: {
    intraRegionPerGiB: 0.01,
    interRegionPerGiB: 0.02,
    interContinentPerGiB: 0.08,
    internetPerGiB: 0.12,
  },
  byContinent: {
    'north-america': { interRegionPerGiB: 0.01 },
    europe: { interRegionPerGiB: 0.02 },
    asia: { interRegionPerGiB: 0.05 },
    'south-america': { interRegionPerGiB: 0.08 },
    oceania: { interRegionPerGiB: 0.08, interContinentPerGiB: 0.15, internetPerGiB: 0.19 },
  },
};

// Azure. https://azure.microsoft.com/pricing/details/bandwidth/ as encoded in skyplane-project/skyplane
// skyplane/compute/azure/azure_cloud_provider.py (get_transfer_cost), read 2025-06:
// within NA/Europe $0.02, from NA/Europe to other continents $0.05, internet $0.0875;
// within/from Asia, Oceania, Middle East, Africa $0.08, internet $0.12; South America within $0.181,
// to other continents $0.16, internet $0.181. Between availability zones: no charge
// (https://adammazouz.com/post/2023/8/understanding-azure-bandwidth-part-1/, 2023-08).
const AZURE: ProviderEgressTable = {
  default: {
    intraRegionPerGiB: 0,
    interRegionPerGiB: 0.02,
    interContinentPerGiB: 0.05,
    internetPerGiB: 0.0875,
  },
  byContinent: {
    asia: { interRegionPerGiB: 0.08, interContinentPerGiB: 0.08, internetPerGiB: 0.12 },
    oceania: { interRegionPerGiB: 0.08, interContinentPerGiB: 0.08, internetPerGiB: 0.12 },
    'middle-east': { interRegionPerGiB: 0.08, interContinentPerGiB: 0.08, internetPerGiB: 0.12 },
    africa: { interRegionPerGiB: 0.08, interContinentPerGiB: 0.08, internetPerGiB: 0.12 },
    'south-america': { interRegionPerGiB: 0.181, interContinentPerGiB: 0.16, internetPerGiB: 0.181 },
  },
};

// On-prem: ASSUMPTION. Inside a site traffic is free; between own sites and to the internet it
// rides a committed transit contract, which costs per Mbps not per byte. $0.01/GiB approximates a
// 95th-percentile commit of ~$0.40/Mbps-month at ~40% average use (0.40 / (0.4 x 324 GiB)).
// Override per MemberCluster (spec.cost.egressPerGiB) with the contract's real figure.
const ONPREM: ProviderEgressTable = {
  default: {
    intraRegionPerGiB: 0,
    interRegionPerGiB: 0.01,
    interContinentPerGiB: 0.01,
    internetPerGiB: 0.01,
  },
};

/** Egress price tables per provider. */
export const EGRESS_PRICES: Readonly<Record<Provider, ProviderEgressTable>> = {
  aws: AWS,
  gcp: GCP,
  azure: AZURE,
  onprem: ONPREM,
};
