import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError } from '../../../providers/provider-error.js';
import { type AzureEnv, CLUSTER, REGION, RESOURCE_GROUP, startAzureEnv } from './fixture.js';

describe('azure adapter: inventory through the real SDKs against the ARM simulator', () => {
  let env: AzureEnv;
  beforeAll(async () => {
    env = await startAzureEnv({ pageSize: 2 });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('lists regions with their zones from resource SKUs (following nextLink pages)', async () => {
    const regions = await env.adapter.inventory!.listRegions();
    const weu = regions.find((r) => r.name === REGION);
    expect(weu?.zones).toEqual(['westeurope-1', 'westeurope-2', 'westeurope-3']);
    expect(regions.find((r) => r.name === 'westus')?.zones).toEqual([]);
    expect(env.adapter.callCounts()['skus.list']).toBeGreaterThan(1);
  });

  it('lists the VNets of the resource group with subnets and CIDRs, and gets one by id', async () => {
    const networks = await env.adapter.inventory!.listNetworks();
    expect(networks.map((n) => n.name)).toEqual(['vnet-weu']);
    const net = await env.adapter.inventory!.getNetwork(env.networkId);
    expect(net).toMatchObject({ id: env.networkId, region: REGION, cidrs: ['10.10.0.0/16'] });
    expect(net.subnets.map((s) => [s.name, s.cidr])).toEqual([
      ['GatewaySubnet', '10.10.255.0/27'],
      ['nodes', '10.10.0.0/20'],
    ]);
  });

  it('a missing VNet is NotFound with the ARM code kept', async () => {
    const err = await env.adapter.inventory!.getNetwork(`${env.networkId}-nope`).catch((e: unknown) => e);
    expect(isProviderError(err, 'NotFound')).toBe(true);
    expect((err as { providerCode?: string }).providerCode).toBe('ResourceNotFound');
  });

  it('finds the AKS nodes as scale-set VMs of the node resource group, with zone, size, vCPU and memory', async () => {
    const nodes = await env.adapter.inventory!.listClusterInstances(env.cluster.selector);
    expect(nodes).toHaveLength(env.cluster.instances);
    const system = nodes.filter((n) => n.nodePool === 'system');
    expect(system.map((n) => n.zone)).toEqual(['westeurope-1', 'westeurope-2', 'westeurope-3']);
    expect(system[0]).toMatchObject({
      instanceType: 'Standard_D4s_v5',
      vcpus: 4,
      memoryMiB: 16384,
      state: 'running',
    });
    expect(system[0]!.name).toMatch(/^aks-system-\d{8}-vmss0000\d\d$/);
    const user = nodes.filter((n) => n.nodePool === 'user');
    expect(user.map((n) => [n.instanceType, n.vcpus, n.memoryMiB])).toEqual([
      ['Standard_E4s_v5', 4, 32768],
      ['Standard_E4s_v5', 4, 32768],
    ]);
    const explicit = await env.adapter.inventory!.listClusterInstances({
      clusterName: CLUSTER,
      nodeResourceGroup: `MC_${RESOURCE_GROUP}_${CLUSTER}_${REGION}`,
    });
    expect(explicit.map((n) => n.id).sort()).toEqual(nodes.map((n) => n.id).sort());
  });

  it('a cluster without a node resource group has no instances', async () => {
    expect(await env.adapter.inventory!.listClusterInstances({ clusterName: 'no-such' })).toEqual([]);
  });

  it("keeps ARM's own error message where the SDK replaces it (paged lists)", async () => {
    const bad = await env.adapterFor({
      scope: { account: env.adapter.scope.account, resourceGroup: 'no-such-rg', region: REGION },
    });
    const e = (await bad.inventory!.listNetworks().catch((x: unknown) => x)) as Error;
    expect(isProviderError(e, 'NotFound')).toBe(true);
    expect(e.message).toContain("Resource group 'no-such-rg' could not be found");
  });
});
