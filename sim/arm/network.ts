/**
 * Microsoft.Network virtual networks, subnets, VNet peerings, route tables, routes and public IP
 * addresses. A peering is Initiated until the remote VNet peers back, then both sides are
 * Connected; deleting one side leaves the other Disconnected. A subnet something uses cannot go.
 */
import { ArmError, invalidField } from './errors.js';
import {
  cidrContains,
  cidrsOverlap,
  etag,
  plainView,
  propertiesOf,
  type ResourceKind,
  referenced,
  refId,
  requireCidrs,
  requireLocation,
  requireString,
  type SimContext,
  tagsOf,
} from './kinds.js';
import { type ArmResource, idOf, nameOf, parentOf } from './model.js';

const VNET = 'Microsoft.Network/virtualNetworks';
const SUBNET = `${VNET}/subnets`;
const PEERING = `${VNET}/virtualNetworkPeerings`;
const ROUTE_TABLE = 'Microsoft.Network/routeTables';
const ROUTE = `${ROUTE_TABLE}/routes`;

function addressPrefixes(vnet: ArmResource): string[] {
  return (
    (vnet.properties.addressSpace as { addressPrefixes?: string[] } | undefined)?.addressPrefixes ?? []
  ).slice();
}

/** Ids of things that hold an IP configuration in a subnet (gateways, NICs of scale sets). */
function subnetUsers(ctx: SimContext, subnetId: string): string[] {
  const users: string[] = [];
  for (const r of ctx.store.all()) {
    const configs = (r.properties.ipConfigurations ?? r.properties._subnetRefs) as unknown;
    if (!Array.isArray(configs)) continue;
    for (const c of configs as Record<string, unknown>[]) {
      const sid = refId(c.properties as Record<string, unknown> | undefined, 'subnet') ?? refId(c, 'subnet');
      if (sid?.toLowerCase() === subnetId.toLowerCase())
        users.push(`${r.id}/ipConfigurations/${String(c.name ?? 'ipconfig')}`);
    }
  }
  return users;
}

function subnetView(ctx: SimContext, r: ArmResource): Record<string, unknown> {
  const v = plainView(r);
  const users = subnetUsers(ctx, r.id);
  const props = v.properties as Record<string, unknown>;
  if (users.length > 0) props.ipConfigurations = users.map((id) => ({ id }));
  return v;
}

function peeringView(ctx: SimContext, r: ArmResource): Record<string, unknown> {
  const v = plainView(r);
  const remote = ctx.store.get(String(r.properties._remoteId));
  if (remote) {
    const props = v.properties as Record<string, unknown>;
    props.remoteAddressSpace = { addressPrefixes: addressPrefixes(remote) };
    props.remoteVirtualNetworkAddressSpace = { addressPrefixes: addressPrefixes(remote) };
  }
  return v;
}

/** The peering on `vnetId` whose remote is `remoteId`, if any. */
function peeringBetween(ctx: SimContext, vnetId: string, remoteId: string): ArmResource | undefined {
  return ctx.store
    .list(PEERING, { parentId: vnetId, subscription: '' })
    .find((p) => String(p.properties._remoteId).toLowerCase() === remoteId.toLowerCase());
}

