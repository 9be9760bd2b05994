/**
 * Fidelity against Azure's published examples (azure-rest-api-specs, under shared/provider-examples):
 * each example's request is sent to the ARM simulator and the answer's shape (field names, nesting,
 * JSON types) compared with the example's response; and each example response, stored unchanged
 * in the simulator, is read through the adapter (real SDK deserialisation, then the adapter's mapping).
 */
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureEnv, startAzureEnv } from './fixture.js';

function examplesDir(): string {
  const fromEnv = process.env.FEDGATE_PROVIDER_EXAMPLES;
  if (fromEnv) return resolve(fromEnv, 'azure');
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'provider-examples');
    if (existsSync(candidate)) return join(candidate, 'azure');
  }
  throw new Error('shared/provider-examples not found: set FEDGATE_PROVIDER_EXAMPLES');
}

interface Example {
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: Record<string, unknown>; headers?: Record<string, string> }>;
}
const example = (file: string): Example =>
  JSON.parse(readFileSync(join(examplesDir(), file), 'utf8')) as Example;

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Where `actual` has a field of another JSON type than `expected`, and fields of `expected` it lacks. */
function compareShape(
  expected: unknown,
  actual: unknown,
  path = '',
): { mismatched: string[]; missing: string[] } {
  const out = { mismatched: [] as string[], missing: [] as string[] };
  if (jsonType(expected) !== jsonType(actual)) {
    out.mismatched.push(`${path || '.'}: ${jsonType(expected)} vs ${jsonType(actual)}`);
    return out;
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length > 0 && actual.length > 0) {
    const r = compareShape(expected[0], actual[0], `${path}[0]`);
    out.mismatched.push(...r.mismatched);
    out.missing.push(...r.missing);
  } else if (jsonType(expected) === 'object') {
    const a = actual as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
      if (!(k in a)) out.missing.push(`${path}.${k}`);
      else {
        const r = compareShape(v, a[k], `${path}.${k}`);
        out.mismatched.push(...r.mismatched);
        out.missing.push(...r.missing);
      }
    }
  }
  return out;
}

