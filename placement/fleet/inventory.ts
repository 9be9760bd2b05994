/**
 * What a cluster's cloud inventory (the instances behind its nodes) tells the scheduler, beyond
 * its price. The rule, for a cluster whose snapshot has `instances`:
 *
 * - Totals: the instances' vCPUs and memory summed are the most the cluster can ever offer.
 * - The Kubernetes probe is authoritative for what is in use and free. Where it reports
 *   `allocatable`, the cluster's allocatable is the smaller of that and the instance totals, and
 *   its free room is the probe's `available`, but never more than the instance totals less what
 *   the probe says is used (allocatable − available). Kubelets reserve part of each node, so a
 *   healthy probe always reports less than the instances have and nothing changes; the cap bites
 *   when the probe over-reports (nodes that are not the cloud's instances, a stale figure).
 *   Inventory is refreshed whenever the MemberCluster changes and every 10 minutes, so a cluster
 *   that just grew is held to its previous size until then: the cautious side of being wrong.
 * - Where the probe reports no capacity (never probed, or a simulated fleet given without
 *   status), the instance totals are its allocatable and available; pod slots stay unlimited.
 * - Zones: a cluster without a declared zone whose instances are all in one zone is in that zone
 *   (for `zones` affinity and spread by zone). A cluster spread over several zones has no single
 *   zone: spreading by zone needs clusters that each sit in one.
 */
import type { InstanceCount } from '../model-types.js';
import type { ClusterSnapshot, ResourceAmounts } from '../types.js';

const MIB = 1024 * 1024;

/** Capacity of one zone of a cluster, from its instances. */
export interface ZoneCapacity {
  readonly zone: string;
  readonly instances: number;
  readonly cpuMilli: number;
  readonly memoryBytes: number;
}

/** What the inventory of one cluster gives the scheduler. */
export interface InventoryFacts {
  /** Zones with instances, by name. */
  readonly zones: readonly ZoneCapacity[];
  /** The instances summed over every zone. */
  readonly total: { readonly cpuMilli: number; readonly memoryBytes: number; readonly instances: number };
  /** The mix by instance type, for the cost model. */
  readonly mix: readonly InstanceCount[];
}

/** Sums a cluster's instance groups by zone and by type; undefined when it has none running. */
export function inventoryFacts(c: ClusterSnapshot): InventoryFacts | undefined {
  const groups = c.instances;
  if (groups === undefined || groups.length === 0) return undefined;
  const zones = new Map<string, { zone: string; instances: number; cpuMilli: number; memoryBytes: number }>();
  const types = new Map<string, { instanceType: string; count: number; vcpus: number; memoryGiB: number }>();
  let cpuMilli = 0;
  let memoryBytes = 0;
  let instances = 0;
  for (const g of groups) {
    if (!(g.count > 0)) continue;
    const cpu = g.count * g.vcpus * 1000;
    const mem = g.count * g.memoryMiB * MIB;
    const z = zones.get(g.zone) ?? { zone: g.zone, instances: 0, cpuMilli: 0, memoryBytes: 0 };
    z.instances += g.count;
    z.cpuMilli += cpu;
    z.memoryBytes += mem;
    zones.set(g.zone, z);
    // One entry per (type, shape): a type is one shape, but the inventory is what the cloud said.
    const key = `${g.instanceType}/${g.vcpus}/${g.memoryMiB}`;
    const t = types.get(key);
    if (t === undefined)
      types.set(key, {
        instanceType: g.instanceType,
        count: g.count,
        vcpus: g.vcpus,
        memoryGiB: g.memoryMiB / 1024,
      });
    else t.count += g.count;
    cpuMilli += cpu;
    memoryBytes += mem;
    instances += g.count;
  }
  if (instances === 0) return undefined;
  return {
    zones: [...zones.values()].sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0)),
    total: { cpuMilli, memoryBytes, instances },
    mix: [...types.values()],
  };
}

/** The cluster's allocatable and available under the rule above. */
export function capacityWithInventory(
  c: ClusterSnapshot,
  inv: InventoryFacts,
): { allocatable: ResourceAmounts; available: ResourceAmounts } {
  const total = inv.total;
  const alloc = c.allocatable;
  const avail = c.available;
  if (alloc === undefined) {
    const pods = avail?.pods ?? Number.POSITIVE_INFINITY;
    const allocatable = { cpuMilli: total.cpuMilli, memoryBytes: total.memoryBytes, pods };
    if (avail === undefined) return { allocatable, available: { ...allocatable } };
    return {
      allocatable,
      available: {
        cpuMilli: Math.min(avail.cpuMilli, total.cpuMilli),
        memoryBytes: Math.min(avail.memoryBytes, total.memoryBytes),
        pods: avail.pods,
      },
    };
  }
  const allocatable = {
    cpuMilli: Math.min(alloc.cpuMilli, total.cpuMilli),
    memoryBytes: Math.min(alloc.memoryBytes, total.memoryBytes),
    pods: alloc.pods,
  };
  if (avail === undefined) return { allocatable, available: { ...allocatable } };
  return {
    allocatable,
    available: {
      cpuMilli: Math.min(avail.cpuMilli, total.cpuMilli - (alloc.cpuMilli - avail.cpuMilli)),
      memoryBytes: Math.min(avail.memoryBytes, total.memoryBytes - (alloc.memoryBytes - avail.memoryBytes)),
      pods: avail.pods,
    },
  };
}
