/**
 * The simulated EC2 resources. Every resource belongs to one account and one region; states that
 * change with time (pending → available, snapshot progress) are derived from the time the change
 * began and how long it takes (see lifecycle.ts), so reading them is what moves them on.
 */

/** Fields every resource has. */
export interface Owned {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly tags: Map<string, string>;
  readonly createdAt: number;
}

/** A change that completes `durationMs` after `startedAt`, or fails with `failReason`. */
export interface Transition {
  startedAt: number;
  durationMs: number;
  failReason?: string;
}

export interface Vpc extends Owned {
  readonly cidr: string;
  readonly isDefault: boolean;
}

export interface Subnet extends Owned {
  readonly vpcId: string;
  readonly cidr: string;
  readonly zone: string;
}

export interface Instance extends Owned {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly zone: string;
  readonly instanceType: string;
  readonly privateIp: string;
  readonly reservationId: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
}

export interface Route {
  readonly destinationCidr: string;
  readonly gatewayId?: string;
  readonly vpcPeeringConnectionId?: string;
  readonly instanceId?: string;
  readonly origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface RouteTable extends Owned {
  readonly vpcId: string;
  readonly main: boolean;
  readonly routes: Route[];
}

/** One side of a VPC peering. */
export interface PeeringSide {
  readonly account: string;
  readonly region: string;
  readonly vpcId: string;
  readonly cidr?: string;
}

export interface Peering extends Owned {
  readonly requester: PeeringSide;
  readonly accepter: PeeringSide;
  /** `pending-acceptance` until accepted; then provisioning → active (or failed) along `accept`. */
  status: 'pending-acceptance' | 'provisioning' | 'active' | 'failed' | 'rejected' | 'deleted';
  message: string;
  accept?: Transition;
  readonly expiresAt: number;
}

export interface VpnGateway extends Owned {
  readonly asn: number;
  readonly type: 'ipsec.1';
  readonly create: Transition;
  deleted: boolean;
  attachments: {
    vpcId: string;
    state: 'attaching' | 'attached' | 'detaching' | 'detached';
    change: Transition;
  }[];
}

export interface CustomerGateway extends Owned {
  readonly ipAddress: string;
  readonly asn: number;
  deleted: boolean;
}

export interface VpnTunnel {
  readonly outsideIp: string;
  readonly presharedKey: string;
  readonly insideCidr: string;
}

export interface VpnConnection extends Owned {
  readonly customerGatewayId: string;
  readonly vpnGatewayId: string;
  readonly staticRoutesOnly: boolean;
  readonly tunnels: VpnTunnel[];
  readonly create: Transition;
  deleting?: Transition;
  routes: { cidr: string; state: 'pending' | 'available' | 'deleted' }[];
}

export interface Volume extends Owned {
  readonly zone: string;
  readonly sizeGiB: number;
  readonly volumeType: string;
  readonly snapshotId?: string;
  readonly create: Transition;
  deleted: boolean;
}

export interface Snapshot extends Owned {
  readonly volumeId: string;
  readonly sizeGiB: number;
  readonly description: string;
  readonly create: Transition;
  readonly sourceSnapshotId?: string;
  readonly sourceRegion?: string;
  deleted: boolean;
}

/** One instance type's shape, as DescribeInstanceTypes reports it. */
export interface InstanceTypeInfo {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly architecture: 'x86_64' | 'arm64';
}

/** Instance types the simulator knows (vCPU and memory as AWS publishes them). */
export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = [
  { name: 't3.medium', vcpus: 2, memoryMiB: 4096, architecture: 'x86_64' },
  { name: 't3.large', vcpus: 2, memoryMiB: 8192, architecture: 'x86_64' },
  { name: 'm5.large', vcpus: 2, memoryMiB: 8192, architecture: 'x86_64' },
  { name: 'm5.xlarge', vcpus: 4, memoryMiB: 16384, architecture: 'x86_64' },
  { name: 'm5.2xlarge', vcpus: 8, memoryMiB: 32768, architecture: 'x86_64' },
  { name: 'm6i.large', vcpus: 2, memoryMiB: 8192, architecture: 'x86_64' },
  { name: 'm6i.xlarge', vcpus: 4, memoryMiB: 16384, architecture: 'x86_64' },
  { name: 'm6i.2xlarge', vcpus: 8, memoryMiB: 32768, architecture: 'x86_64' },
  { name: 'm6g.xlarge', vcpus: 4, memoryMiB: 16384, architecture: 'arm64' },
  { name: 'c5.2xlarge', vcpus: 8, memoryMiB: 16384, architecture: 'x86_64' },
  { name: 'r5.xlarge', vcpus: 4, memoryMiB: 32768, architecture: 'x86_64' },
];

/** Regions the simulator serves and their zone letters. */
export const REGIONS: readonly { readonly name: string; readonly zones: readonly string[] }[] = [
  { name: 'us-east-1', zones: ['a', 'b', 'c', 'd', 'f'] },
  { name: 'us-west-2', zones: ['a', 'b', 'c', 'd'] },
  { name: 'eu-west-1', zones: ['a', 'b', 'c'] },
  { name: 'eu-central-1', zones: ['a', 'b', 'c'] },
  { name: 'ap-southeast-1', zones: ['a', 'b', 'c'] },
];