/** Virtual networks; their subnets and peerings are child resources shown inline. */
export const virtualNetworks: ResourceKind = {
  type: VNET,
  async: true,
  createdStatus: 201,
  build(ctx, ref, body, existing) {
    const props = propertiesOf(body);
    const space = props.addressSpace as Record<string, unknown> | undefined;
    const prefixes = requireCidrs(space?.addressPrefixes, 'properties.addressSpace.addressPrefixes');
    const subnets = props.subnets;
    if (subnets !== undefined && !Array.isArray(subnets))
      throw invalidField('properties.subnets', 'expected an array');
    const id = idOf(ref);
    const vnet: ArmResource = {
      id,
      name: nameOf(ref),
      type: VNET,
      location: requireLocation(body, existing),
      etag: etag(),
      properties: {
        provisioningState: 'Updating',
        resourceGuid: existing?.properties.resourceGuid ?? crypto.randomUUID(),
        addressSpace: { addressPrefixes: prefixes },
        ...(props.flowTimeoutInMinutes === undefined
          ? {}
          : { flowTimeoutInMinutes: props.flowTimeoutInMinutes }),
        _inlineSubnets: subnets,
      },
    };
    const tags = tagsOf(body);
    if (tags) vnet.tags = tags;
    // Inline subnets are checked now, so a bad one refuses the whole PUT and changes nothing.
    (subnets as Record<string, unknown>[] | undefined)?.forEach((s, i) => {
      const p = (s.properties ?? {}) as Record<string, unknown>;
      const prefix = p.addressPrefix;
      if (typeof s.name !== 'string') throw invalidField(`properties.subnets[${i}].name`, 'required');
      if (typeof prefix !== 'string' || !prefixes.some((vp) => cidrContains(vp, prefix)))
        throw invalidField(
          `properties.subnets[${i}].properties.addressPrefix`,
          `'${String(prefix)}' is not within the address space`,
        );
    });
    void ctx;
    return vnet;
  },
  provisioned(ctx, vnet) {
    const inline = vnet.properties._inlineSubnets as Record<string, unknown>[] | undefined;
    delete vnet.properties._inlineSubnets;
    if (!inline) return;
    for (const s of inline) {
      const name = String(s.name);
      const p = (s.properties ?? {}) as Record<string, unknown>;
      ctx.store.put({
        id: `${vnet.id}/subnets/${name}`,
        name,
        type: SUBNET,
        etag: etag(),
        properties: {
          provisioningState: 'Succeeded',
          addressPrefix: p.addressPrefix,
          ...(p.routeTable ? { routeTable: p.routeTable } : {}),
        },
      });
    }
  },
  checkDelete(ctx, vnet) {
    for (const s of ctx.store.list(SUBNET, { parentId: vnet.id, subscription: '' }))
      subnets.checkDelete?.(ctx, s);
  },
  deleted(ctx, vnet) {
    for (const p of ctx.store.list(PEERING)) {
      if (String(p.properties._remoteId).toLowerCase() === vnet.id.toLowerCase())
        p.properties.peeringState = 'Disconnected';
    }
  },
  view(ctx, vnet) {
    const v = plainView(vnet);
    const props = v.properties as Record<string, unknown>;
    props.subnets = ctx.store
      .list(SUBNET, { parentId: vnet.id, subscription: '' })
      .map((s) => subnetView(ctx, s));
    props.virtualNetworkPeerings = ctx.store
      .list(PEERING, { parentId: vnet.id, subscription: '' })
      .map((p) => peeringView(ctx, p));
    return v;
  },
};

/** Subnets of a virtual network. */
export const subnets: ResourceKind = {
  type: SUBNET,
  async: true,
  createdStatus: 201,
  build(ctx, ref, body) {
    const props = propertiesOf(body);
    const prefix = requireString(props, 'addressPrefix', 'properties.addressPrefix');
    const vnet = ctx.store.get(idOf(parentOf(ref)!))!;
    if (!addressPrefixes(vnet).some((p) => cidrContains(p, prefix)))
      throw new ArmError(
        400,
        'NetcfgInvalidSubnet',
        `Subnet '${nameOf(ref)}' is not valid in virtual network '${vnet.name}': ${prefix} is outside its address space.`,
      );
    const routeTableId = refId(props, 'routeTable');
    if (routeTableId) referenced(ctx, routeTableId, 'properties.routeTable');
    return {
      id: idOf(ref),
      name: nameOf(ref),
      type: SUBNET,
      etag: etag(),
      properties: {
        provisioningState: 'Updating',
        addressPrefix: prefix,
        ...(routeTableId ? { routeTable: { id: routeTableId } } : {}),
      },
    };
  },
  checkDelete(ctx, subnet) {
    const users = subnetUsers(ctx, subnet.id);
    if (users.length > 0)
      throw new ArmError(
        400,
        'InUseSubnetCannotBeDeleted',
        `Subnet ${subnet.name} is in use by ${users[0]} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.`,
      );
  },
  view: subnetView,
};

