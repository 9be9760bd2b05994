/**
 * Site-to-site VPN through arm-network: a route-based virtual network gateway in the VNet's
 * GatewaySubnet with its own public IP (`<name>-pip`), a local network gateway for the far end,
 * and an IPsec connection between them (Azure has one tunnel per connection). Shared keys go to
 * Azure only; nothing here logs them.
 */
import type {
  LocalNetworkGateway,
  NetworkManagementClient,
  VirtualNetworkGateway,
  VirtualNetworkGatewayConnection,
} from '@azure/arm-network';
import type {
  CallOptions,
  NetworkCapability,
  PeerGatewaySpec,
  VpnConnectionSpec,
  VpnGatewaySpec,
  WaitOptions,
} from '../cloud/adapter.js';
import type { CloudScope, PeerGateway, VpnConnection, VpnGateway, VpnTunnel } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import type { AzureCalls } from './calls.js';
import { parentId, requireGroup, resolveName } from './ids.js';

type VpnOps = Omit<
  NetworkCapability,
  | 'ensurePeering'
  | 'acceptPeering'
  | 'describePeering'
  | 'deletePeering'
  | 'listRoutes'
  | 'ensureRoute'
  | 'deleteRoute'
>;

function lifecycle(provisioningState: string | undefined): VpnGateway['state'] {
  if (provisioningState === 'Succeeded') return 'available';
  if (provisioningState === 'Failed') return 'failed';
  if (provisioningState === 'Deleting') return 'deleting';
  return 'pending';
}

function toGateway(g: VirtualNetworkGateway): VpnGateway {
  const subnetId = g.ipConfigurations?.[0]?.subnet?.id;
  const asn = g.bgpSettings?.asn;
  return {
    id: g.id ?? '',
    name: g.name ?? '',
    state: lifecycle(g.provisioningState),
    publicIps: (g.bgpSettings?.bgpPeeringAddresses ?? [])
      .flatMap((a) => a.tunnelIpAddresses ?? [])
      .filter((ip) => ip !== ''),
    ...(asn === undefined ? {} : { asn }),
    ...(subnetId ? { networkId: parentId(subnetId) } : {}),
  };
}

function toPeerGateway(l: LocalNetworkGateway): PeerGateway {
  const asn = l.bgpSettings?.asn;
  return {
    id: l.id ?? '',
    name: l.name ?? '',
    publicIps: l.gatewayIpAddress ? [l.gatewayIpAddress] : [],
    ...(asn === undefined ? {} : { asn }),
    cidrs: l.localNetworkAddressSpace?.addressPrefixes ?? [],
  };
}

function tunnelStatus(status: string | undefined): VpnTunnel['status'] {
  if (status === 'Connected') return 'up';
  if (status === 'Connecting' || status === 'NotConnected') return 'down';
  return 'unknown';
}

function toConnection(c: VirtualNetworkGatewayConnection): VpnConnection {
  const tunnels: VpnTunnel[] = (c.tunnelConnectionStatus ?? []).map((t) => ({
    outsideIp: /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(t.tunnel ?? '')?.[1] ?? '',
    status: tunnelStatus(t.connectionStatus),
    statusMessage: t.connectionStatus ?? 'Unknown',
    ...(t.lastConnectionEstablishedUtcTime ? { lastStatusChange: t.lastConnectionEstablishedUtcTime } : {}),
    ...(t.ingressBytesTransferred === undefined ? {} : { ingressBytes: t.ingressBytesTransferred }),
    ...(t.egressBytesTransferred === undefined ? {} : { egressBytes: t.egressBytesTransferred }),
  }));
  if (tunnels.length === 0)
    tunnels.push({
      outsideIp: '',
      status: tunnelStatus(c.connectionStatus),
      statusMessage: c.connectionStatus ?? 'Unknown',
      ...(c.ingressBytesTransferred === undefined ? {} : { ingressBytes: c.ingressBytesTransferred }),
      ...(c.egressBytesTransferred === undefined ? {} : { egressBytes: c.egressBytesTransferred }),
    });
  return {
    id: c.id ?? '',
    name: c.name ?? '',
    state: lifecycle(c.provisioningState),
    gatewayId: c.virtualNetworkGateway1?.id ?? '',
    peerGatewayId: c.localNetworkGateway2?.id ?? '',
    tunnels,
    providerState: `${c.provisioningState ?? 'Unknown'}/${c.connectionStatus ?? 'Unknown'}`,
  };
}