describe('azure: published ARM examples', () => {
  let env: AzureEnv;
  let agent: Agent;
  beforeAll(async () => {
    env = await startAzureEnv({ operationDelayMs: 0 });
    agent = new Agent({ ca: env.sim.caPem });
  });
  afterAll(async () => {
    agent?.destroy();
    await env?.teardown();
  });

  function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: unknown }> {
    return new Promise((res, rej) => {
      const req = request(
        new URL(path, env.sim.url),
        {
          method,
          agent,
          headers: { authorization: `Bearer ${env.token}`, 'content-type': 'application/json' },
        },
        (r) => {
          let text = '';
          r.on('data', (c) => {
            text += c;
          });
          r.on('end', () =>
            res({ status: r.statusCode ?? 0, headers: r.headers, body: text ? JSON.parse(text) : undefined }),
          );
        },
      );
      req.on('error', rej);
      if (body !== undefined) req.write(JSON.stringify(body));
      req.end();
    });
  }

  const base = (p: Record<string, unknown>, rgKey = 'resourceGroupName') =>
    `/subscriptions/${encodeURIComponent(String(p.subscriptionId))}/resourceGroups/${String(p[rgKey])}`;
  const seedGroup = (p: Record<string, unknown>, location = 'westus') =>
    env.sim.seed.resourceGroup(String(p.subscriptionId), String(p.resourceGroupName), location);

  it("VNet create (PUT) and get answer in the examples' shape", async () => {
    const ex = example('VirtualNetworkCreate.json');
    const p = ex.parameters;
    seedGroup(p);
    const path = `${base(p)}/providers/Microsoft.Network/virtualNetworks/${String(p.virtualNetworkName)}?api-version=${String(p['api-version'])}`;
    const put = await call('PUT', path, p.parameters);
    expect(put.status).toBe(201);
    expect(put.headers['azure-asyncoperation']).toMatch(
      /^https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.+\/operations\//,
    );
    const shape = compareShape(ex.responses['201']!.body, put.body);
    expect(shape).toEqual({ mismatched: [], missing: [] });

    const get = example('VirtualNetworks_Get.json');
    const gp = get.parameters;
    seedGroup(gp);
    env.sim.seed.virtualNetwork(
      String(gp.subscriptionId),
      String(gp.resourceGroupName),
      'test-vnet',
      'westus',
      ['10.0.0.0/16'],
      [{ name: 'subnet1', prefix: '10.0.1.0/24' }],
    );
    const got = await call(
      'GET',
      `${base(gp)}/providers/Microsoft.Network/virtualNetworks/test-vnet?api-version=2024-03-01`,
    );
    // The example's subnet is used by a load balancer the simulator does not model.
    expect(compareShape(get.responses['200']!.body, got.body)).toEqual({
      mismatched: [],
      missing: ['.properties.subnets[0].properties.ipConfigurations'],
    });
  });

  it("subnet list, peering create and get, local network gateway and connection create answer in the examples' shape", async () => {
    const sl = example('Subnets_List.json');
    seedGroup(sl.parameters);
    env.sim.seed.virtualNetwork(
      'subid',
      'subnet-test',
      'vnetname',
      'westus',
      ['10.0.0.0/16'],
      [
        { name: 'subnet1', prefix: '10.0.0.0/24' },
        { name: 'subnet2', prefix: '10.0.1.0/24' },
      ],
    );
    const subnets = await call(
      'GET',
      `${base(sl.parameters)}/providers/Microsoft.Network/virtualNetworks/vnetname/subnets?api-version=2024-03-01`,
    );
    expect(compareShape(sl.responses['200']!.body, subnets.body)).toEqual({ mismatched: [], missing: [] });

    const pc = example('VirtualNetworkPeerings_CreateOrUpdate.json');
    const pp = pc.parameters;
    seedGroup(pp);
    env.sim.seed.virtualNetwork('subid', 'peerTest', 'vnet1', 'westus', ['10.0.0.0/16'], []);
    env.sim.seed.virtualNetwork('subid', 'peerTest', 'vnet2', 'westus', ['12.0.0.0/8'], []);
    const peering = await call(
      'PUT',
      `${base(pp)}/providers/Microsoft.Network/virtualNetworks/vnet1/virtualNetworkPeerings/peer?api-version=2024-03-01`,
      pp.VirtualNetworkPeeringParameters,
    );
    expect(peering.status).toBe(201);
    // BGP communities are Azure-internal values the simulator leaves out.
    expect(compareShape(pc.responses['201']!.body, peering.body)).toEqual({
      mismatched: [],
      missing: ['.properties.remoteBgpCommunities'],
    });

    const lg = example('LocalNetworkGateways_CreateOrUpdate.json');
    seedGroup(lg.parameters);
    const lng = await call(
      'PUT',
      `${base(lg.parameters)}/providers/Microsoft.Network/localNetworkGateways/localgw?api-version=2024-03-01`,
      lg.parameters.parameters,
    );
    expect(lng.status).toBe(201);
    expect(compareShape(lg.responses['201']!.body, lng.body)).toEqual({ mismatched: [], missing: [] });

    const cx = example('VirtualNetworkGatewayConnections_CreateOrUpdate.json');
    const rg1 = '/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network';
    env.sim.seed.virtualNetwork(
      'subid',
      'rg1',
      'vnet1',
      'centralus',
      ['10.0.0.0/16'],
      [{ name: 'GatewaySubnet', prefix: '10.0.1.0/27' }],
    );
    env.sim.seed.resource(`${rg1}/publicIPAddresses/gwpip`, { location: 'centralus' });
    env.sim.seed.resource(`${rg1}/virtualNetworkGateways/vpngw`, {
      location: 'centralus',
      properties: {
        ipConfigurations: [
          {
            name: 'gwipconfig1',
            properties: {
              subnet: { id: `${rg1}/virtualNetworks/vnet1/subnets/GatewaySubnet` },
              publicIPAddress: { id: `${rg1}/publicIPAddresses/gwpip` },
            },
          },
        ],
      },
    });
    const conn = await call(
      'PUT',
      `${rg1.replace('/providers/Microsoft.Network', '')}/providers/Microsoft.Network/connections/connS2S?api-version=2024-03-01`,
      cx.parameters.parameters,
    );
    expect(conn.status).toBe(201);
    // NAT rules are not simulated.
    expect(compareShape(cx.responses['201']!.body, conn.body)).toEqual({
      mismatched: [],
      missing: ['.properties.ingressNatRules', '.properties.egressNatRules'],
    });
  });

  it("a snapshot CopyStart (PUT) answers 202 in the example's shape; deletes answer 202 with their monitors", async () => {
    const cs = example('Snapshots_CreateOrUpdate_CopyStart.json');
    const p = cs.parameters;
    seedGroup(p, 'eastus');
    const src = `/subscriptions/{subscription-id}/resourceGroups/myResourceGroup/providers/Microsoft.Compute`;
    env.sim.seed.resource(`${src}/disks/myDisk`, {
      location: 'eastus',
      properties: { creationData: { createOption: 'Empty' }, diskSizeGB: 32 },
    });
    env.sim.seed.resource(`${src}/snapshots/mySnapshot1`, {
      location: 'eastus',
      properties: {
        creationData: { createOption: 'Copy', sourceResourceId: `${src}/disks/myDisk` },
        incremental: true,
      },
    });
    const put = await call(
      'PUT',
      `${base(p)}/providers/Microsoft.Compute/snapshots/mySnapshot2?api-version=2024-03-02`,
      p.snapshot,
    );
    expect(put.status).toBe(202);
    expect(put.headers.location).toBeDefined();
    expect(compareShape(cs.responses['202']!.body, put.body).mismatched).toEqual([]);
    // The example echoes the location as sent ('West US'); ARM's canonical form is 'westus'.
    expect((put.body as { location: string }).location).toBe('westus');

    const del = await call(
      'DELETE',
      `${base(p)}/providers/Microsoft.Compute/snapshots/mySnapshot2?api-version=2024-03-02`,
    );
    expect(del.status).toBe(202);
    expect(del.headers.location).toMatch(/operationResults/);
    expect(del.headers['azure-asyncoperation']).toMatch(/operations/);
  });

  it('the adapter reads each published response unchanged', async () => {
    const sub = env.adapter.scope.account;
    const rg = env.adapter.scope.resourceGroup!;
    const net = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network`;
    const cmp = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute`;

    env.sim.seed.raw(
      `${net}/virtualNetworks/ex-vnet`,
      example('VirtualNetworks_Get.json').responses['200']!.body!,
    );
    const vnet = await env.adapter.inventory!.getNetwork(`${net}/virtualNetworks/ex-vnet`);
    expect(vnet).toMatchObject({
      name: 'test-vnet',
      region: 'westus',
      cidrs: ['10.0.0.0/16'],
      subnets: [{ name: 'subnet1', cidr: '10.0.1.0/24' }],
    });

    env.sim.seed.raw(
      `${net}/virtualNetworks/ex-vnet/virtualNetworkPeerings/peer`,
      example('VirtualNetworkPeeringGet.json').responses['200']!.body!,
    );
    const peering = await env.adapter.network!.describePeering('peer', `${net}/virtualNetworks/ex-vnet`);
    expect(peering).toMatchObject({ state: 'pending-acceptance', providerState: 'Succeeded/Initiated' });
    expect(peering?.remote.networkId).toMatch(/virtualNetworks\/vnet2$/);

    env.sim.seed.raw(
      `${net}/localNetworkGateways/localgw`,
      example('LocalNetworkGateways_CreateOrUpdate.json').responses['200']!.body!,
    );
    expect(await env.adapter.network!.describePeerGateway('localgw')).toMatchObject({
      publicIps: ['11.12.13.14'],
      cidrs: ['10.1.0.0/16'],
    });

    env.sim.seed.raw(
      `${net}/virtualNetworkGateways/vpngw`,
      example('VirtualNetworkGatewayUpdate.json').responses['200']!.body!,
    );
    expect(await env.adapter.network!.describeVpnGateway('vpngw')).toMatchObject({
      state: 'available',
      asn: 65515,
      publicIps: ['52.161.10.135'],
    });

    env.sim.seed.raw(
      `${net}/connections/connS2S`,
      example('VirtualNetworkGatewayConnections_CreateOrUpdate.json').responses['200']!.body!,
    );
    const conn = await env.adapter.network!.describeVpnConnection('connS2S');
    expect(conn).toMatchObject({
      state: 'pending',
      tunnels: [{ status: 'unknown', ingressBytes: 0, egressBytes: 0 }],
    });
    expect(conn?.gatewayId).toMatch(/virtualNetworkGateways\/vpngw$/);

    env.sim.seed.raw(
      `${cmp}/snapshots/incr`,
      example('Snapshots_Get_Incremental.json').responses['200']!.body!,
    );
    expect(await env.adapter.storage!.describeSnapshot('incr')).toMatchObject({
      state: 'completed',
      sizeGiB: 100,
      region: 'westus',
      tags: { project: 'Snapshots' },
    });
    env.sim.seed.raw(`${cmp}/snapshots/full`, example('Snapshot_Get.json').responses['200']!.body!);
    expect((await env.adapter.storage!.describeSnapshot('full'))?.sourceVolumeId).toMatch(/disks\/myDisk$/);
    env.sim.seed.raw(
      `${cmp}/snapshots/copy`,
      example('Snapshots_CreateOrUpdate_CopyStart.json').responses['200']!.body!,
    );
    expect(await env.adapter.storage!.describeSnapshot('copy')).toMatchObject({
      state: 'pending',
      progressPercent: 0,
    });

    const nodeRg = `MC_${rg}_ex-aks_${env.adapter.scope.region}`;
    env.sim.seed.resourceGroup(sub, nodeRg, env.adapter.scope.region);
    const vmss = `/subscriptions/${sub}/resourceGroups/${nodeRg}/providers/Microsoft.Compute/virtualMachineScaleSets/aks-np-1-vmss`;
    env.sim.seed.raw(vmss, {
      location: 'westus',
      sku: { name: 'Standard_D2s_v5', capacity: 1 },
      tags: { 'aks-managed-poolName': 'np' },
      properties: {},
    });
    const vmList = example('VirtualMachineScaleSetVMs_List_MinimumSet.json').responses['200']!.body! as {
      value: Record<string, unknown>[];
    };
    env.sim.seed.raw(`${vmss}/virtualMachines/0`, vmList.value[0]!);
    const nodes = await env.adapter.inventory!.listClusterInstances({ clusterName: 'ex-aks' });
    expect(nodes).toEqual([
      expect.objectContaining({
        zone: 'westus',
        instanceType: 'Standard_D2s_v5',
        vcpus: 2,
        memoryMiB: 8192,
        nodePool: 'np',
        state: 'unknown',
      }),
    ]);
  });
});
