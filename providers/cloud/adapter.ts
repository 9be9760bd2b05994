import type {
  CloudInstance,
  CloudNetwork,
  CloudProviderName,
  CloudRegion,
  CloudRoute,
  CloudScope,
  CloudSnapshot,
  CloudVolume,
  ClusterNodeSelector,
  NetworkPeering,
  NetworkRef,
  PeerGateway,
  RouteTarget,
  VpnConnection,
  VpnGateway,
} from './types.js';

/**
 * Options every adapter call takes. Calls are idempotent from the caller's view: a create names its
 * object (and passes the provider's idempotency token: AWS ClientToken, GCP requestId, Azure PUT by
 * name), so repeating it after a crash or a timeout finds what the first one made.
 */
export interface CallOptions {
  /** Cancels the call and any polling it does; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Options of a call that waits out a long-running operation. */
export interface WaitOptions extends CallOptions {
  /** Give up waiting after this long (the operation may still complete); default per adapter. */
  readonly timeoutMs?: number;
  /** Hears progress while waiting (0–100 where the provider reports it). */
  readonly onProgress?: (progress: { readonly percent?: number; readonly state: string }) => void;
}

/** Regions, networks and the instances behind a cluster's nodes. */
export interface InventoryCapability {
  listRegions(opts?: CallOptions): Promise<CloudRegion[]>;
  /** Networks of the adapter's scope, with their subnets. */
  listNetworks(opts?: CallOptions): Promise<CloudNetwork[]>;
  /** One network by id; ProviderError NotFound when absent. */
  getNetwork(networkId: string, opts?: CallOptions): Promise<CloudNetwork>;
  /** The instances tagged/labelled as the nodes of this managed cluster (EKS, GKE, AKS tags). */
  listClusterInstances(selector: ClusterNodeSelector, opts?: CallOptions): Promise<CloudInstance[]>;
}

/** Native peering request between two networks (`local` is in the adapter's scope). */
export interface PeeringSpec {
  /** Names the peering (Name tag, GCP peering name, Azure child resource name): the idempotency key. */
  readonly name: string;
  readonly localNetworkId: string;
  readonly remote: NetworkRef;
}

/** A VPN gateway to create if absent. */
export interface VpnGatewaySpec {
  readonly name: string;
  readonly networkId: string;
  /** Cloud-side BGP ASN; adapters pick a private one when absent. */
  readonly asn?: number;
}

/** The far end of tunnels, to register with the cloud. */
export interface PeerGatewaySpec {
  readonly name: string;
  /** One or two public addresses (HA pairs give two). */
  readonly publicIps: readonly string[];
  readonly asn?: number;
  /** Prefixes behind the peer, for static routing. */
  readonly cidrs: readonly string[];
}

/** A site-to-site connection; tunnel keys come from the caller (generated with a CSPRNG, stored encrypted). */
export interface VpnConnectionSpec {
  readonly name: string;
  readonly gatewayId: string;
  readonly peerGatewayId: string;
  /**
   * One entry per tunnel (AWS makes two; GCP HA VPN wants two, or four to AWS; Azure one per
   * connection). `insideCidr` is the tunnel's /30 in 169.254.0.0/16 for BGP; this end takes its
   * first host address and the far end the second, unless `peerTakesFirstAddress` (the far end is
   * AWS, whose side of a tunnel is always the first address).
   */
  readonly tunnels: readonly {
    readonly sharedKey: string;
    readonly insideCidr?: string;
    readonly peerTakesFirstAddress?: boolean;
  }[];
  /** Use BGP (Cloud Router on GCP) rather than static routes. */
  readonly bgp: boolean;
  /** With static routing: the remote prefixes. */
  readonly staticRoutes?: readonly string[];
}

/** A route to add if absent (keyed by network/table and destination). */
export interface RouteSpec {
  readonly networkId: string;
  readonly routeTableId?: string;
  readonly destinationCidr: string;
  readonly target: RouteTarget;
  /** GCP and Azure routes have names; AWS ignores it. */
  readonly name?: string;
}

/** What peering needs of a cloud network: native peering, site-to-site VPN, routes. */
export interface NetworkCapability {
  /** Requests a peering from the local network to the remote one (create if absent by name). */
  ensurePeering(spec: PeeringSpec, opts?: WaitOptions): Promise<NetworkPeering>;
  /**
   * Completes the peering on the remote side, called on the adapter of the remote scope: AWS
   * accepts the pending request; GCP and Azure create the reverse peering (they need both halves).
   * `spec` is seen from the accepting side: `localNetworkId` is this scope's network (the accepter),
   * `remote` the requester's; `name` is the name the requester gave. Idempotent (accepting an active
   * peering returns it).
   */
  acceptPeering(spec: PeeringSpec, opts?: WaitOptions): Promise<NetworkPeering>;
  describePeering(
    name: string,
    localNetworkId: string,
    opts?: CallOptions,
  ): Promise<NetworkPeering | undefined>;
  /** Deletes it; succeeds when it is already gone. */
  deletePeering(name: string, localNetworkId: string, opts?: WaitOptions): Promise<void>;

