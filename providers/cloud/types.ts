/**
 * Provider-neutral shapes of what the cloud adapters discover and manage. Each adapter maps its
 * SDK's objects to these at its boundary; nothing above `providers/` sees an SDK type.
 */

import type { Provider } from '../../placement/model/types.js';

/** A provider fedgate has adapters for (the product's one Provider type). */
export type CloudProviderName = Provider;

/** Where a cloud-side object lives: the account and the region it is scoped to. */
export interface CloudScope {
  /** AWS account id, GCP project id, Azure subscription id, or the on-prem site name. */
  readonly account: string;
  /** Azure only: the resource group. */
  readonly resourceGroup?: string;
  /** The region (`eu-west-1`, `europe-west1`, `westeurope`). Global GCP objects still name a region. */
  readonly region: string;
}

/** A region and its zones. */
export interface CloudRegion {
  readonly name: string;
  readonly zones: readonly string[];
}

/** A subnet of a network. */
export interface CloudSubnet {
  readonly id: string;
  readonly name: string;
  readonly cidr: string;
  /** The region the subnet is in (GCP subnets are regional, Azure's follow their VNet). */
  readonly region: string;
  /** AWS subnets are zonal. */
  readonly zone?: string;
}

/** A VPC (AWS), VPC network (GCP) or VNet (Azure), or a declared on-prem network. */
export interface CloudNetwork {
  /** The provider's id: `vpc-…`, the network's selfLink or numeric id, the VNet's ARM id. */
  readonly id: string;
  readonly name: string;
  /** AWS VPCs and Azure VNets are regional; GCP networks are global (region undefined). */
  readonly region?: string;
  /** Address spaces (VPC CIDR blocks, VNet address prefixes; for GCP the union of its subnets). */
  readonly cidrs: readonly string[];
  readonly subnets: readonly CloudSubnet[];
  readonly tags: Readonly<Record<string, string>>;
}

/** How the nodes of a Kubernetes cluster are found among the provider's instances. */
export interface ClusterNodeSelector {
  /** The managed cluster's name (EKS, GKE or AKS), as the provider tags its nodes with it. */
  readonly clusterName: string;
  /** Azure: the node resource group (`MC_…`), when not the default derived from the cluster. */
  readonly nodeResourceGroup?: string;
}

/** One cloud instance backing a Kubernetes node. */
export interface CloudInstance {
  readonly id: string;
  readonly name: string;
  readonly zone: string;
  /** `m5.xlarge`, `e2-standard-4`, `Standard_D4s_v5`. */
  readonly instanceType: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly state: 'pending' | 'running' | 'stopping' | 'stopped' | 'terminated' | 'unknown';
  readonly privateIp?: string;
  readonly networkId?: string;
  readonly subnetId?: string;
  /** Set for Azure scale-set VMs and GKE/EKS node groups where the provider says. */
  readonly nodePool?: string;
}

/** A reference to a network of this or another account/region (the other side of a peering). */
export interface NetworkRef {
  readonly scope: CloudScope;
  /** The network's provider id (as in CloudNetwork.id). */
  readonly networkId: string;
}

/** The state of a native peering between two networks. */
export type PeeringState =
  | 'pending-acceptance'
  | 'provisioning'
  | 'active'
  | 'failed'
  | 'deleting'
  | 'deleted';

/** A native network peering, seen from one side. */
export interface NetworkPeering {
  readonly id: string;
  readonly name: string;
  readonly state: PeeringState;
  readonly local: NetworkRef;
  readonly remote: NetworkRef;
  /** The provider's own status words (`pending-acceptance`, `ACTIVE`, `Connected`), for display. */
  readonly providerState: string;
  readonly message?: string;
}

/** A cloud VPN gateway terminating IPsec tunnels (AWS VGW/TGW, GCP HA VPN gateway, Azure VNet gateway). */
export interface VpnGateway {
  readonly id: string;
  readonly name: string;
  readonly state: 'pending' | 'available' | 'failed' | 'deleting' | 'deleted';
  /** Public addresses tunnels terminate on (empty while pending on some providers). */
  readonly publicIps: readonly string[];
  /** BGP ASN of the cloud side. */
  readonly asn?: number;
  readonly networkId?: string;
  /**
   * The link-local ranges its BGP sessions use now, by interface name (GCP: the Cloud Router's
   * interfaces, one /30 per tunnel). A new tunnel's inside range must not overlap them.
   */
  readonly bgpRanges?: readonly { readonly name: string; readonly range: string }[];
}

/** The far end of a tunnel as the cloud knows it (customer gateway, external VPN gateway, local network gateway). */
export interface PeerGateway {
  readonly id: string;
  readonly name: string;
  readonly publicIps: readonly string[];
  readonly asn?: number;
  /** Prefixes behind it, for static routing (Azure local network gateways, AWS static VPN routes). */
  readonly cidrs: readonly string[];
}

/** One IPsec tunnel of a VPN connection and its telemetry. */
export interface VpnTunnel {
  readonly outsideIp: string;
  readonly status: 'up' | 'down' | 'unknown';
  /** The provider's status words and detail (`UP`, `ESTABLISHED`, `Connected`). */
  readonly statusMessage?: string;
  readonly lastStatusChange?: string;
  /** Bytes through the tunnel when the provider reports them (Azure does; AWS reports accepted routes). */
  readonly ingressBytes?: number;
  readonly egressBytes?: number;
}

/** A site-to-site VPN connection between a cloud VPN gateway and a peer gateway. */
export interface VpnConnection {
  readonly id: string;
  readonly name: string;
  readonly state: 'pending' | 'available' | 'failed' | 'deleting' | 'deleted';
  readonly gatewayId: string;
  readonly peerGatewayId: string;
  readonly tunnels: readonly VpnTunnel[];
  readonly providerState: string;
  readonly message?: string;
}

/** Where a route sends traffic. */
export interface RouteTarget {
  readonly kind: 'peering' | 'vpn-gateway' | 'vpn-connection' | 'transit-gateway' | 'instance';
  readonly id: string;
}

/** A route in a network's route table. */
export interface CloudRoute {
  /** Route table id (AWS `rtb-…`, Azure route table ARM id); GCP routes belong to the network. */
  readonly routeTableId?: string;
  readonly networkId: string;
  readonly destinationCidr: string;
  readonly target: RouteTarget;
  readonly state: 'active' | 'blackhole' | 'pending';
  /** The provider's name for it (GCP route name, Azure route name); AWS routes are keyed by destination. */
  readonly name?: string;
}

/** A point-in-time copy of a volume. */
export interface CloudSnapshot {
  readonly id: string;
  readonly name: string;
  readonly state: 'pending' | 'completed' | 'failed' | 'deleting';
  /** 0–100. */
  readonly progressPercent: number;
  readonly sizeGiB: number;
  readonly region: string;
  readonly sourceVolumeId?: string;
  /** For copies: the snapshot this was copied from. */
  readonly sourceSnapshotId?: string;
  readonly createdAt?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly message?: string;
}

/** A block volume (EBS volume, persistent disk, managed disk). */
export interface CloudVolume {
  readonly id: string;
  readonly name: string;
  readonly state: 'creating' | 'available' | 'in-use' | 'failed' | 'deleting';
  readonly sizeGiB: number;
  readonly zone?: string;
  readonly region: string;
  readonly sourceSnapshotId?: string;
}
