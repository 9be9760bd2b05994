/**
 * Synthetic fleets of any size for benchmarks: clusters cycle through providers and real regions,
 * each with a few nodes of a realistic shape and non-overlapping networks.
 */
import type { ClusterTopology, FleetTopology, Provider } from './topology.js';
import { INSTANCE_SHAPES, makeNodes } from './topology.js';

const REGIONS: readonly { provider: Provider; region: string; zones: string[]; residency: string }[] = [
  {
    provider: 'aws',
    region: 'us-east-1',
    zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    residency: 'us',
  },
  {
    provider: 'gcp',
    region: 'europe-west1',
    zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
    residency: 'eu',
  },
  {
    provider: 'azure',
    region: 'westeurope',
    zones: ['westeurope-1', 'westeurope-2', 'westeurope-3'],
    residency: 'eu',
  },
  {
    provider: 'aws',
    region: 'eu-central-1',
    zones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
    residency: 'eu',
  },
  {
    provider: 'gcp',
    region: 'us-central1',
    zones: ['us-central1-a', 'us-central1-b', 'us-central1-f'],
    residency: 'us',
  },
  { provider: 'azure', region: 'eastus', zones: ['eastus-1', 'eastus-2', 'eastus-3'], residency: 'us' },
  {
    provider: 'aws',
    region: 'ap-southeast-1',
    zones: ['ap-southeast-1a', 'ap-southeast-1b'],
    residency: 'apac',
  },
  {
    provider: 'gcp',
    region: 'asia-northeast1',
    zones: ['asia-northeast1-a', 'asia-northeast1-b'],
    residency: 'apac',
  },
  { provider: 'onprem', region: 'onprem-fra', zones: ['onprem-fra-dc2-a'], residency: 'eu' },
];

/** Options for synthetic fleets. */
export interface SyntheticFleetOptions {
  /** Nodes per cluster (default 3). */
  nodesPerCluster?: number;
  /** Name prefix (default 'sim'). */
  prefix?: string;
}

/** A fleet of `count` clusters named `<prefix>-<provider>-<region>-<n>` (at most 240 clusters). */
export function syntheticFleet(count: number, options: SyntheticFleetOptions = {}): FleetTopology {
  if (count > 240)
    throw new RangeError('syntheticFleet supports at most 240 clusters (non-overlapping /16 networks)');
  const nodesPerCluster = options.nodesPerCluster ?? 3;
  const prefix = options.prefix ?? 'sim';
  const clusters = Array.from({ length: count }, (_, i): ClusterTopology => {
    const where = REGIONS[i % REGIONS.length] ?? {
      provider: 'aws' as const,
      region: 'us-east-1',
      zones: ['us-east-1a'],
      residency: 'us',
    };
    const name = `${prefix}-${where.provider}-${where.region}-${i + 1}`;
    const index = i + 1;
    const shape = INSTANCE_SHAPES[where.provider][0] ?? {
      instanceType: 'generic',
      cpu: 4,
      memoryGi: 16,
      pods: 110,
    };
    // Indices beyond 24 wrap the second octet into a third-octet block, keeping ranges disjoint.
    const octet = index % 24;
    const block = Math.floor(index / 24);
    return {
      name,
      provider: where.provider,
      region: where.region,
      zone: where.zones[0] ?? where.region,
      labels: {
        provider: where.provider,
        region: where.region,
        environment: i % 3 === 2 ? 'staging' : 'production',
        residency: where.residency,
      },
      taints: [],
      network: {
        vpcName: `${name}-net`,
        vpcCidr: `10.${octet * 10}.${block * 16}.0/20`,
        podCidr: `100.${64 + octet}.${block * 16}.0/20`,
        serviceCidr: `172.${16 + Math.floor(index / 16)}.${(index % 16) * 16}.0/20`,
      },
      kubernetesVersion: 'v1.32.2',
      nodes: makeNodes(
        { name, provider: where.provider, region: where.region, index: octet },
        shape,
        where.zones,
        nodesPerCluster,
      ).map((n, j) => ({
        ...n,
        internalIP: `10.${octet * 10}.${block * 16 + Math.floor(j / 250)}.${(j % 250) + 10}`,
      })),
    };
  });
  return { clusters };
}
