/**
 * Site-to-site VPN in Microsoft.Network: virtual network gateways (a slow long-running create, as
 * in Azure where it takes tens of minutes), local network gateways, and IPsec connections whose
 * connectionStatus goes Unknown → Connecting → Connected and whose byte counters grow once up.
 */
import { ArmError, invalidField } from './errors.js';
import {
  etag,
  plainView,
  propertiesOf,
  type ResourceKind,
  referenced,
  refId,
  requireCidrs,
  requireLocation,
  type SimContext,
  tagsOf,
} from './kinds.js';
import { type ArmResource, idOf, nameOf } from './model.js';

const GATEWAY = 'Microsoft.Network/virtualNetworkGateways';
const LOCAL_GATEWAY = 'Microsoft.Network/localNetworkGateways';
const CONNECTION = 'Microsoft.Network/connections';

/** Bytes per second a Connected tunnel reports, each way. */
const BYTES_PER_SECOND = { ingress: 1_250, egress: 980 };

function referencedBy(ctx: SimContext, id: string): ArmResource | undefined {
  return ctx.store
    .list(CONNECTION)
    .find((c) =>
      [c.properties._gatewayId, c.properties._localGatewayId].some(
        (r) => String(r).toLowerCase() === id.toLowerCase(),
      ),
    );
}

function refuseWhileReferenced(ctx: SimContext, r: ArmResource): void {
  const user = referencedBy(ctx, r.id);
  if (user)
    throw new ArmError(
      400,
      'ReferencedResourceCannotBeDeleted',
      `Resource ${r.id} is referenced by connection ${user.id} and cannot be deleted. Delete the connection first.`,
    );
}

function bgpSettingsOf(
  value: unknown,
  path: string,
  defaultAsn: number,
): { asn: number; bgpPeeringAddress?: string; peerWeight: number } {
  if (value === undefined) return { asn: defaultAsn, peerWeight: 0 };
  if (typeof value !== 'object' || value === null) throw invalidField(path, 'expected an object');
  const v = value as Record<string, unknown>;
  const asn = v.asn ?? defaultAsn;
  if (typeof asn !== 'number' || !Number.isInteger(asn) || asn < 1 || asn > 4294967295)
    throw invalidField(`${path}.asn`, 'expected an ASN');
  return {
    asn,
    ...(typeof v.bgpPeeringAddress === 'string' ? { bgpPeeringAddress: v.bgpPeeringAddress } : {}),
    peerWeight: 0,
  };
}

/** The VNet a subnet id belongs to. */
function vnetOf(subnetId: string): string {
  return subnetId.replace(/\/subnets\/[^/]+$/i, '').toLowerCase();
}

/**
 * A VNet has one virtual network gateway of each type (one Vpn, one ExpressRoute), in its
 * GatewaySubnet: a PUT of another Vpn gateway there is refused before anything is made (400).
 */
function refuseSecondGatewayOfType(ctx: SimContext, id: string, gatewayType: string, subnetId: string): void {
  const vnet = vnetOf(subnetId);
  const other = ctx.store.list(GATEWAY).find((g) => {
    if (g.id.toLowerCase() === id.toLowerCase()) return false;
    if (String(g.properties.gatewayType ?? 'Vpn') !== gatewayType) return false;
    const configs = (g.properties.ipConfigurations ?? []) as { properties: { subnet: { id: string } } }[];
    return configs.some((c) => vnetOf(c.properties.subnet.id) === vnet);
  });
  if (other)
    throw new ArmError(
      400,
      'VnetAlreadyHasVpnGateway',
      `Virtual network ${subnetId.replace(/\/subnets\/[^/]+$/i, '')} already has a virtual network gateway of type ${gatewayType} (${other.id}); a virtual network can't be associated with more than one gateway of each type.`,
    );
}

