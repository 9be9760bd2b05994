/**
 * The ARM simulator's virtual network gateways refuse what ARM refuses, on the wire (plain HTTPS,
 * no SDK): a VNet has one VPN gateway, so a PUT of a second VPN gateway in its GatewaySubnet is a
 * 400 with ARM's error body, and nothing is made; a gateway in another VNet is accepted.
 */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArmSim, startArmSim } from '../../sim/arm/index.js';
import { waitFor } from '../support/wait-for.js';

const SUB = '3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const RG = 'wire-vpn';
const REGION = 'westeurope';
const TOKEN = `sim-token-${crypto.randomUUID()}`;
const API = 'api-version=2024-05-01';

let sim: ArmSim;
const vnets: string[] = [];

beforeAll(async () => {
  sim = await startArmSim({
    tokens: [TOKEN],
    subscriptions: [SUB],
    operationDelayMs: 20,
    retryAfterSeconds: 0,
  });
  sim.seed.resourceGroup(SUB, RG, REGION);
  for (const [i, name] of ['vnet-one', 'vnet-two'].entries())
    vnets.push(
      sim.seed.virtualNetwork(
        SUB,
        RG,
        name,
        REGION,
        [`10.${50 + i}.0.0/16`],
        [{ name: 'GatewaySubnet', prefix: `10.${50 + i}.255.0/27` }],
      ),
    );
});
afterAll(async () => {
  await sim?.close();
});

function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(`${path}?${API}`, sim.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: sim.caPem,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const group = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network`;

async function putGateway(name: string, vnet: string) {
  const pip = await call('PUT', `${group}/publicIPAddresses/${name}-pip`, {
    location: REGION,
    sku: { name: 'Standard', tier: 'Regional' },
    properties: { publicIPAllocationMethod: 'Static' },
  });
  expect(pip.status).toBeLessThan(300);
  return call('PUT', `${group}/virtualNetworkGateways/${name}`, {
    location: REGION,
    properties: {
      gatewayType: 'Vpn',
      vpnType: 'RouteBased',
      sku: { name: 'VpnGw1', tier: 'VpnGw1' },
      ipConfigurations: [
        {
          name: 'default',
          properties: {
            privateIPAllocationMethod: 'Dynamic',
            subnet: { id: `${vnet}/subnets/GatewaySubnet` },
            publicIPAddress: { id: `${group}/publicIPAddresses/${name}-pip` },
          },
        },
      ],
    },
  });
}

describe('ARM simulator: one VPN gateway per virtual network', () => {
  it('a second VPN gateway in a VNet is refused with a 400 and ARM error body, and nothing is made', async () => {
    const first = await putGateway('gw-first', vnets[0]!);
    expect(first.status).toBe(201);
    await waitFor('the first gateway to be provisioned', async () => {
      const g = await call('GET', `${group}/virtualNetworkGateways/gw-first`);
      return (g.json.properties as { provisioningState?: string }).provisioningState === 'Succeeded';
    });

    const second = await putGateway('gw-second', vnets[0]!);
    expect(second.status).toBe(400);
    const error = second.json.error as { code: string; message: string };
    expect(Object.keys(second.json)).toEqual(['error']);
    expect(error.code).toBe('VnetAlreadyHasVpnGateway');
    expect(error.message).toContain('gw-first');
    expect((await call('GET', `${group}/virtualNetworkGateways/gw-second`)).status).toBe(404);

    // The same gateway PUT again (an update) is not a second one; another VNet takes its own.
    expect((await putGateway('gw-first', vnets[0]!)).status).toBeLessThan(300);
    expect((await putGateway('gw-other', vnets[1]!)).status).toBe(201);
  });
});
