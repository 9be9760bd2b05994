/**
 * Microsoft.Compute virtual machines, scale sets and scale-set VMs. AKS builds its nodes from
 * these: scale sets in the node resource group `MC_<rg>_<cluster>_<region>`, tagged
 * `aks-managed-poolName`, their VMs named `<vmss>_<n>` with computerName `<vmss><n as 6 digits>`.
 */
import { invalidField } from './errors.js';
import { etag, plainView, propertiesOf, type ResourceKind, requireLocation, tagsOf } from './kinds.js';
import { type ArmResource, idOf, nameOf } from './model.js';

const VM = 'Microsoft.Compute/virtualMachines';
const VMSS = 'Microsoft.Compute/virtualMachineScaleSets';
const VMSS_VM = `${VMSS}/virtualMachines`;

/** Power state reported in an instance view. */
function instanceView(r: ArmResource): Record<string, unknown> {
  const running = r.properties.provisioningState === 'Succeeded';
  return {
    statuses: [
      {
        code: `ProvisioningState/${String(r.properties.provisioningState).toLowerCase()}`,
        level: 'Info',
        displayStatus: 'Provisioning succeeded',
      },
      {
        code: running ? 'PowerState/running' : 'PowerState/starting',
        level: 'Info',
        displayStatus: running ? 'VM running' : 'VM starting',
      },
    ],
  };
}

/** Shows the instance view only when asked (`$expand=instanceView`), as Compute does. */
function computeView(r: ArmResource, expand?: string): Record<string, unknown> {
  const v = plainView(r);
  if (expand?.toLowerCase().includes('instanceview'))
    (v.properties as Record<string, unknown>).instanceView = instanceView(r);
  return v;
}

/** Virtual machines (standalone, or AKS availability-set nodes). */
export const virtualMachines: ResourceKind = {
  type: VM,
  async: true,
  createdStatus: 201,
  build(_ctx, ref, body, existing) {
    const props = propertiesOf(body);
    const size = (props.hardwareProfile as Record<string, unknown> | undefined)?.vmSize;
    if (typeof size !== 'string')
      throw invalidField('properties.hardwareProfile.vmSize', 'a VM size is required');
    const vm: ArmResource = {
      id: idOf(ref),
      name: nameOf(ref),
      type: VM,
      location: requireLocation(body, existing),
      etag: '"1"',
      properties: {
        ...props,
        vmId: existing?.properties.vmId ?? crypto.randomUUID(),
        provisioningState: 'Updating',
        timeCreated: existing?.properties.timeCreated ?? new Date().toISOString(),
      },
    };
    const tags = tagsOf(body);
    if (tags) vm.tags = tags;
    if (Array.isArray(body.zones)) vm.zones = body.zones.map(String);
    return vm;
  },
  view: (_ctx, r) => computeView(r),
};

/** Scale sets (AKS node pools). */
export const virtualMachineScaleSets: ResourceKind = {
  type: VMSS,
  async: true,
  createdStatus: 201,
  build(_ctx, ref, body, existing) {
    const sku = body.sku as Record<string, unknown> | undefined;
    if (typeof sku?.name !== 'string') throw invalidField('sku.name', 'a VM size is required');
    const vmss: ArmResource = {
      id: idOf(ref),
      name: nameOf(ref),
      type: VMSS,
      location: requireLocation(body, existing),
      sku: {
        name: sku.name,
        tier: 'Standard',
        capacity: typeof sku.capacity === 'number' ? sku.capacity : 0,
      },
      etag: etag(),
      properties: {
        ...propertiesOf(body),
        provisioningState: 'Updating',
        uniqueId: existing?.properties.uniqueId ?? crypto.randomUUID(),
        orchestrationMode: 'Uniform',
      },
    };
    const tags = tagsOf(body);
    if (tags) vmss.tags = tags;
    if (Array.isArray(body.zones)) vmss.zones = body.zones.map(String);
    return vmss;
  },
};

/** The VMs of a scale set (made by seeding; read through list and get). */
export const virtualMachineScaleSetVMs: ResourceKind = {
  type: VMSS_VM,
  async: true,
  createdStatus: 201,
  build(_ctx, ref, body, existing) {
    const vm: ArmResource = {
      id: idOf(ref),
      // Scale-set VMs are named `<vmss>_<instanceId>`; the URL names them by instance id.
      name: `${ref.segments[0]![1]}_${nameOf(ref)}`,
      type: VMSS_VM,
      location: requireLocation(body, existing),
      extra: { instanceId: nameOf(ref) },
      etag: etag(),
      properties: { ...propertiesOf(body), provisioningState: 'Updating', latestModelApplied: true },
    };
    if (body.sku) vm.sku = body.sku as Record<string, unknown>;
    if (Array.isArray(body.zones)) vm.zones = body.zones.map(String);
    const tags = tagsOf(body);
    if (tags) vm.tags = tags;
    return vm;
  },
};

/** The view of a compute resource for a request with `$expand`. */
export function expandedView(
  r: ArmResource,
  expand: string | undefined,
): Record<string, unknown> | undefined {
  return r.type === VM || r.type === VMSS_VM ? computeView(r, expand) : undefined;
}