/** VNet peerings: one per side; Connected once both sides exist. */
export const virtualNetworkPeerings: ResourceKind = {
  type: PEERING,
  async: true,
  createdStatus: 201,
  build(ctx, ref, body) {
    const props = propertiesOf(body);
    const remoteId = refId(props, 'remoteVirtualNetwork');
    const remote = referenced(ctx, remoteId, 'properties.remoteVirtualNetwork');
    const local = ctx.store.get(idOf(parentOf(ref)!))!;
    for (const a of addressPrefixes(local))
      for (const b of addressPrefixes(remote))
        if (cidrsOverlap(a, b))
          throw new ArmError(
            400,
            'VnetAddressSpacesOverlap',
            `Cannot create or update peering ${idOf(ref)}. Virtual networks ${local.id} and ${remote.id} cannot be peered because their address spaces overlap. Overlapping address prefixes: ${a}, ${b}.`,
          );
    const bool = (k: string, d: boolean) => (typeof props[k] === 'boolean' ? props[k] : d);
    return {
      id: idOf(ref),
      name: nameOf(ref),
      type: PEERING,
      etag: etag(),
      properties: {
        provisioningState: 'Updating',
        allowVirtualNetworkAccess: bool('allowVirtualNetworkAccess', true),
        allowForwardedTraffic: bool('allowForwardedTraffic', false),
        allowGatewayTransit: bool('allowGatewayTransit', false),
        useRemoteGateways: bool('useRemoteGateways', false),
        remoteVirtualNetwork: { id: remote.id },
        peeringState: 'Initiated',
        peeringSyncLevel: 'FullyInSync',
        _remoteId: remote.id,
      },
    };
  },
  provisioned(ctx, peering) {
    const localId = peering.id.slice(0, peering.id.toLowerCase().lastIndexOf('/virtualnetworkpeerings/'));
    const back = peeringBetween(ctx, String(peering.properties._remoteId), localId);
    if (back && back.properties.provisioningState === 'Succeeded') {
      back.properties.peeringState = 'Connected';
      peering.properties.peeringState = 'Connected';
    } else peering.properties.peeringState = 'Initiated';
  },
  deleted(ctx, peering) {
    const localId = peering.id.slice(0, peering.id.toLowerCase().lastIndexOf('/virtualnetworkpeerings/'));
    const back = peeringBetween(ctx, String(peering.properties._remoteId), localId);
    if (back) back.properties.peeringState = 'Disconnected';
  },
  view: peeringView,
};

const NEXT_HOP_TYPES = ['VirtualNetworkGateway', 'VnetLocal', 'Internet', 'VirtualAppliance', 'None'];

