/**
 * Seeds a simulator with what exists before a test or the demo starts: subscriptions, resource
 * groups, virtual networks with subnets, AKS clusters (node resource group, scale sets tagged as
 * AKS tags them, their VMs spread over zones) and managed disks. Everything goes through the
 * resource kinds' own validation and ends provisioned.
 */

import type { SimContext } from './kinds.js';
import { kindOf } from './kinds-registry.js';
import { type ArmResource, normalizeLocation, parseResourceId } from './model.js';

/** One AKS node pool. */
export interface SeedNodePool {
  readonly name: string;
  readonly vmSize: string;
  readonly count: number;
  /** Zones the pool spreads over (`1`, `2`, `3`); none for a region without zones. */
  readonly zones?: readonly string[];
}

/** An AKS cluster to seed. */
export interface SeedAksCluster {
  readonly subscription: string;
  /** The cluster's own resource group. */
  readonly resourceGroup: string;
  readonly clusterName: string;
  readonly location: string;
  readonly pools: readonly SeedNodePool[];
  /** The subnet the nodes sit in (their NICs' IP configurations reference it). */
  readonly subnetId?: string;
}

/** What seeding an AKS cluster made. */
export interface SeededAksCluster {
  readonly nodeResourceGroup: string;
  /** Ids of the scale-set VMs (one per node). */
  readonly vmIds: readonly string[];
  /** Node names (the VMs' computer names), as Kubernetes shows them. */
  readonly nodeNames: readonly string[];
}

/** Seeding functions bound to one simulator's state. */
export class ArmSeeder {
  constructor(private readonly ctx: SimContext) {}

  /** Creates a resource through its kind and marks it provisioned. */
  resource(id: string, body: Record<string, unknown>, extra?: Record<string, unknown>): ArmResource {
    const ref = parseResourceId(id);
    if (!ref) throw new Error(`seed: not an ARM resource id: ${id}`);
    const type = [ref.namespace, ...ref.segments.map(([t]) => t)].join('/');
    const kind = kindOf(type);
    if (!kind) throw new Error(`seed: the simulator has no resource type ${type}`);
    const existing = this.ctx.store.get(id);
    const r = kind.build(this.ctx, ref, body, existing);
    if (extra) r.extra = { ...r.extra, ...extra };
    r.properties.provisioningState = 'Succeeded';
    this.ctx.store.put(r);
    kind.provisioned?.(this.ctx, r);
    return r;
  }

  /**
   * Stores a resource exactly as a published ARM example shows it (no validation, no defaults),
   * under `id`; fields other than the common ones are kept at the top level.
   */
  raw(id: string, body: Record<string, unknown>): ArmResource {
    const ref = parseResourceId(id);
    if (!ref) throw new Error(`seed: not an ARM resource id: ${id}`);
    const { id: _id, name, type, location, tags, zones, sku, etag, properties, ...extra } = body;
    const r: ArmResource = {
      id,
      name: typeof name === 'string' ? name : ref.segments.at(-1)![1],
      type: typeof type === 'string' ? type : [ref.namespace, ...ref.segments.map(([t]) => t)].join('/'),
      // `_raw` (never shown) tells the views to answer the example as stored.
      properties: { ...(properties as Record<string, unknown> | undefined), _raw: true },
      extra,
    };
    if (typeof location === 'string') r.location = location;
    if (tags) r.tags = tags as Record<string, string>;
    if (Array.isArray(zones)) r.zones = zones as string[];
    if (sku) r.sku = sku as Record<string, unknown>;
    if (typeof etag === 'string') r.etag = etag;
    this.ctx.store.put(r);
    return r;
  }

  /** A resource group (and its subscription). */
  resourceGroup(
    subscription: string,
    name: string,
    location: string,
    tags: Record<string, string> = {},
  ): void {
    this.ctx.store.putGroup(subscription, { name, location: normalizeLocation(location), tags });
  }