/** The VPN part of the network capability. */
export function azureVpn(scope: CloudScope, network: NetworkManagementClient, calls: AzureCalls): VpnOps {
  const rg = () => requireGroup(scope);
  const pipName = (gateway: string) => `${gateway}-pip`;
  const getGateway = (name: string, opts?: CallOptions) =>
    calls.find('virtualNetworkGateways.get', (o) => network.virtualNetworkGateways.get(rg(), name, o), opts);
  const getPeer = (name: string, opts?: CallOptions) =>
    calls.find('localNetworkGateways.get', (o) => network.localNetworkGateways.get(rg(), name, o), opts);
  const getConnection = (name: string, opts?: CallOptions) =>
    calls.find(
      'virtualNetworkGatewayConnections.get',
      (o) => network.virtualNetworkGatewayConnections.get(rg(), name, o),
      opts,
    );

  return {
    async ensureVpnGateway(spec: VpnGatewaySpec, opts?: WaitOptions): Promise<VpnGateway> {
      const existing = await getGateway(spec.name, opts);
      if (existing && existing.provisioningState === 'Succeeded') return toGateway(existing);
      const vnet = resolveName(spec.networkId, scope, 'networkId');
      const subnet = await calls.find(
        'subnets.get',
        (o) => network.subnets.get(vnet.resourceGroup, vnet.name, 'GatewaySubnet', o),
        opts,
      );
      if (!subnet)
        throw new ProviderError(
          'Invalid',
          `azure: VNet ${vnet.name} has no subnet named GatewaySubnet; add one (/27 or larger) for the VPN gateway`,
          {
            provider: 'azure',
          },
        );
      const pip =
        (await calls.find(
          'publicIPAddresses.get',
          (o) => network.publicIPAddresses.get(rg(), pipName(spec.name), o),
          opts,
        )) ??
        (await calls.wait(
          `publicIPAddresses.createOrUpdate ${pipName(spec.name)}`,
          (o) =>
            network.publicIPAddresses.beginCreateOrUpdate(
              rg(),
              pipName(spec.name),
              {
                location: scope.region,
                sku: { name: 'Standard', tier: 'Regional' },
                publicIPAllocationMethod: 'Static',
              },
              o,
            ),
          opts,
        ));
      const gw = await calls.wait(
        `virtualNetworkGateways.createOrUpdate ${spec.name}`,
        (o) =>
          network.virtualNetworkGateways.beginCreateOrUpdate(
            rg(),
            spec.name,
            {
              location: scope.region,
              gatewayType: 'Vpn',
              vpnType: 'RouteBased',
              vpnGatewayGeneration: 'Generation1',
              sku: { name: 'VpnGw1', tier: 'VpnGw1' },
              enableBgp: spec.asn !== undefined,
              active: false,
              bgpSettings: { asn: spec.asn ?? 65515 },
              ipConfigurations: [
                {
                  name: 'default',
                  privateIPAllocationMethod: 'Dynamic',
                  subnet: { id: subnet.id },
                  publicIPAddress: { id: pip.id },
                },
              ],
              tags: { 'fedgate-managed': 'true' },
            },
            o,
          ),
        opts,
      );
      return toGateway(gw);
    },

    async describeVpnGateway(name: string, opts?: CallOptions): Promise<VpnGateway | undefined> {
      const g = await getGateway(name, opts);
      return g ? toGateway(g) : undefined;
    },

    async deleteVpnGateway(name: string, opts?: WaitOptions): Promise<void> {
      await calls.remove(
        `virtualNetworkGateways.delete ${name}`,
        (o) => network.virtualNetworkGateways.beginDelete(rg(), name, o),
        opts,
      );
      await calls.remove(
        `publicIPAddresses.delete ${pipName(name)}`,
        (o) => network.publicIPAddresses.beginDelete(rg(), pipName(name), o),
        opts,
      );
    },

    async ensurePeerGateway(spec: PeerGatewaySpec, opts?: WaitOptions): Promise<PeerGateway> {
      const ip = spec.publicIps[0];
      if (!ip)
        throw new ProviderError('Invalid', 'azure: publicIps needs the peer gateway address', {
          provider: 'azure',
        });
      const existing = await getPeer(spec.name, opts);
      if (existing?.provisioningState === 'Succeeded' && existing.gatewayIpAddress === ip)
        return toPeerGateway(existing);
      const lng = await calls.wait(
        `localNetworkGateways.createOrUpdate ${spec.name}`,
        (o) =>
          network.localNetworkGateways.beginCreateOrUpdate(
            rg(),
            spec.name,
            {
              location: scope.region,
              gatewayIpAddress: ip,
              localNetworkAddressSpace: { addressPrefixes: [...spec.cidrs] },
              ...(spec.asn === undefined ? {} : { bgpSettings: { asn: spec.asn } }),
              tags: { 'fedgate-managed': 'true' },
            },
            o,
          ),
        opts,
      );
      return toPeerGateway(lng);
    },

    async describePeerGateway(name: string, opts?: CallOptions): Promise<PeerGateway | undefined> {
      const l = await getPeer(name, opts);
      return l ? toPeerGateway(l) : undefined;
    },

    async deletePeerGateway(name: string, opts?: WaitOptions): Promise<void> {
      await calls.remove(
        `localNetworkGateways.delete ${name}`,
        (o) => network.localNetworkGateways.beginDelete(rg(), name, o),
        opts,
      );
    },

    async ensureVpnConnection(spec: VpnConnectionSpec, opts?: WaitOptions): Promise<VpnConnection> {
      const key = spec.tunnels[0]?.sharedKey;
      if (!key)
        throw new ProviderError(
          'Invalid',
          'azure: tunnels[0].sharedKey is required (Azure has one tunnel per connection)',
          { provider: 'azure' },
        );
      const existing = await getConnection(spec.name, opts);
      if (existing?.provisioningState === 'Succeeded') return toConnection(existing);
      const gateway = resolveName(spec.gatewayId, scope, 'gatewayId');
      const peer = resolveName(spec.peerGatewayId, scope, 'peerGatewayId');
      const idOf = (r: { subscription: string; resourceGroup: string; name: string }, type: string) =>
        `/subscriptions/${r.subscription}/resourceGroups/${r.resourceGroup}/providers/Microsoft.Network/${type}/${r.name}`;
      const conn = await calls.wait(
        `virtualNetworkGatewayConnections.createOrUpdate ${spec.name}`,
        (o) =>
          network.virtualNetworkGatewayConnections.beginCreateOrUpdate(
            rg(),
            spec.name,
            {
              location: scope.region,
              connectionType: 'IPsec',
              connectionProtocol: 'IKEv2',
              virtualNetworkGateway1: { id: idOf(gateway, 'virtualNetworkGateways') },
              localNetworkGateway2: { id: idOf(peer, 'localNetworkGateways') },
              sharedKey: key,
              enableBgp: spec.bgp,
              routingWeight: 0,
              tags: { 'fedgate-managed': 'true' },
            },
            o,
          ),
        opts,
      );
      return toConnection(conn);
    },

    async describeVpnConnection(name: string, opts?: CallOptions): Promise<VpnConnection | undefined> {
      const c = await getConnection(name, opts);
      return c ? toConnection(c) : undefined;
    },

    async deleteVpnConnection(name: string, opts?: WaitOptions): Promise<void> {
      await calls.remove(
        `virtualNetworkGatewayConnections.delete ${name}`,
        (o) => network.virtualNetworkGatewayConnections.beginDelete(rg(), name, o),
        opts,
      );
    },
  };
}