/** Route tables; routes are child resources shown inline, subnets that use the table are listed. */
export const routeTables: ResourceKind = {
  type: ROUTE_TABLE,
  async: true,
  createdStatus: 201,
  build(_ctx, ref, body, existing) {
    const props = propertiesOf(body);
    const table: ArmResource = {
      id: idOf(ref),
      name: nameOf(ref),
      type: ROUTE_TABLE,
      location: requireLocation(body, existing),
      etag: etag(),
      properties: {
        provisioningState: 'Updating',
        resourceGuid: existing?.properties.resourceGuid ?? crypto.randomUUID(),
        disableBgpRoutePropagation: props.disableBgpRoutePropagation === true,
      },
    };
    const tags = tagsOf(body);
    if (tags) table.tags = tags;
    return table;
  },
  checkDelete(ctx, table) {
    const users = ctx.store
      .list(SUBNET)
      .filter((s) => refId(s.properties, 'routeTable')?.toLowerCase() === table.id.toLowerCase());
    if (users.length > 0)
      throw new ArmError(
        400,
        'InUseRouteTableCannotBeDeleted',
        `Route table ${table.id} is in use by subnet ${users[0]!.id} and cannot be deleted.`,
      );
  },
  view(ctx, table) {
    const v = plainView(table);
    const props = v.properties as Record<string, unknown>;
    props.routes = ctx.store.list(ROUTE, { parentId: table.id, subscription: '' }).map(plainView);
    const users = ctx.store
      .list(SUBNET)
      .filter((s) => refId(s.properties, 'routeTable')?.toLowerCase() === table.id.toLowerCase());
    if (users.length > 0) props.subnets = users.map((s) => ({ id: s.id }));
    return v;
  },
};

/** Routes of a route table. */
export const routes: ResourceKind = {
  type: ROUTE,
  async: true,
  createdStatus: 201,
  build(_ctx, ref, body) {
    const props = propertiesOf(body);
    const prefix = requireString(props, 'addressPrefix', 'properties.addressPrefix');
    requireCidrs([prefix], 'properties.addressPrefix');
    const hop = requireString(props, 'nextHopType', 'properties.nextHopType');
    if (!NEXT_HOP_TYPES.includes(hop))
      throw invalidField('properties.nextHopType', `must be one of ${NEXT_HOP_TYPES.join(', ')}`);
    const ip = props.nextHopIpAddress;
    if (hop === 'VirtualAppliance' && typeof ip !== 'string')
      throw invalidField('properties.nextHopIpAddress', 'required when nextHopType is VirtualAppliance');
    return {
      id: idOf(ref),
      name: nameOf(ref),
      type: ROUTE,
      etag: etag(),
      properties: {
        provisioningState: 'Updating',
        addressPrefix: prefix,
        nextHopType: hop,
        ...(hop === 'VirtualAppliance' ? { nextHopIpAddress: ip } : {}),
        hasBgpOverride: false,
      },
    };
  },
};

/** Public IP addresses (a VNet gateway's ipConfiguration needs one). */
export const publicIPAddresses: ResourceKind = {
  type: 'Microsoft.Network/publicIPAddresses',
  async: true,
  createdStatus: 201,
  build(ctx, ref, body, existing) {
    const props = propertiesOf(body);
    const pip: ArmResource = {
      id: idOf(ref),
      name: nameOf(ref),
      type: 'Microsoft.Network/publicIPAddresses',
      location: requireLocation(body, existing),
      sku: (body.sku as Record<string, unknown> | undefined) ?? { name: 'Standard', tier: 'Regional' },
      etag: etag(),
      properties: {
        provisioningState: 'Updating',
        resourceGuid: existing?.properties.resourceGuid ?? crypto.randomUUID(),
        publicIPAddressVersion: 'IPv4',
        publicIPAllocationMethod: props.publicIPAllocationMethod ?? 'Static',
        idleTimeoutInMinutes: 4,
        ipAddress: existing?.properties.ipAddress ?? ctx.allocatePublicIp(),
      },
    };
    const tags = tagsOf(body);
    if (tags) pip.tags = tags;
    return pip;
  },
  checkDelete(ctx, pip) {
    for (const r of ctx.store.all()) {
      const configs = r.properties.ipConfigurations as Record<string, unknown>[] | undefined;
      if (!Array.isArray(configs)) continue;
      if (
        configs.some(
          (c) =>
            refId(c.properties as Record<string, unknown>, 'publicIPAddress')?.toLowerCase() ===
            pip.id.toLowerCase(),
        )
      )
        throw new ArmError(
          400,
          'PublicIPAddressInUse',
          `Public IP address ${pip.id} can not be deleted since it is still allocated to resource ${r.id}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.`,
        );
    }
  },
};
