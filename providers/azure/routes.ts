/**
 * Routes in Azure route tables (user-defined routes). Without a route table id the adapter keeps
 * one table per VNet, `fedgate-<vnet>`, in the scope's resource group, and associates it with the
 * VNet's subnets that have no route table yet (a route table does nothing until a subnet uses it).
 * Subnets that already use another table keep it: the team owns that table, and a route meant for
 * it names it with `routeTableId`. Subnets Azure reserves for its own services (GatewaySubnet,
 * AzureFirewallSubnet, AzureBastionSubnet, RouteServerSubnet) are left alone. Azure routes can send
 * traffic to the VNet's VPN gateway or to an appliance address; peered VNets are routed by Azure
 * itself (system routes), so a route to a peering is refused as Invalid.
 */
import type { NetworkManagementClient, Route, RouteTable, Subnet } from '@azure/arm-network';
import type { CallOptions, NetworkCapability, RouteSpec, WaitOptions } from '../cloud/adapter.js';
import type { CloudRoute, CloudScope, RouteTarget } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import type { AzureCalls } from './calls.js';
import { requireGroup, resolveName } from './ids.js';
import { collect } from './inventory.js';

type RouteOps = Pick<NetworkCapability, 'listRoutes' | 'ensureRoute' | 'deleteRoute'>;

/** Subnets of Azure's own services, where a user route table is refused or breaks the service. */
const RESERVED_SUBNETS = new Set([
  'gatewaysubnet',
  'azurefirewallsubnet',
  'azurefirewallmanagementsubnet',
  'azurebastionsubnet',
  'routeserversubnet',
]);

function nextHopOf(target: RouteTarget): { nextHopType: string; nextHopIpAddress?: string } {
  switch (target.kind) {
    case 'vpn-gateway':
    case 'vpn-connection':
      return { nextHopType: 'VirtualNetworkGateway' };
    case 'instance':
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(target.id))
        throw new ProviderError(
          'Invalid',
          `azure: route target.id must be the appliance's private IPv4 address, got "${target.id}"`,
          { provider: 'azure' },
        );
      return { nextHopType: 'VirtualAppliance', nextHopIpAddress: target.id };
    default:
      throw new ProviderError(
        'Invalid',
        `azure: route target.kind "${target.kind}" has no Azure next hop (peered VNets are routed by Azure's system routes; use vpn-gateway or instance)`,
        { provider: 'azure' },
      );
  }
}

function targetOf(r: Route): RouteTarget {
  if (r.nextHopType === 'VirtualAppliance') return { kind: 'instance', id: r.nextHopIpAddress ?? '' };
  return { kind: 'vpn-gateway', id: r.nextHopType ?? '' };
}

function routeName(spec: RouteSpec): string {
  return spec.name ?? `fedgate-${spec.destinationCidr.replace(/[./]/g, '-')}`;
}

/** The route half of the network capability. */
export function azureRoutes(
  scope: CloudScope,
  network: NetworkManagementClient,
  calls: AzureCalls,
): RouteOps {
  function tableOf(spec: RouteSpec): { resourceGroup: string; name: string } {
    if (spec.routeTableId) return resolveName(spec.routeTableId, scope, 'routeTableId');
    return {
      resourceGroup: requireGroup(scope),
      name: `fedgate-${resolveName(spec.networkId, scope, 'networkId').name}`,
    };
  }

  const toCloud =
    (table: RouteTable, networkId: string) =>
    (r: Route): CloudRoute => ({
      routeTableId: table.id ?? '',
      networkId,
      destinationCidr: r.addressPrefix ?? '',
      target: targetOf(r),
      state: r.provisioningState === 'Succeeded' ? 'active' : 'pending',
      ...(r.name ? { name: r.name } : {}),
    });

  async function ensureTable(rg: string, name: string, opts?: WaitOptions): Promise<RouteTable> {
    const existing = await calls.find('routeTables.get', (o) => network.routeTables.get(rg, name, o), opts);
    if (existing?.provisioningState === 'Succeeded') return existing;
    return calls.wait(
      `routeTables.createOrUpdate ${name}`,
      (o) =>
        network.routeTables.beginCreateOrUpdate(
          rg,
          name,
          { location: scope.region, tags: { 'fedgate-managed': 'true' } },
          o,
        ),
      opts,
    );
  }

  /** Associates the VNet's own table with its subnets that use none yet. */
  async function associate(table: RouteTable, networkId: string, opts?: WaitOptions): Promise<void> {
    const vnet = resolveName(networkId, scope, 'networkId');
    const subnets = await calls.call(
      'subnets.list',
      (o) => collect(network.subnets.list(vnet.resourceGroup, vnet.name, o)),
      opts,
    );
    const bare = subnets.filter(
      (s: Subnet) => !s.routeTable?.id && !RESERVED_SUBNETS.has((s.name ?? '').toLowerCase()),
    );
    for (const subnet of bare) {
      const name = subnet.name ?? '';
      await calls.wait(
        `subnets.createOrUpdate ${name}`,
        (o) =>
          network.subnets.beginCreateOrUpdate(
            vnet.resourceGroup,
            vnet.name,
            name,
            { ...subnet, routeTable: { id: table.id ?? '' } },
            o,
          ),
        opts,
      );
    }
  }

  return {
    async listRoutes(networkId: string, opts?: CallOptions): Promise<CloudRoute[]> {
      const vnet = resolveName(networkId, scope, 'networkId');
      const tables = await calls.call(
        'routeTables.list',
        (o) => collect(network.routeTables.list(vnet.resourceGroup, o)),
        opts,
      );
      const prefix = `${networkId.toLowerCase()}/subnets/`;
      const mine = tables.filter(
        (t) =>
          t.name?.toLowerCase() === `fedgate-${vnet.name}`.toLowerCase() ||
          (t.subnets ?? []).some((s) => s.id?.toLowerCase().startsWith(prefix)),
      );
      return mine.flatMap((t) => (t.routes ?? []).map(toCloud(t, networkId)));
    },

    async ensureRoute(spec: RouteSpec, opts?: WaitOptions): Promise<CloudRoute> {
      const hop = nextHopOf(spec.target);
      const table = tableOf(spec);
      const name = routeName(spec);
      const rt = await ensureTable(table.resourceGroup, table.name, opts);
      if (!spec.routeTableId) await associate(rt, spec.networkId, opts);
      const existing = (rt.routes ?? []).find((r) => r.name?.toLowerCase() === name.toLowerCase());
      const same =
        existing?.provisioningState === 'Succeeded' &&
        existing.addressPrefix === spec.destinationCidr &&
        existing.nextHopType === hop.nextHopType &&
        (existing.nextHopIpAddress ?? undefined) === hop.nextHopIpAddress;
      const route = same
        ? existing
        : await calls.wait(
            `routes.createOrUpdate ${name}`,
            (o) =>
              network.routes.beginCreateOrUpdate(
                table.resourceGroup,
                table.name,
                name,
                { addressPrefix: spec.destinationCidr, ...hop },
                o,
              ),
            opts,
          );
      return { ...toCloud(rt, spec.networkId)(route), target: spec.target };
    },

    async deleteRoute(spec: RouteSpec, opts?: WaitOptions): Promise<void> {
      const table = tableOf(spec);
      const name = routeName(spec);
      await calls.remove(
        `routes.delete ${name}`,
        (o) => network.routes.beginDelete(table.resourceGroup, table.name, name, o),
        opts,
      );
    },
  };
}
