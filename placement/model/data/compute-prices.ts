import type { ComputePrice, Provider } from '../types.js';

/*
 * On-demand Linux compute list prices, USD, split into a vCPU-hour and a GiB-hour figure so a
 * replica of any shape can be priced. Only GCP publishes the split; for AWS and Azure it is
 * derived below from two instance shapes of one generation that differ only in memory per vCPU.
 * Every published figure is kept as published and the arithmetic is done here, in the open.
 * Each price is rounded to 6 decimals so tests can compare against literal values.
 */

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

function scaled(base: ComputePrice, factor: number): ComputePrice {
  return { vcpuHour: round6(base.vcpuHour * factor), gibHour: round6(base.gibHour * factor) };
}

function fromRegional(
  base: ComputePrice,
  baseHour: number,
  regional: Readonly<Record<string, number>>,
): Record<string, ComputePrice> {
  const out: Record<string, ComputePrice> = {};
  for (const [region, hour] of Object.entries(regional)) out[region] = scaled(base, hour / baseHour);
  return out;
}

// ---------------------------------------------------------------------------------------------
// AWS: m7i (general purpose, Intel Sapphire Rapids, 4 GiB per vCPU).
// Source: skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv, column Price (= AWS on-demand
// Linux list price from the AWS Price List API), m7i.large rows, read 2025-06. sa-east-1 has no
// m7i row in that snapshot (see below).
// Split: c7i.large (2 vCPU, 4 GiB) $0.08925/h and m7i.large (2 vCPU, 8 GiB) $0.1008/h in us-east-1
// (https://aws.amazon.com/ec2/pricing/on-demand/; c7i figure taken from that page, not re-read in
// this session) differ only by 4 GiB, so GiB-hour = 0.01155/4 = 0.0028875 and
// vCPU-hour = (0.08925 - 4 x 0.0028875)/2 = 0.03885. Other regions scale by their m7i.large price.
const AWS_M7I_LARGE_US_EAST_1 = 0.1008;
const AWS_BASE: ComputePrice = { vcpuHour: 0.03885, gibHour: 0.0028875 };
const AWS_M7I_LARGE_HOURLY: Readonly<Record<string, number>> = {
  'us-east-1': 0.1008,
  'us-east-2': 0.1008,
  'us-west-2': 0.1008,
  'ca-central-1': 0.11235,
  'eu-west-1': 0.11235,
  'eu-west-2': 0.11655,
  'eu-central-1': 0.12075,
  'eu-north-1': 0.1071,
  'ap-southeast-1': 0.126,
  'ap-southeast-2': 0.126,
  'ap-northeast-1': 0.1302,
  'ap-south-1': 0.10605,
  // DERIVED: no m7i in sa-east-1 in the catalog snapshot. AWS lists m6i.large at $0.153/h in
  // sa-east-1 vs $0.096/h in us-east-1 (ratio 1.59375, on-demand page, not re-read this session);
  // m7i is priced 1.05 x m6i in every region above, so 0.1008 x 1.59375 = 0.16065.
  'sa-east-1': 0.16065,
};

// ---------------------------------------------------------------------------------------------
// GCP: N2 predefined, which Google bills per vCPU and per GiB.
// us-central1 SKUs "N2 Instance Core" $0.031611/h and "N2 Instance Ram" $0.004237/GiB-h
// (https://cloud.google.com/compute/vm-instance-pricing; the same SKU figures appear in OpenCost's
// default pricing). Other regions scale by their n2-standard-96 price (96 vCPU, 384 GiB) from
// skypilot-org/skypilot-catalog catalogs/v8/gcp/vms.csv, read 2025-06; us-central1 checks out:
// 96 x 0.031611 + 384 x 0.004237 = 4.661664.
const GCP_N2_STANDARD_96_US_CENTRAL1 = 4.66166;
const GCP_BASE: ComputePrice = { vcpuHour: 0.031611, gibHour: 0.004237 };
const GCP_N2_STANDARD_96_HOURLY: Readonly<Record<string, number>> = {
  'us-central1': 4.66166,
  'us-east1': 4.66166,
  'us-west1': 4.66166,
  'europe-west1': 5.12803,
  'europe-west2': 6.00595,
  'europe-west3': 6.00595,
  'europe-west4': 5.13197,
  'asia-southeast1': 5.75069,
  'asia-northeast1': 5.98022,
  'australia-southeast1': 6.6144,
  'southamerica-east1': 7.39968,
};