/** Virtual network gateways (VPN, route-based); each ipConfiguration names GatewaySubnet and a public IP. */
export const virtualNetworkGateways: ResourceKind = {
  type: GATEWAY,
  async: true,
  createdStatus: 201,
  delayFactor: 4,
  build(ctx, ref, body, existing) {
    const props = propertiesOf(body);
    const configs = props.ipConfigurations;
    if (!Array.isArray(configs) || configs.length === 0)
      throw invalidField('properties.ipConfigurations', 'at least one IP configuration is required');
    const id = idOf(ref);
    const ipConfigurations = (configs as Record<string, unknown>[]).map((c, i) => {
      const p = (c.properties ?? {}) as Record<string, unknown>;
      const path = `properties.ipConfigurations[${i}].properties`;
      const subnet = referenced(ctx, refId(p, 'subnet'), `${path}.subnet`);
      if (subnet.name.toLowerCase() !== 'gatewaysubnet')
        throw new ArmError(
          400,
          'InvalidGatewaySubnet',
          `Subnet ${subnet.id} referenced by ${path}.subnet must be named GatewaySubnet.`,
        );
      const pip = referenced(ctx, refId(p, 'publicIPAddress'), `${path}.publicIPAddress`);
      const name = typeof c.name === 'string' ? c.name : `ipconfig${i + 1}`;
      return {
        name,
        id: `${id}/ipConfigurations/${name}`,
        etag: etag(),
        properties: {
          privateIPAllocationMethod: p.privateIPAllocationMethod ?? 'Dynamic',
          provisioningState: 'Succeeded',
          publicIPAddress: { id: pip.id },
          subnet: { id: subnet.id },
        },
      };
    });
    const gatewayType = props.gatewayType ?? 'Vpn';
    if (gatewayType !== 'Vpn')
      throw invalidField('properties.gatewayType', "only 'Vpn' gateways are simulated");
    refuseSecondGatewayOfType(ctx, id, String(gatewayType), ipConfigurations[0]!.properties.subnet.id);
    const bgp = bgpSettingsOf(props.bgpSettings, 'properties.bgpSettings', 65515);
    const gw: ArmResource = {
      id,
      name: nameOf(ref),
      type: GATEWAY,
      location: requireLocation(body, existing),
      etag: etag(),
      properties: {
        provisioningState: 'Updating',
        resourceGuid: existing?.properties.resourceGuid ?? crypto.randomUUID(),
        gatewayType,
        vpnType: props.vpnType ?? 'RouteBased',
        vpnGatewayGeneration: props.vpnGatewayGeneration ?? 'Generation1',
        enableBgp: props.enableBgp === true,
        activeActive: props.activeActive === true,
        sku: props.sku ?? { name: 'VpnGw1', tier: 'VpnGw1' },
        ipConfigurations,
        bgpSettings: bgp,
      },
    };
    const tags = tagsOf(body);
    if (tags) gw.tags = tags;
    return gw;
  },
  checkDelete: refuseWhileReferenced,
  view(ctx, gw) {
    const v = plainView(gw);
    const props = v.properties as Record<string, unknown>;
    const configs = props.ipConfigurations as {
      id: string;
      properties: { publicIPAddress: { id: string } };
    }[];
    const bgp = props.bgpSettings as Record<string, unknown>;
    const ready = gw.properties.provisioningState === 'Succeeded';
    props.bgpSettings = {
      ...bgp,
      bgpPeeringAddress: bgp.bgpPeeringAddress ?? '10.0.255.254',
      bgpPeeringAddresses: configs.map((c) => ({
        ipconfigurationId: c.id,
        defaultBgpIpAddresses: ['10.0.255.254'],
        customBgpIpAddresses: [],
        // Azure reports tunnel addresses once the gateway is provisioned.
        tunnelIpAddresses: ready
          ? [String(ctx.store.get(c.properties.publicIPAddress.id)?.properties.ipAddress ?? '')]
          : [],
      })),
    };
    return v;
  },
};

/** Local network gateways: the far end's address and the prefixes behind it. */
export const localNetworkGateways: ResourceKind = {
  type: LOCAL_GATEWAY,
  async: true,
  createdStatus: 201,
  build(_ctx, ref, body, existing) {
    const props = propertiesOf(body);
    const ip = props.gatewayIpAddress;
    if (ip === undefined && props.fqdn === undefined)
      throw invalidField('properties.gatewayIpAddress', 'a gatewayIpAddress or fqdn is required');
    if (ip !== undefined && (typeof ip !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)))
      throw invalidField('properties.gatewayIpAddress', `'${String(ip)}' is not an IPv4 address`);
    const space = props.localNetworkAddressSpace as Record<string, unknown> | undefined;
    const prefixes =
      space?.addressPrefixes === undefined
        ? []
        : requireCidrs(space.addressPrefixes, 'properties.localNetworkAddressSpace.addressPrefixes');
    const lng: ArmResource = {
      id: idOf(ref),
      name: nameOf(ref),
      type: LOCAL_GATEWAY,
      location: requireLocation(body, existing),
      etag: etag(),
      properties: {
        provisioningState: 'Updating',
        resourceGuid: existing?.properties.resourceGuid ?? crypto.randomUUID(),
        localNetworkAddressSpace: { addressPrefixes: prefixes },
        ...(ip === undefined ? {} : { gatewayIpAddress: ip }),
        ...(typeof props.fqdn === 'string' ? { fqdn: props.fqdn } : {}),
        ...(props.bgpSettings === undefined
          ? {}
          : { bgpSettings: bgpSettingsOf(props.bgpSettings, 'properties.bgpSettings', 65000) }),
      },
    };
    const tags = tagsOf(body);
    if (tags) lng.tags = tags;
    return lng;
  },
  checkDelete: refuseWhileReferenced,
};

