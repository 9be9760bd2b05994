import type { Provider } from '../../placement/model/types.js';

/** What the planner knows of one member cluster's network. */
export interface PlanCluster {
  readonly name: string;
  readonly provider: Provider;
  readonly region: string;
  /** AWS account, GCP project, Azure subscription; on-prem: the site. Absent: unknown (same as the others). */
  readonly account?: string;
  /** The VPC/VNet (or on-prem network) id, when discovered or declared. */
  readonly networkId?: string;
  /** VPC/VNet address space and node CIDRs. */
  readonly nodeCidrs: readonly string[];
  readonly podCidrs: readonly string[];
  readonly serviceCidrs: readonly string[];
}

/** Which role a range plays in its cluster. */
export type CidrRole = 'node' | 'pod' | 'service';

/** One range of one cluster. */
export interface ClusterCidr {
  readonly cluster: string;
  readonly role: CidrRole;
  readonly cidr: string;
}

/** Two ranges that share addresses. */
export interface CidrOverlap {
  readonly a: ClusterCidr;
  readonly b: ClusterCidr;
}

/** What to do with clusters whose ranges clash. */
export type OverlapMode =
  /** Route their traffic only through the east-west gateways, with federation-assigned global addresses (as Submariner's Globalnet). */
  | 'global-addresses'
  /** Refuse to plan, naming the clashing ranges. */
  | 'refuse';

/** How a pair of clusters is linked. */
export type LinkKind =
  /** AWS VPC peering. */
  | 'aws-vpc-peering'
  /** GCP VPC network peering. */
  | 'gcp-network-peering'
  /** Azure VNet peering (global peering across regions). */
  | 'azure-vnet-peering'
  /** Site-to-site IPsec VPN through the providers' VPN gateways (or generated on-prem configuration). */
  | 'ipsec-vpn'
  /** No network route: the east-west gateways carry the traffic over mTLS between their public endpoints. */
  | 'gateway-only';

/** Monthly cost of one link, USD. */
export interface LinkCost {
  /** Gateways, tunnels and attachments, per month. */
  readonly fixedPerMonth: number;
  /** Expected traffic × egress (and peering/processing) prices, per month. */
  readonly trafficPerMonth: number;
  readonly totalPerMonth: number;
  /** Line items, for `fedgate plan peering`. */
  readonly items: readonly { readonly what: string; readonly usdPerMonth: number }[];
}

/** One planned link between two clusters. `a` < `b` by name, so a plan reads the same every time. */
export interface PlannedLink {
  readonly a: string;
  readonly b: string;
  readonly kind: LinkKind;
  /** Why this kind: a sentence for the plan's output. */
  readonly why: string;
  /** Ranges each side must route to the other over this link (empty for gateway-only). */
  readonly routes: { readonly aToB: readonly string[]; readonly bToA: readonly string[] };
  readonly cost: LinkCost;
}

/** Expected traffic between two clusters, GiB per month in each direction. */
export interface ExpectedTraffic {
  readonly from: string;
  readonly to: string;
  readonly gibPerMonth: number;
}

/** Inputs of a plan. */
export interface PeeringPlanInput {
  readonly clusters: readonly PlanCluster[];
  /** Pairs that must reach each other; default every pair. */
  readonly pairs?: readonly (readonly [string, string])[];
  /** Measured (gateways' traffic matrix) or expected traffic; default none. */
  readonly traffic?: readonly ExpectedTraffic[];
  readonly overlapMode?: OverlapMode;
  /** Fleets larger than this are considered for hub-and-spoke (default 6 clusters). */
  readonly meshMaxClusters?: number;
  /** The pool global addresses are allocated from (default 242.0.0.0/8, as Globalnet). */
  readonly globalPool?: string;
  /** Size of each cluster's global block (default /16). */
  readonly globalPrefix?: number;
}

/** The whole plan. */
export interface PeeringPlan {
  readonly topology: 'full-mesh' | 'hub-and-spoke';
  /** The transit hub, for hub-and-spoke. */
  readonly hub?: string;
  readonly why: string;
  readonly links: readonly PlannedLink[];
  readonly overlaps: readonly CidrOverlap[];
  /** Clusters that got federation-assigned global ranges, because their ranges clash. */
  readonly globalAddresses: Readonly<Record<string, string>>;
  /** For each required pair, the clusters a packet crosses (direct: [a, b]; via the hub: [a, hub, b]). */
  readonly paths: readonly { readonly a: string; readonly b: string; readonly via: readonly string[] }[];
  /** Per-cluster charges that links share (an Azure VPN gateway serves all of its cluster's tunnels). */
  readonly clusterCosts: readonly {
    readonly cluster: string;
    readonly what: string;
    readonly usdPerMonth: number;
  }[];
  readonly monthlyCost: { readonly fixed: number; readonly traffic: number; readonly total: number };
  /** The other topology's total, when it was costed, so the choice can be checked. */
  readonly alternative?: {
    readonly topology: 'full-mesh' | 'hub-and-spoke';
    readonly hub?: string;
    readonly total: number;
  };
}
