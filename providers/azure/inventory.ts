/**
 * Azure inventory: regions and zones (resource SKUs), VNets with subnets, and an AKS cluster's
 * nodes as scale-set VMs in its node resource group (`MC_<rg>_<cluster>_<region>`, pools tagged
 * `aks-managed-poolName`), sized from the region's VM sizes.
 */
import type { ComputeManagementClient, VirtualMachineScaleSetVM } from '@azure/arm-compute';
import type { NetworkManagementClient, VirtualNetwork } from '@azure/arm-network';
import type { CallOptions, InventoryCapability } from '../cloud/adapter.js';
import { inParallel } from '../cloud/parallel.js';
import type {
  CloudInstance,
  CloudNetwork,
  CloudRegion,
  CloudScope,
  ClusterNodeSelector,
} from '../cloud/types.js';
import { isProviderError } from '../provider-error.js';
import type { AzureCalls } from './calls.js';
import { kubeZone, requireGroup, resolveName } from './ids.js';

const POOL_TAG = 'aks-managed-poolName';

/** Collects an SDK list (it follows nextLink itself). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Maps an SDK VNet to the provider-neutral network. */
export function toCloudNetwork(v: VirtualNetwork): CloudNetwork {
  const region = v.location?.replace(/\s+/g, '').toLowerCase();
  return {
    id: v.id ?? '',
    name: v.name ?? '',
    ...(region ? { region } : {}),
    cidrs: v.addressSpace?.addressPrefixes ?? [],
    subnets: (v.subnets ?? []).map((s) => ({
      id: s.id ?? '',
      name: s.name ?? '',
      cidr: s.addressPrefix ?? s.addressPrefixes?.[0] ?? '',
      region: region ?? '',
    })),
    tags: { ...v.tags },
  };
}

function powerState(vm: VirtualMachineScaleSetVM): CloudInstance['state'] {
  const code = vm.instanceView?.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code;
  switch (code) {
    case 'PowerState/running':
      return 'running';
    case 'PowerState/starting':
      return 'pending';
    case 'PowerState/stopping':
    case 'PowerState/deallocating':
      return 'stopping';
    case 'PowerState/stopped':
    case 'PowerState/deallocated':
      return 'stopped';
    default:
      return vm.provisioningState === 'Deleting' ? 'terminated' : 'unknown';
  }
}

/** The inventory capability of one adapter. */
export function azureInventory(
  scope: CloudScope,
  clients: { readonly network: NetworkManagementClient; readonly compute: ComputeManagementClient },
  calls: AzureCalls,
): InventoryCapability {
  const { network, compute } = clients;
  return {
    async listRegions(opts?: CallOptions): Promise<CloudRegion[]> {
      const skus = await calls.call('resourceSkus.list', (o) => collect(compute.resourceSkus.list(o)), opts);
      const zones = new Map<string, Set<string>>();
      for (const sku of skus) {
        if (sku.resourceType !== 'virtualMachines') continue;
        for (const info of sku.locationInfo ?? []) {
          const loc = info.location?.toLowerCase();
          if (!loc) continue;
          const set = zones.get(loc) ?? new Set<string>();
          for (const z of info.zones ?? []) set.add(`${loc}-${z}`);
          zones.set(loc, set);
        }
      }
      return [...zones.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, z]) => ({ name, zones: [...z].sort() }));
    },

    async listNetworks(opts?: CallOptions): Promise<CloudNetwork[]> {
      const rg = requireGroup(scope);
      const vnets = await calls.call(
        'virtualNetworks.list',
        (o) => collect(network.virtualNetworks.list(rg, o)),
        opts,
      );
      return vnets.map(toCloudNetwork);
    },

    async getNetwork(networkId: string, opts?: CallOptions): Promise<CloudNetwork> {
      const { resourceGroup, name } = resolveName(networkId, scope, 'networkId');
      const vnet = await calls.call(
        'virtualNetworks.get',
        (o) => network.virtualNetworks.get(resourceGroup, name, o),
        opts,
      );
      return toCloudNetwork(vnet);
    },

    async listClusterInstances(selector: ClusterNodeSelector, opts?: CallOptions): Promise<CloudInstance[]> {
      const rg =
        selector.nodeResourceGroup ?? `MC_${requireGroup(scope)}_${selector.clusterName}_${scope.region}`;
      // A cluster without its node resource group has no nodes (yet, or any more).
      const listScaleSets = async (opts: CallOptions) => {
        try {
          return await calls.call(
            'virtualMachineScaleSets.list',
            (o) => collect(compute.virtualMachineScaleSets.list(rg, o)),
            opts,
          );
        } catch (err) {
          if (isProviderError(err, 'NotFound')) return [];
          throw err;
        }
      };
      const [scaleSets, sizes] = await inParallel(opts ?? {}, [
        listScaleSets,
        (opts) =>
          calls.call(
            'virtualMachineSizes.list',
            (o) => collect(compute.virtualMachineSizes.list(scope.region, o)),
            opts,
          ),
      ]);
      const sizeOf = new Map(sizes.map((s) => [s.name?.toLowerCase(), s]));
      const pools = scaleSets.filter((s) => s.tags?.[POOL_TAG] !== undefined);
      const perPool = await inParallel(
        opts ?? {},
        pools.map((vmss) => async (opts: CallOptions) => {
          const vms = await calls.call(
            'virtualMachineScaleSetVMs.list',
            (o) =>
              collect(
                compute.virtualMachineScaleSetVMs.list(rg, vmss.name ?? '', { ...o, expand: 'instanceView' }),
              ),
            opts,
          );
          return vms.map((vm): CloudInstance => {
            const type = vm.sku?.name ?? vm.hardwareProfile?.vmSize ?? vmss.sku?.name ?? '';
            // A size the region does not list (or a VM without one) contributes no capacity.
            const size = sizeOf.get(type.toLowerCase());
            return {
              id: vm.id ?? '',
              name: vm.osProfile?.computerName ?? vm.name ?? '',
              zone: kubeZone(vm.location ?? scope.region, vm.zones),
              instanceType: type,
              vcpus: size?.numberOfCores ?? 0,
              memoryMiB: size?.memoryInMB ?? 0,
              state: powerState(vm),
              nodePool: vmss.tags?.[POOL_TAG] ?? '',
            };
          });
        }),
      );
      return perPool.flat();
    },
  };
}