/** IPsec connections between a virtual network gateway and a local network gateway. */
export const connections: ResourceKind = {
  type: CONNECTION,
  async: true,
  createdStatus: 201,
  delayFactor: 2,
  build(ctx, ref, body, existing) {
    const props = propertiesOf(body);
    const type = props.connectionType;
    if (type !== 'IPsec')
      throw invalidField('properties.connectionType', "only 'IPsec' connections are simulated");
    const gw = referenced(ctx, refId(props, 'virtualNetworkGateway1'), 'properties.virtualNetworkGateway1');
    const lng = referenced(ctx, refId(props, 'localNetworkGateway2'), 'properties.localNetworkGateway2');
    if (typeof props.sharedKey !== 'string' || props.sharedKey === '')
      throw invalidField('properties.sharedKey', 'a shared key is required for an IPsec connection');
    const conn: ArmResource = {
      id: idOf(ref),
      name: nameOf(ref),
      type: CONNECTION,
      location: requireLocation(body, existing),
      etag: etag(),
      properties: {
        provisioningState: 'Updating',
        resourceGuid: existing?.properties.resourceGuid ?? crypto.randomUUID(),
        virtualNetworkGateway1: { id: gw.id, properties: {} },
        localNetworkGateway2: { id: lng.id, properties: {} },
        connectionType: 'IPsec',
        connectionProtocol: props.connectionProtocol ?? 'IKEv2',
        routingWeight: typeof props.routingWeight === 'number' ? props.routingWeight : 0,
        dpdTimeoutSeconds: typeof props.dpdTimeoutSeconds === 'number' ? props.dpdTimeoutSeconds : 45,
        sharedKey: props.sharedKey,
        enableBgp: props.enableBgp === true,
        useLocalAzureIpAddress: false,
        usePolicyBasedTrafficSelectors: props.usePolicyBasedTrafficSelectors === true,
        ipsecPolicies: Array.isArray(props.ipsecPolicies) ? props.ipsecPolicies : [],
        connectionMode: props.connectionMode ?? 'Default',
        _gatewayId: gw.id,
        _localGatewayId: lng.id,
      },
    };
    const tags = tagsOf(body);
    if (tags) conn.tags = tags;
    return conn;
  },
  provisioned(ctx, conn) {
    // IKE negotiation takes a while after provisioning; Connected from then on.
    conn.properties._connectingUntil = ctx.now() + Math.max(50, ctx.operationDelayMs());
  },
  view(ctx, conn) {
    const v = plainView(conn);
    const props = v.properties as Record<string, unknown>;
    const until = conn.properties._connectingUntil as number | undefined;
    const now = ctx.now();
    const status = until === undefined ? 'Unknown' : now < until ? 'Connecting' : 'Connected';
    const upSeconds = status === 'Connected' ? (now - until!) / 1000 : 0;
    const ingress = Math.floor(upSeconds * BYTES_PER_SECOND.ingress);
    const egress = Math.floor(upSeconds * BYTES_PER_SECOND.egress);
    props.connectionStatus = status;
    props.ingressBytesTransferred = ingress;
    props.egressBytesTransferred = egress;
    const gw = ctx.store.get(String(conn.properties._gatewayId));
    const pipId = (
      gw?.properties.ipConfigurations as { properties: { publicIPAddress: { id: string } } }[] | undefined
    )?.[0]?.properties.publicIPAddress.id;
    const tunnel = pipId ? ctx.store.get(pipId)?.properties.ipAddress : undefined;
    if (tunnel)
      props.tunnelConnectionStatus = [
        {
          tunnel: `${gw!.name}_${String(tunnel)}`,
          connectionStatus: status,
          ingressBytesTransferred: ingress,
          egressBytesTransferred: egress,
          ...(status === 'Connected'
            ? { lastConnectionEstablishedUtcTime: new Date(until!).toISOString() }
            : {}),
        },
      ];
    return v;
  },
};