  /** A virtual network with subnets; returns its id. */
  virtualNetwork(
    subscription: string,
    resourceGroup: string,
    name: string,
    location: string,
    addressPrefixes: readonly string[],
    subnets: readonly { readonly name: string; readonly prefix: string }[],
    tags?: Record<string, string>,
  ): string {
    const id = `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/virtualNetworks/${name}`;
    this.resource(id, {
      location,
      ...(tags ? { tags } : {}),
      properties: {
        addressSpace: { addressPrefixes: [...addressPrefixes] },
        subnets: subnets.map((s) => ({ name: s.name, properties: { addressPrefix: s.prefix } })),
      },
    });
    return id;
  }

  /** An AKS cluster's nodes: node resource group `MC_<rg>_<cluster>_<region>`, one scale set per pool. */
  aksCluster(spec: SeedAksCluster): SeededAksCluster {
    const location = normalizeLocation(spec.location);
    const nodeRg = `MC_${spec.resourceGroup}_${spec.clusterName}_${location}`;
    const clusterTags = {
      'aks-managed-cluster-name': spec.clusterName,
      'aks-managed-cluster-rg': spec.resourceGroup,
    };
    this.resourceGroup(spec.subscription, nodeRg, location, clusterTags);
    const vmIds: string[] = [];
    const nodeNames: string[] = [];
    const suffix = hash8(`${spec.subscription}/${spec.resourceGroup}/${spec.clusterName}`);
    for (const pool of spec.pools) {
      const vmssName = `aks-${pool.name}-${suffix}-vmss`;
      const vmssId = `/subscriptions/${spec.subscription}/resourceGroups/${nodeRg}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmssName}`;
      const zones = pool.zones ?? [];
      this.resource(vmssId, {
        location,
        sku: { name: pool.vmSize, capacity: pool.count },
        ...(zones.length > 0 ? { zones: [...zones] } : {}),
        tags: {
          'aks-managed-poolName': pool.name,
          'aks-managed-orchestrator': 'Kubernetes:1.30.6',
          'aks-managed-resourceNameSuffix': suffix,
          'aks-managed-createOperationID': crypto.randomUUID(),
          'aks-managed-creationSource': `vmssclient-${vmssName.replace(/-vmss$/, '')}`,
          ...clusterTags,
        },
        properties: { upgradePolicy: { mode: 'Manual' }, singlePlacementGroup: false },
      });
      for (let i = 0; i < pool.count; i++) {
        const computerName = `${vmssName}${i.toString(36).padStart(6, '0')}`;
        const vmId = `${vmssId}/virtualMachines/${i}`;
        this.resource(vmId, {
          location,
          sku: { name: pool.vmSize, tier: 'Standard' },
          ...(zones.length > 0 ? { zones: [zones[i % zones.length]!] } : {}),
          tags: { 'aks-managed-poolName': pool.name, ...clusterTags },
          properties: {
            vmId: crypto.randomUUID(),
            hardwareProfile: {},
            osProfile: {
              computerName,
              adminUsername: 'azureuser',
              linuxConfiguration: { disablePasswordAuthentication: true },
            },
            networkProfile: {
              networkInterfaces: [
                { id: `${vmId}/networkInterfaces/${vmssName}`, properties: { primary: true } },
              ],
            },
            ...(spec.subnetId
              ? { _subnetRefs: [{ name: `${computerName}-ipconfig1`, subnet: { id: spec.subnetId } }] }
              : {}),
          },
        });
        vmIds.push(vmId);
        nodeNames.push(computerName);
      }
    }
    return { nodeResourceGroup: nodeRg, vmIds, nodeNames };
  }

  /** An empty managed disk; returns its id. */
  disk(
    subscription: string,
    resourceGroup: string,
    name: string,
    location: string,
    sizeGiB: number,
    zone?: string,
  ): string {
    const id = `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/disks/${name}`;
    this.resource(id, {
      location,
      ...(zone ? { zones: [zone] } : {}),
      properties: { creationData: { createOption: 'Empty' }, diskSizeGB: sizeGiB },
    });
    return id;
  }
}

/** 8 digits derived from a string, like the numeric suffix AKS gives its scale sets. */
function hash8(s: string): string {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return String(h % 100_000_000).padStart(8, '0');
}
