/**
 * The fixed catalogue the simulator answers from: regions with their zones, and VM sizes with vCPU
 * and memory (served as `locations/{l}/vmSizes`, as resource SKUs, and as subscription locations).
 */

/** A region the simulator offers. */
export interface SimRegion {
  readonly name: string;
  readonly displayName: string;
  /** Availability zones (`1`, `2`, `3`); empty for regions without zones. */
  readonly zones: readonly string[];
  readonly geography: string;
}

/** A VM size. */
export interface SimVmSize {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly family: string;
}

/** Regions offered unless the simulator is told others. */
export const DEFAULT_REGIONS: readonly SimRegion[] = [
  { name: 'westeurope', displayName: 'West Europe', zones: ['1', '2', '3'], geography: 'Europe' },
  { name: 'northeurope', displayName: 'North Europe', zones: ['1', '2', '3'], geography: 'Europe' },
  { name: 'eastus', displayName: 'East US', zones: ['1', '2', '3'], geography: 'United States' },
  { name: 'westus', displayName: 'West US', zones: [], geography: 'United States' },
  { name: 'centralus', displayName: 'Central US', zones: ['1', '2', '3'], geography: 'United States' },
  { name: 'southeastasia', displayName: 'Southeast Asia', zones: ['1', '2', '3'], geography: 'Asia Pacific' },
];

/** VM sizes offered in every region. */
export const VM_SIZES: readonly SimVmSize[] = [
  { name: 'Standard_A0', vcpus: 1, memoryMiB: 768, family: 'standardA0_A7Family' },
  { name: 'Standard_B2s', vcpus: 2, memoryMiB: 4096, family: 'standardBSFamily' },
  { name: 'Standard_D2s_v5', vcpus: 2, memoryMiB: 8192, family: 'standardDSv5Family' },
  { name: 'Standard_D4s_v5', vcpus: 4, memoryMiB: 16384, family: 'standardDSv5Family' },
  { name: 'Standard_D8s_v5', vcpus: 8, memoryMiB: 32768, family: 'standardDSv5Family' },
  { name: 'Standard_DS2_v2', vcpus: 2, memoryMiB: 7168, family: 'standardDSv2Family' },
  { name: 'Standard_DS3_v2', vcpus: 4, memoryMiB: 14336, family: 'standardDSv2Family' },
  { name: 'Standard_E4s_v5', vcpus: 4, memoryMiB: 32768, family: 'standardESv5Family' },
];

/** `GET /subscriptions/S/locations` entries. */
export function locationsBody(
  subscription: string,
  regions: readonly SimRegion[],
): Record<string, unknown>[] {
  return regions.map((r) => ({
    id: `/subscriptions/${subscription}/locations/${r.name}`,
    name: r.name,
    type: 'Region',
    displayName: r.displayName,
    regionalDisplayName: `(${r.geography}) ${r.displayName}`,
    metadata: { regionType: 'Physical', regionCategory: 'Recommended', geography: r.geography },
    ...(r.zones.length > 0
      ? {
          availabilityZoneMappings: r.zones.map((z) => ({
            logicalZone: z,
            physicalZone: `${r.name}-az${z}`,
          })),
        }
      : {}),
  }));
}

/** `GET …/locations/{l}/vmSizes` entries. */
export function vmSizesBody(): Record<string, unknown>[] {
  return VM_SIZES.map((s) => ({
    name: s.name,
    numberOfCores: s.vcpus,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: s.vcpus * 8192,
    memoryInMB: s.memoryMiB,
    maxDataDiskCount: s.vcpus * 2,
  }));
}

/** `GET …/providers/Microsoft.Compute/skus` entries (virtualMachines, one per size and region). */
export function resourceSkusBody(
  regions: readonly SimRegion[],
  location?: string,
): Record<string, unknown>[] {
  return regions
    .filter((r) => !location || r.name === location)
    .flatMap((r) =>
      VM_SIZES.map((s) => ({
        resourceType: 'virtualMachines',
        name: s.name,
        tier: 'Standard',
        size: s.name.replace(/^Standard_/, ''),
        family: s.family,
        locations: [r.name],
        locationInfo: [{ location: r.name, zones: [...r.zones], zoneDetails: [] }],
        capabilities: [
          { name: 'vCPUs', value: String(s.vcpus) },
          { name: 'MemoryGB', value: String(s.memoryMiB / 1024) },
          { name: 'MaxDataDiskCount', value: String(s.vcpus * 2) },
        ],
        restrictions: [],
      })),
    );
}
