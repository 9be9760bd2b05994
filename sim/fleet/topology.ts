/**
 * The default local fleet: seven member clusters with real provider, region and zone names,
 * realistic node shapes per provider, environment/tier labels, one tainted (regulated on-prem)
 * cluster, and non-overlapping VPC/VNet, pod and service CIDRs. The types are what `fedgate up`
 * needs to register each simulated cluster as a MemberCluster.
 */
import type { NodeSpec, Taint } from '../kubernetes/index.js';

/** Where a cluster runs. */
export type Provider = 'aws' | 'gcp' | 'azure' | 'onprem';

/** A cluster's network: its VPC/VNet (node) CIDR, pod CIDR and service CIDR. */
export interface ClusterNetwork {
  /** VPC (AWS/GCP), VNet (Azure) or datacenter network name. */
  vpcName: string;
  vpcCidr: string;
  podCidr: string;
  serviceCidr: string;
}

/** One member cluster of the fleet. */
export interface ClusterTopology {
  name: string;
  provider: Provider;
  region: string;
  /** Primary zone (nodes may spread over more). */
  zone: string;
  labels: Record<string, string>;
  /** Cluster-level taints, for placement (MemberCluster.spec.taints). */
  taints: Taint[];
  network: ClusterNetwork;
  kubernetesVersion: string;
  nodes: NodeSpec[];
}

/** A whole fleet. */
export interface FleetTopology {
  clusters: ClusterTopology[];
}

/** A node shape of a provider's catalogue. */
export interface InstanceShape {
  instanceType: string;
  cpu: number;
  memoryGi: number;
  pods: number;
}

/** Common instance types per provider (capacity as the kubelet reports it). */
export const INSTANCE_SHAPES: Readonly<Record<Provider, readonly InstanceShape[]>> = {
  aws: [
    { instanceType: 'm6i.xlarge', cpu: 4, memoryGi: 16, pods: 58 },
    { instanceType: 'm6i.2xlarge', cpu: 8, memoryGi: 32, pods: 58 },
  ],
  gcp: [
    { instanceType: 'n2-standard-4', cpu: 4, memoryGi: 16, pods: 110 },
    { instanceType: 'n2-standard-8', cpu: 8, memoryGi: 32, pods: 110 },
  ],
  azure: [
    { instanceType: 'Standard_D4s_v5', cpu: 4, memoryGi: 16, pods: 110 },
    { instanceType: 'Standard_D8s_v5', cpu: 8, memoryGi: 32, pods: 110 },
  ],
  onprem: [{ instanceType: 'baremetal-r650', cpu: 32, memoryGi: 128, pods: 110 }],
};

/** Builds a node list: `count` nodes of one shape spread round-robin over zones, with provider IDs. */
export function makeNodes(
  cluster: { name: string; provider: Provider; region: string; index: number },
  shape: InstanceShape,
  zones: readonly string[],
  count: number,
  extra: Partial<NodeSpec> = {},
  offset = 0,
): NodeSpec[] {
  return Array.from({ length: count }, (_, i): NodeSpec => {
    const n = i + offset;
    const zone = zones[n % zones.length] ?? cluster.region;
    const name = `${cluster.name}-${shape.instanceType.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${n}`;
    // Allocatable is capacity minus kube-reserved and system-reserved, roughly as on managed clusters.
    const allocatable = {
      cpu: `${shape.cpu * 1000 - 80}m`,
      memory: `${Math.floor(shape.memoryGi * 1024 * 0.92)}Mi`,
    };
    const providerID =
      cluster.provider === 'aws'
        ? `aws:///${zone}/i-0${(cluster.index * 1000 + n).toString(16).padStart(16, '0')}`
        : cluster.provider === 'gcp'
          ? `gce://fedgate-sim/${zone}/${name}`
          : cluster.provider === 'azure'
            ? `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_${cluster.name}/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1/virtualMachines/${n}`
            : `baremetal://${cluster.name}/${name}`;
    return {
      name,
      cpu: String(shape.cpu),
      memory: `${shape.memoryGi}Gi`,
      pods: shape.pods,
      allocatable,
      instanceType: shape.instanceType,
      region: cluster.region,
      zone,
      providerID,
      internalIP: `10.${cluster.index * 10}.${Math.floor(n / 250)}.${(n % 250) + 10}`,
      ...extra,
    };
  });
}

