import type { Provider } from '../types.js';

/*
 * On-demand Linux list prices, USD per hour, of common instance types: what a cluster's nodes
 * cost when cloud inventory says which types it runs (see clusterComputePrice in cost-model.ts).
 * Pure data. Each type has its price in the provider's reference region (the region the
 * per-region tables in compute-prices.ts are anchored to) and, where a source gave them, its
 * prices in other regions. A region not listed for a type scales the reference price by that
 * region's general-purpose multiplier from compute-prices.ts (m7i.large for AWS, n2-standard-96
 * for GCP, D4s_v5 for Azure). That is an approximation: the clouds price a family's sizes
 * linearly, and families move together across regions to within a few percent (m6g.xlarge in
 * eu-west-1 is 1.117 x us-east-1, m7i.large 1.115 x). A type not listed at all is priced from its
 * vCPUs and memory at the region's vCPU-hour and GiB-hour price, so it costs what the region table
 * says and neither helps nor hurts the cluster.
 *
 * Sources (figures kept as published; read 2026-12):
 * - AWS: the AWS on-demand pricing page (https://aws.amazon.com/ec2/pricing/on-demand/, Linux,
 *   us-east-1), the same figures as the AWS Price List API. m6g.xlarge's regional prices were read
 *   this session from skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv (commit 00148f2, column
 *   Price = the Price List API's on-demand price); the other us-east-1 figures are the on-demand
 *   page's and were not re-read in this session.
 * - GCP: Compute Engine VM instance pricing (https://cloud.google.com/compute/vm-instance-pricing),
 *   us-central1, computed from the per-family SKUs Google publishes (vCPU-hour + GiB-hour):
 *   E2 $0.021811 + $0.002923, N2 and N1 $0.031611 + $0.004237, N2D and T2D $0.027502 + $0.003686.
 *   Shared-core e2-medium bills half of its 2 vCPUs. Not re-read in this session.
 * - Azure: the Azure Retail Prices API / Linux virtual machines pricing page, pay-as-you-go, eastus.
 *   Standard_D4s_v5 $0.192/h is the figure compute-prices.ts anchors Azure to; the other sizes are
 *   that page's and were not re-read in this session.
 */

/** One instance type: its shape and its on-demand price. */
export interface InstanceTypePrice {
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** USD per hour in the provider's reference region. */
  readonly hourly: number;
  /** USD per hour in other regions, where a source gave them (else the region multiplier applies). */
  readonly byRegion?: Readonly<Record<string, number>>;
}

/** A provider's price list: the reference region and its instance types. */
export interface ProviderInstancePrices {
  /** The region `hourly` is quoted in; must be in the compute price table. */
  readonly referenceRegion: string;
  readonly types: Readonly<Record<string, InstanceTypePrice>>;
}

const t = (
  vcpus: number,
  memoryGiB: number,
  hourly: number,
  byRegion?: Readonly<Record<string, number>>,
): InstanceTypePrice => ({ vcpus, memoryGiB, hourly, ...(byRegion ? { byRegion } : {}) });

// GCP bills predefined types per vCPU and per GiB; the list price of a type is that sum.
const gcp = (vcpuHour: number, gibHour: number, vcpus: number, memoryGiB: number, billedVcpus = vcpus) =>
  t(vcpus, memoryGiB, Math.round((billedVcpus * vcpuHour + memoryGiB * gibHour) * 1e6) / 1e6);
const E2 = [0.021811, 0.002923] as const;
const N2 = [0.031611, 0.004237] as const;
const N2D = [0.027502, 0.003686] as const;

/** Instance price lists per provider (on-prem has no list: its sites are priced per vCPU/GiB). */
export const INSTANCE_PRICES: Readonly<Partial<Record<Provider, ProviderInstancePrices>>> = {
  aws: {
    referenceRegion: 'us-east-1',
    types: {
      't3.medium': t(2, 4, 0.0416),
      't3.large': t(2, 8, 0.0832),
      't3.xlarge': t(4, 16, 0.1664),
      'm5.large': t(2, 8, 0.096),
      'm5.xlarge': t(4, 16, 0.192),
      'm5.2xlarge': t(8, 32, 0.384),
      'm5.4xlarge': t(16, 64, 0.768),
      'm6i.large': t(2, 8, 0.096),
      'm6i.xlarge': t(4, 16, 0.192),
      'm6i.2xlarge': t(8, 32, 0.384),
      'm6i.4xlarge': t(16, 64, 0.768),
      'm7i.large': t(2, 8, 0.1008),
      'm7i.xlarge': t(4, 16, 0.2016),
      'm7i.2xlarge': t(8, 32, 0.4032),
      'm6g.large': t(2, 8, 0.077),
      'm6g.xlarge': t(4, 16, 0.154, {
        'us-east-2': 0.154,
        'us-west-2': 0.154,
        'ca-central-1': 0.1712,
        'eu-west-1': 0.172,
        'eu-west-2': 0.1776,
        'eu-central-1': 0.184,
        'eu-north-1': 0.164,
      }),
      'm6g.2xlarge': t(8, 32, 0.308),
      'c5.xlarge': t(4, 8, 0.17),
      'c5.2xlarge': t(8, 16, 0.34),
      'c6i.xlarge': t(4, 8, 0.17),
      'c6i.2xlarge': t(8, 16, 0.34),
      'r5.xlarge': t(4, 32, 0.252),
      'r5.2xlarge': t(8, 64, 0.504),
      'r6i.xlarge': t(4, 32, 0.252),
      'r6i.2xlarge': t(8, 64, 0.504),
    },
  },
  gcp: {
    referenceRegion: 'us-central1',
    types: {
      'e2-medium': gcp(...E2, 2, 4, 1),
      'e2-standard-2': gcp(...E2, 2, 8),
      'e2-standard-4': gcp(...E2, 4, 16),
      'e2-standard-8': gcp(...E2, 8, 32),
      'n2-standard-2': gcp(...N2, 2, 8),
      'n2-standard-4': gcp(...N2, 4, 16),
      'n2-standard-8': gcp(...N2, 8, 32),
      'n2-highmem-4': gcp(...N2, 4, 32),
      'n1-standard-4': gcp(...N2, 4, 15),
      'n2d-standard-4': gcp(...N2D, 4, 16),
      'n2d-standard-8': gcp(...N2D, 8, 32),
      't2d-standard-4': gcp(...N2D, 4, 16),
    },
  },
  azure: {
    referenceRegion: 'eastus',
    types: {
      Standard_B2s: t(2, 4, 0.0416),
      Standard_B2ms: t(2, 8, 0.0832),
      Standard_D2s_v5: t(2, 8, 0.096),
      Standard_D4s_v5: t(4, 16, 0.192),
      Standard_D8s_v5: t(8, 32, 0.384),
      Standard_D4as_v5: t(4, 16, 0.172),
      Standard_D8as_v5: t(8, 32, 0.344),
      Standard_D4ps_v5: t(4, 16, 0.154),
      Standard_DS2_v2: t(2, 7, 0.146),
      Standard_DS3_v2: t(4, 14, 0.293),
      Standard_E4s_v5: t(4, 32, 0.252),
      Standard_F4s_v2: t(4, 8, 0.169),
    },
  },
};
