/** Every resource type the simulator serves, by lower-cased type. */
import { virtualMachineScaleSets, virtualMachineScaleSetVMs, virtualMachines } from './compute.js';
import { disks, snapshots } from './disks.js';
import type { ResourceKind } from './kinds.js';
import {
  publicIPAddresses,
  routes,
  routeTables,
  subnets,
  virtualNetworkPeerings,
  virtualNetworks,
} from './network.js';
import { connections, localNetworkGateways, virtualNetworkGateways } from './vpn.js';

const KINDS: readonly ResourceKind[] = [
  virtualNetworks,
  subnets,
  virtualNetworkPeerings,
  routeTables,
  routes,
  publicIPAddresses,
  virtualNetworkGateways,
  localNetworkGateways,
  connections,
  virtualMachines,
  virtualMachineScaleSets,
  virtualMachineScaleSetVMs,
  disks,
  snapshots,
];

const BY_TYPE = new Map(KINDS.map((k) => [k.type.toLowerCase(), k]));

/** The kind of a type (`Microsoft.Network/virtualNetworks/subnets`), if simulated. */
export function kindOf(type: string): ResourceKind | undefined {
  return BY_TYPE.get(type.toLowerCase());
}

/** The ARM operation group of a type, as in operation ids (`VirtualNetworkPeerings`, `VirtualMachineScaleSetVMs`). */
export function operationGroup(type: string): string {
  if (type.toLowerCase() === 'microsoft.compute/virtualmachinescalesets/virtualmachines')
    return 'VirtualMachineScaleSetVMs';
  const last = type.split('/').pop() ?? type;
  const pascal = last.charAt(0).toUpperCase() + last.slice(1);
  return pascal === 'Connections' ? 'VirtualNetworkGatewayConnections' : pascal;
}