// ---------------------------------------------------------------------------------------------
// Azure: Dsv5 pay-as-you-go Linux (4 GiB per vCPU).
// Source: skypilot-org/skypilot-catalog catalogs/v6/azure/vms.csv (Azure Retail Prices API),
// read 2025-06: Standard_D4s_v5 eastus/eastus2/westus2 $0.192/h, centralus $0.217/h.
// Split: Standard_D64ls_v5 (64 vCPU, 128 GiB) $2.72/h and Standard_D64s_v5 (64 vCPU, 256 GiB)
// $3.072/h in eastus differ only by 128 GiB: GiB-hour = 0.352/128 = 0.00275,
// vCPU-hour = (2.72 - 128 x 0.00275)/64 = 0.037.
// DERIVED for regions outside the US (that catalog snapshot lists US regions only): the eastus
// price times the AWS m7i.large multiplier of the same metro (table above), since both clouds
// price those metros at a similar premium. Replace with Retail Prices API figures when refreshed.
const AZURE_D4S_V5_EASTUS = 0.192;
const AZURE_BASE: ComputePrice = { vcpuHour: 0.037, gibHour: 0.00275 };
const awsMultiplier = (awsRegion: string): number =>
  (AWS_M7I_LARGE_HOURLY[awsRegion] ?? AWS_M7I_LARGE_US_EAST_1) / AWS_M7I_LARGE_US_EAST_1;
const AZURE_D4S_V5_HOURLY: Readonly<Record<string, number>> = {
  eastus: 0.192,
  eastus2: 0.192,
  westus2: 0.192,
  centralus: 0.217,
  westeurope: AZURE_D4S_V5_EASTUS * awsMultiplier('eu-central-1'),
  northeurope: AZURE_D4S_V5_EASTUS * awsMultiplier('eu-west-1'),
  uksouth: AZURE_D4S_V5_EASTUS * awsMultiplier('eu-west-2'),
  germanywestcentral: AZURE_D4S_V5_EASTUS * awsMultiplier('eu-central-1'),
  swedencentral: AZURE_D4S_V5_EASTUS * awsMultiplier('eu-north-1'),
  southeastasia: AZURE_D4S_V5_EASTUS * awsMultiplier('ap-southeast-1'),
  japaneast: AZURE_D4S_V5_EASTUS * awsMultiplier('ap-northeast-1'),
  australiaeast: AZURE_D4S_V5_EASTUS * awsMultiplier('ap-southeast-2'),
  brazilsouth: AZURE_D4S_V5_EASTUS * awsMultiplier('sa-east-1'),
};

// ---------------------------------------------------------------------------------------------
// On-prem: an ASSUMPTION, not a published price. Users are expected to override it per
// MemberCluster (spec.cost.compute). Amortised 2-socket server: 128 vCPU, 512 GiB, $25,000
// hardware over 4 years, plus 50% for power, space and staff, at 60% average utilisation:
// 25000 x 1.5 / (4 x 8760 h) / 0.6 = $1.783 per server-hour. Split in AWS's GiB:vCPU price ratio
// (0.0028875/0.03885 = 0.0743): vCPU-hour = 1.783 / (128 + 512 x 0.0743) = 0.01074.
const ONPREM_SERVER_HOUR = (25_000 * 1.5) / (4 * 8760) / 0.6;
const ONPREM_GIB_PER_VCPU_PRICE_RATIO = AWS_BASE.gibHour / AWS_BASE.vcpuHour;
const ONPREM_VCPU_HOUR = ONPREM_SERVER_HOUR / (128 + 512 * ONPREM_GIB_PER_VCPU_PRICE_RATIO);

/** The on-prem compute price assumption (see the derivation above). */
export const ONPREM_ASSUMED_COMPUTE: ComputePrice = {
  vcpuHour: round6(ONPREM_VCPU_HOUR),
  gibHour: round6(ONPREM_VCPU_HOUR * ONPREM_GIB_PER_VCPU_PRICE_RATIO),
};

/** Compute prices per provider and region. */
export const COMPUTE_PRICES: Readonly<Record<Provider, Readonly<Record<string, ComputePrice>>>> = {
  aws: fromRegional(AWS_BASE, AWS_M7I_LARGE_US_EAST_1, AWS_M7I_LARGE_HOURLY),
  gcp: fromRegional(GCP_BASE, GCP_N2_STANDARD_96_US_CENTRAL1, GCP_N2_STANDARD_96_HOURLY),
  azure: fromRegional(AZURE_BASE, AZURE_D4S_V5_EASTUS, AZURE_D4S_V5_HOURLY),
  // Every on-prem site gets the same assumption; unknown sites fall back to it too.
  onprem: {
    'onprem-fra': ONPREM_ASSUMED_COMPUTE,
    'onprem-ams': ONPREM_ASSUMED_COMPUTE,
    'onprem-zrh': ONPREM_ASSUMED_COMPUTE,
    'onprem-nyc': ONPREM_ASSUMED_COMPUTE,
  },
};

/**
 * What an unknown region of a provider falls back to. Undefined means "the mean of the provider's
 * known regions"; on-prem uses its assumption because there is no market to average.
 */
export const COMPUTE_FALLBACKS: Readonly<Partial<Record<Provider, ComputePrice>>> = {
  onprem: ONPREM_ASSUMED_COMPUTE,
};