  ensureVpnGateway(spec: VpnGatewaySpec, opts?: WaitOptions): Promise<VpnGateway>;
  describeVpnGateway(name: string, opts?: CallOptions): Promise<VpnGateway | undefined>;
  deleteVpnGateway(name: string, opts?: WaitOptions): Promise<void>;

  ensurePeerGateway(spec: PeerGatewaySpec, opts?: WaitOptions): Promise<PeerGateway>;
  describePeerGateway(name: string, opts?: CallOptions): Promise<PeerGateway | undefined>;
  deletePeerGateway(name: string, opts?: WaitOptions): Promise<void>;

  ensureVpnConnection(spec: VpnConnectionSpec, opts?: WaitOptions): Promise<VpnConnection>;
  /** The connection with current tunnel telemetry. */
  describeVpnConnection(name: string, opts?: CallOptions): Promise<VpnConnection | undefined>;
  deleteVpnConnection(name: string, opts?: WaitOptions): Promise<void>;

  listRoutes(networkId: string, opts?: CallOptions): Promise<CloudRoute[]>;
  ensureRoute(spec: RouteSpec, opts?: WaitOptions): Promise<CloudRoute>;
  deleteRoute(spec: RouteSpec, opts?: WaitOptions): Promise<void>;
}

/** A snapshot to take if absent (by name/tag). */
export interface SnapshotSpec {
  readonly name: string;
  readonly volumeId: string;
  /** Zonal volumes name their zone (GCE disks, EBS through the volume). */
  readonly zone?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** A copy of a snapshot into another region. */
export interface SnapshotCopySpec {
  readonly name: string;
  readonly sourceSnapshotId: string;
  readonly sourceRegion: string;
  /** The target region: the adapter's own scope region is where the copy lands on AWS and Azure. */
  readonly targetRegion: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** A volume made from a snapshot. */
export interface VolumeFromSnapshotSpec {
  readonly name: string;
  readonly snapshotId: string;
  readonly zone: string;
  readonly sizeGiB?: number;
}

/** Volume snapshots: create, copy across regions, progress, delete, restore. */
export interface StorageCapability {
  /**
   * False when snapshots cannot be copied to another region (CSI snapshots stay in their cluster):
   * copySnapshot then refuses with `Invalid`. Absent means copies are supported.
   */
  readonly crossRegionCopy?: false;
  createSnapshot(spec: SnapshotSpec, opts?: CallOptions): Promise<CloudSnapshot>;
  copySnapshot(spec: SnapshotCopySpec, opts?: CallOptions): Promise<CloudSnapshot>;
  describeSnapshot(idOrName: string, opts?: CallOptions): Promise<CloudSnapshot | undefined>;
  /** Polls until completed (resolves) or failed (rejects with the provider's reason). */
  waitForSnapshot(idOrName: string, opts?: WaitOptions): Promise<CloudSnapshot>;
  deleteSnapshot(idOrName: string, opts?: WaitOptions): Promise<void>;
  createVolumeFromSnapshot(spec: VolumeFromSnapshotSpec, opts?: WaitOptions): Promise<CloudVolume>;
  deleteVolume(idOrName: string, opts?: WaitOptions): Promise<void>;
}

/**
 * One provider's adapter for one scope (account + region). It declares the capability groups it
 * has; callers check for a group before using it.
 */
export interface CloudAdapter {
  readonly provider: CloudProviderName;
  readonly scope: CloudScope;
  readonly inventory?: InventoryCapability;
  readonly network?: NetworkCapability;
  readonly storage?: StorageCapability;
  /** Cloud API calls made so far, by operation name (`DescribeVpcs`, `networks.list`), for benches and tests. */
  callCounts(): Readonly<Record<string, number>>;
  /** Releases connections and agents. */
  close(): Promise<void>;
}