/** Non-overlapping CIDRs for the cluster with this index (1-based, up to 24 clusters). */
export function networkFor(index: number, vpcName: string): ClusterNetwork {
  return {
    vpcName,
    vpcCidr: `10.${index * 10}.0.0/16`,
    podCidr: `10.${100 + index * 5}.0.0/16`,
    serviceCidr: `172.${16 + index}.0.0/16`,
  };
}

const VERSION = 'v1.32.2';
const REGULATED: Taint = { key: 'dedicated', value: 'regulated', effect: 'NoSchedule' };

function cluster(
  index: number,
  name: string,
  provider: Provider,
  region: string,
  zones: string[],
  labels: Record<string, string>,
  nodes: (c: { name: string; provider: Provider; region: string; index: number }) => NodeSpec[],
  vpcName: string,
  taints: Taint[] = [],
): ClusterTopology {
  const base = { name, provider, region, index };
  return {
    name,
    provider,
    region,
    zone: zones[0] ?? region,
    labels: { provider, region, ...labels },
    taints,
    network: networkFor(index, vpcName),
    kubernetesVersion: VERSION,
    nodes: nodes(base),
  };
}

const [M6I_XL, M6I_2XL] = INSTANCE_SHAPES.aws as [InstanceShape, InstanceShape];
const [N2_4, N2_8] = INSTANCE_SHAPES.gcp as [InstanceShape, InstanceShape];
const [D4, D8] = INSTANCE_SHAPES.azure as [InstanceShape, InstanceShape];
const [METAL] = INSTANCE_SHAPES.onprem as [InstanceShape];

/** The default local fleet. */
export const DEFAULT_FLEET: FleetTopology = {
  clusters: [
    cluster(
      1,
      'onprem-dc1',
      'onprem',
      'onprem-fra',
      ['onprem-fra-dc1-a', 'onprem-fra-dc1-b'],
      { environment: 'production', tier: 'regulated', datacenter: 'dc1', residency: 'eu' },
      (c) => [
        ...makeNodes(c, METAL, ['onprem-fra-dc1-a', 'onprem-fra-dc1-b'], 2, {
          labels: { datacenter: 'dc1' },
        }),
        ...makeNodes(
          c,
          METAL,
          ['onprem-fra-dc1-a'],
          1,
          { labels: { datacenter: 'dc1', dedicated: 'regulated' }, taints: [REGULATED] },
          2,
        ),
      ],
      'dc1-core',
      [REGULATED],
    ),
    cluster(
      2,
      'aws-us-east-1',
      'aws',
      'us-east-1',
      ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      { environment: 'production', tier: 'general', residency: 'us' },
      (c) => makeNodes(c, M6I_XL, ['us-east-1a', 'us-east-1b', 'us-east-1c'], 3),
      'vpc-fedgate-use1',
    ),
    cluster(
      3,
      'aws-eu-west-1',
      'aws',
      'eu-west-1',
      ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      { environment: 'production', tier: 'general', residency: 'eu' },
      (c) => makeNodes(c, M6I_2XL, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], 3),
      'vpc-fedgate-euw1',
    ),
    cluster(
      4,
      'gcp-europe-west1',
      'gcp',
      'europe-west1',
      ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
      { environment: 'production', tier: 'general', residency: 'eu' },
      (c) => makeNodes(c, N2_4, ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'], 3),
      'fedgate-euw1',
    ),
    cluster(
      5,
      'gcp-us-central1',
      'gcp',
      'us-central1',
      ['us-central1-a', 'us-central1-b', 'us-central1-f'],
      { environment: 'staging', tier: 'batch', residency: 'us' },
      (c) => makeNodes(c, N2_8, ['us-central1-a', 'us-central1-b', 'us-central1-f'], 2),
      'fedgate-usc1',
    ),
    cluster(
      6,
      'azure-westeurope',
      'azure',
      'westeurope',
      ['westeurope-1', 'westeurope-2', 'westeurope-3'],
      { environment: 'production', tier: 'general', residency: 'eu' },
      (c) => makeNodes(c, D4, ['westeurope-1', 'westeurope-2', 'westeurope-3'], 3),
      'vnet-fedgate-weu',
    ),
    cluster(
      7,
      'azure-eastus',
      'azure',
      'eastus',
      ['eastus-1', 'eastus-2', 'eastus-3'],
      { environment: 'staging', tier: 'general', residency: 'us' },
      (c) => makeNodes(c, D8, ['eastus-1', 'eastus-2'], 2),
      'vnet-fedgate-eus',
    ),
  ],
};
