/**
 * The Azure adapter's network operations through arm-network against the ARM simulator: VNet
 * peering on both sides, a VPN gateway with a local network gateway and an IPsec connection whose
 * tunnel comes up and counts bytes, and routes; with throttling and 5xx injected along the way.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError } from '../../../providers/provider-error.js';
import { waitFor } from '../../support/wait-for.js';
import { type AzureEnv, startAzureEnv } from './fixture.js';

describe('azure adapter: network', () => {
  let env: AzureEnv;
  beforeAll(async () => {
    env = await startAzureEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  beforeEach(() => env.faults.reset());

  it('peers two VNets of two subscriptions: Initiated until the far side peers back, then Connected on both', async () => {
    const spec = {
      name: 'weu-neu',
      localNetworkId: env.networkId,
      remote: { scope: env.peer.scope, networkId: env.peerNetworkId! },
    };
    env.faults.throttleNext(1);
    const requested = await env.adapter.network!.ensurePeering(spec);
    expect(requested).toMatchObject({ state: 'pending-acceptance', providerState: 'Succeeded/Initiated' });
    expect(requested.remote.networkId).toBe(env.peerNetworkId);

    env.faults.failNext(1);
    const fromPeer = {
      name: 'weu-neu',
      localNetworkId: env.peerNetworkId!,
      remote: { scope: env.adapter.scope, networkId: env.networkId },
    };
    const accepted = await env.peer.network!.acceptPeering(fromPeer);
    expect((await env.peer.network!.acceptPeering(fromPeer)).id).toBe(accepted.id);
    expect(env.countResources('peering')).toBe(2);
    expect(accepted).toMatchObject({ state: 'active', providerState: 'Succeeded/Connected' });
    expect(accepted.local.networkId).toBe(env.peerNetworkId);
    expect(accepted.remote.networkId).toBe(env.networkId);

    const local = await env.adapter.network!.describePeering('weu-neu', env.networkId);
    expect(local?.state).toBe('active');
    const vnet = await env.adapter.inventory!.getNetwork(env.networkId);
    expect(vnet.cidrs).toEqual(['10.10.0.0/16']);

    // Deleting one side leaves the other Disconnected, which the adapter reports as failed.
    await env.peer.network!.deletePeering('weu-neu', env.peerNetworkId!);
    expect(await env.peer.network!.describePeering('weu-neu', env.peerNetworkId!)).toBeUndefined();
    const orphan = await env.adapter.network!.describePeering('weu-neu', env.networkId);
    expect(orphan).toMatchObject({ state: 'failed', providerState: 'Succeeded/Disconnected' });
    await env.adapter.network!.deletePeering('weu-neu', env.networkId);
  });

  it('refuses peering VNets whose address spaces overlap (VnetAddressSpacesOverlap, Invalid)', async () => {
    env.sim.seed.virtualNetwork(
      env.adapter.scope.account,
      env.adapter.scope.resourceGroup!,
      'vnet-overlap',
      'westeurope',
      ['10.10.128.0/17'],
      [],
    );
    const overlapId = env.networkId.replace('vnet-weu', 'vnet-overlap');
    const err = (await env.adapter
      .network!.ensurePeering({
        name: 'bad',
        localNetworkId: env.networkId,
        remote: { scope: env.adapter.scope, networkId: overlapId },
      })
      .catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(err, 'Invalid')).toBe(true);
    expect(err.providerCode).toBe('VnetAddressSpacesOverlap');
  });

  it('builds site-to-site VPN: gateway (slow, with progress), local network gateway, IPsec connection that comes up', async () => {
    const net = env.adapter.network!;
    const progress: string[] = [];
    env.faults.failNext(1);
    const gw = await net.ensureVpnGateway(
      { name: 'vpngw', networkId: env.networkId, asn: 65010 },
      { onProgress: (p) => progress.push(p.state) },
    );
    expect(gw).toMatchObject({ state: 'available', asn: 65010, networkId: env.networkId });
    expect(gw.publicIps).toHaveLength(1);
    expect(progress.length).toBeGreaterThan(0);
    expect(await net.describeVpnGateway('vpngw')).toEqual(gw);

    const peer = await net.ensurePeerGateway({
      name: 'onprem',
      publicIps: ['198.51.100.20'],
      cidrs: ['192.168.10.0/24'],
      asn: 65020,
    });
    expect(peer).toMatchObject({ publicIps: ['198.51.100.20'], cidrs: ['192.168.10.0/24'], asn: 65020 });

    env.faults.throttleNext(1);
    const conn = await net.ensureVpnConnection({
      name: 'to-onprem',
      gatewayId: gw.id,
      peerGatewayId: peer.id,
      tunnels: [{ sharedKey: 'k3y-Only-Azure-Sees' }],
      bgp: false,
      staticRoutes: ['192.168.10.0/24'],
    });
    expect(conn).toMatchObject({ state: 'available', gatewayId: gw.id, peerGatewayId: peer.id });
    const up = await waitFor('the tunnel to come up and carry bytes', async () => {
      const c = await net.describeVpnConnection('to-onprem');
      const t = c?.tunnels[0];
      return t?.status === 'up' && (t.ingressBytes ?? 0) > 0 && (t.egressBytes ?? 0) > 0 ? c : undefined;
    });
    expect(up.providerState).toBe('Succeeded/Connected');
    expect(up.tunnels[0]!.outsideIp).toBe(gw.publicIps[0]);
    expect(up.tunnels[0]!.egressBytes).toBeGreaterThan(0);
    expect(env.logged().join('\n')).not.toContain('k3y-Only-Azure-Sees');

    // In use: the gateway and the local gateway cannot go while the connection exists.
    const inUse = (await net.deleteVpnGateway('vpngw').catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(inUse, 'Conflict')).toBe(true);
    expect(inUse.providerCode).toBe('ReferencedResourceCannotBeDeleted');

    await net.deleteVpnConnection('to-onprem');
    await net.deleteVpnGateway('vpngw');
    await net.deletePeerGateway('onprem');
    expect(await net.describeVpnConnection('to-onprem')).toBeUndefined();
    expect(await net.describeVpnGateway('vpngw')).toBeUndefined();
    expect(await net.describePeerGateway('onprem')).toBeUndefined();
  });

  it('a VNet without a GatewaySubnet cannot get a VPN gateway (Invalid, nothing created)', async () => {
    const err = (await env.peer
      .network!.ensureVpnGateway({ name: 'gw-neu', networkId: env.peerNetworkId! })
      .catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(err, 'Invalid')).toBe(true);
    expect(err.message).toContain('GatewaySubnet');
    expect(env.served().PublicIPAddresses_CreateOrUpdate ?? 0).toBe(1);
  });

  it("adds, lists and deletes routes in the VNet's fedgate route table, idempotently", async () => {
    const net = env.adapter.network!;
    const viaGateway = {
      networkId: env.networkId,
      destinationCidr: '192.168.10.0/24',
      target: { kind: 'vpn-gateway' as const, id: 'vpngw' },
    };
    const viaAppliance = {
      networkId: env.networkId,
      destinationCidr: '10.30.0.0/16',
      target: { kind: 'instance' as const, id: '10.10.0.4' },
      name: 'to-nva',
    };
    env.faults.throttleNext(1);
    const r1 = await net.ensureRoute(viaGateway);
    expect(r1).toMatchObject({
      destinationCidr: '192.168.10.0/24',
      state: 'active',
      name: 'fedgate-192-168-10-0-24',
    });
    expect(r1.routeTableId).toMatch(/routeTables\/fedgate-vnet-weu$/);
    // The table takes effect: the node subnet uses it; Azure's GatewaySubnet is left alone.
    const tableOf = (subnet: string) =>
      (
        env.sim
          .resources('Microsoft.Network/virtualNetworks/subnets')
          .find((s) => s.id.startsWith(`${env.networkId}/subnets/`) && s.name === subnet)?.properties
          .routeTable as { id?: string } | undefined
      )?.id;
    expect(tableOf('nodes')).toBe(r1.routeTableId);
    expect(tableOf('GatewaySubnet')).toBeUndefined();
    await net.ensureRoute(viaAppliance);
    const puts = env.served().Routes_CreateOrUpdate;
    const subnetPuts = env.served().Subnets_CreateOrUpdate;
    expect(subnetPuts).toBe(1);
    await net.ensureRoute(viaGateway);
    expect(env.served().Routes_CreateOrUpdate).toBe(puts);
    expect(env.served().Subnets_CreateOrUpdate).toBe(subnetPuts);

    const routes = await net.listRoutes(env.networkId);
    expect(routes.map((r) => [r.name, r.destinationCidr, r.target.kind])).toEqual([
      ['fedgate-192-168-10-0-24', '192.168.10.0/24', 'vpn-gateway'],
      ['to-nva', '10.30.0.0/16', 'instance'],
    ]);
    expect(routes[1]!.target.id).toBe('10.10.0.4');

    const bad = (await net
      .ensureRoute({
        networkId: env.networkId,
        destinationCidr: '10.20.0.0/16',
        target: { kind: 'peering', id: 'weu-neu' },
      })
      .catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(bad, 'Invalid')).toBe(true);

    await net.deleteRoute(viaAppliance);
    expect((await net.listRoutes(env.networkId)).map((r) => r.name)).toEqual(['fedgate-192-168-10-0-24']);
  });
});
