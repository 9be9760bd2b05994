import type { CloudInstance, CloudNetwork } from '../../providers/cloud/types.js';
import type { CloudInstanceGroup, CloudInventoryStatus } from '../resources/cloud-side.js';

/** Sums what discovery found into the MemberCluster's `status.cloud`: capacity by zone, instance types, the network. */
export function summarizeInventory(
  instances: readonly CloudInstance[],
  network: CloudNetwork | undefined,
  now: string,
  apiCalls?: Readonly<Record<string, number>>,
): CloudInventoryStatus {
  const zones: Record<string, { instances: number; vcpus: number; memoryMiB: number }> = {};
  const instanceTypes: Record<string, number> = {};
  const groups = new Map<string, { -readonly [K in keyof CloudInstanceGroup]: CloudInstanceGroup[K] }>();
  for (const i of instances) {
    if (i.state === 'terminated' || i.state === 'stopped') continue;
    const key = `${i.zone}\u0000${i.instanceType}\u0000${i.vcpus}\u0000${i.memoryMiB}`;
    const g = groups.get(key);
    if (g) g.count++;
    else
      groups.set(key, {
        zone: i.zone,
        instanceType: i.instanceType,
        count: 1,
        vcpus: i.vcpus,
        memoryMiB: i.memoryMiB,
      });
    const z = zones[i.zone] ?? { instances: 0, vcpus: 0, memoryMiB: 0 };
    zones[i.zone] = z;
    z.instances++;
    z.vcpus += i.vcpus;
    z.memoryMiB += i.memoryMiB;
    instanceTypes[i.instanceType] = (instanceTypes[i.instanceType] ?? 0) + 1;
  }
  return {
    lastDiscoveryTime: now,
    zones: sortKeys(zones),
    instanceTypes: sortKeys(instanceTypes),
    instances: [...groups.values()].sort(
      (a, b) => cmp(a.zone, b.zone) || cmp(a.instanceType, b.instanceType) || a.vcpus - b.vcpus,
    ),
    ...(network
      ? {
          network: {
            id: network.id,
            name: network.name,
            cidrs: [...network.cidrs],
            subnets: network.subnets.map((s) => ({
              id: s.id,
              cidr: s.cidr,
              ...(s.zone ? { zone: s.zone } : {}),
            })),
          },
        }
      : {}),
    ...(apiCalls ? { apiCalls: sortKeys(apiCalls) } : {}),
  };
}

/** The network most of the cluster's instances are in (ties: the first id in order). */
export function clusterNetworkId(instances: readonly CloudInstance[]): string | undefined {
  const counts = new Map<string, number>();
  for (const i of instances) if (i.networkId) counts.set(i.networkId, (counts.get(i.networkId) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
