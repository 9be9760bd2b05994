/**
 * The Azure conformance fixture: an ARM simulator on 127.0.0.1 (HTTPS, its own certificate)
 * seeded with two subscriptions, a VNet with a GatewaySubnet, a peer VNet, an AKS cluster of five
 * scale-set nodes over three zones and a managed disk, and the real Azure adapter pointed at it.
 */

import { createAzureAdapter } from '../../../providers/azure/index.js';
import type { CloudAdapter } from '../../../providers/cloud/adapter.js';
import type { AdapterLogger, CloudAdapterConfig } from '../../../providers/cloud/registry.js';
import {
  type ArmFaultSwitches,
  type ArmSim,
  type ArmSimOptions,
  startArmSim,
} from '../../../sim/arm/index.js';
import type { ConformanceEnv, ConformanceFixture } from '../conformance/fixture.js';

export const SUBSCRIPTION = '6f1c2a34-5b6d-4e7f-8091-a2b3c4d5e6f7';
export const PEER_SUBSCRIPTION = '0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';
export const RESOURCE_GROUP = 'fedgate-weu';
export const PEER_RESOURCE_GROUP = 'fedgate-neu';
export const REGION = 'westeurope';
export const PEER_REGION = 'northeurope';
export const CLUSTER = 'aks-weu';

/** Conformance resource kinds (see the shared fixture contract) and the ARM types that hold them. */
const KIND_TYPES = {
  peering: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
  'vpn-gateway': 'Microsoft.Network/virtualNetworkGateways',
  'peer-gateway': 'Microsoft.Network/localNetworkGateways',
  'vpn-connection': 'Microsoft.Network/connections',
  route: 'Microsoft.Network/routeTables/routes',
  snapshot: 'Microsoft.Compute/snapshots',
  volume: 'Microsoft.Compute/disks',
} as const;

/** A conformance resource kind. */
export type AzureResourceKind = keyof typeof KIND_TYPES;

/** What the Azure tests get besides the conformance environment. */
export interface AzureEnv extends ConformanceEnv {
  /** The same subscription and resource group in another region (the target of CopyStart). */
  readonly otherRegionAdapter: CloudAdapter;
  /** Azure routes send traffic to the VNet's gateway. */
  readonly routeVia: 'vpn-gateway';
  readonly faults: ArmFaultSwitches;
  badCredentialsAdapter(): Promise<CloudAdapter>;
  /** Live resources of a kind over all scopes. */
  countResources(kind: AzureResourceKind): number;
  readonly sim: ArmSim;
  readonly token: string;
  /** The peer scope's adapter (always present for Azure). */
  readonly peer: CloudAdapter;
  /** Builds another adapter on the simulator (own logger sink), closed at teardown. */
  adapterFor(overrides?: Partial<CloudAdapterConfig>): Promise<CloudAdapter>;
  readonly gatewaySubnetId: string;
}

/** Starts a seeded simulator and the adapters; `sim` options override the defaults. */
export async function startAzureEnv(simOptions: Partial<ArmSimOptions> = {}): Promise<AzureEnv> {
  const token = `sim-token-${crypto.randomUUID()}`;
  const sim = await startArmSim({
    tokens: [token],
    subscriptions: [SUBSCRIPTION, PEER_SUBSCRIPTION],
    operationDelayMs: 50,
    retryAfterSeconds: 0,
    throttleRetryAfterSeconds: 1,
    copyDurationMs: 600,
    ...simOptions,
  });
  sim.seed.resourceGroup(SUBSCRIPTION, RESOURCE_GROUP, REGION);
  sim.seed.resourceGroup(PEER_SUBSCRIPTION, PEER_RESOURCE_GROUP, PEER_REGION);
  const networkId = sim.seed.virtualNetwork(
    SUBSCRIPTION,
    RESOURCE_GROUP,
    'vnet-weu',
    REGION,
    ['10.10.0.0/16'],
    [
      { name: 'nodes', prefix: '10.10.0.0/20' },
      { name: 'GatewaySubnet', prefix: '10.10.255.0/27' },
    ],
  );
  const peerNetworkId = sim.seed.virtualNetwork(
    PEER_SUBSCRIPTION,
    PEER_RESOURCE_GROUP,
    'vnet-neu',
    PEER_REGION,
    ['10.20.0.0/16'],
    [{ name: 'nodes', prefix: '10.20.0.0/20' }],
  );
  const overlappingPeerNetworkId = sim.seed.virtualNetwork(
    PEER_SUBSCRIPTION,
    PEER_RESOURCE_GROUP,
    'vnet-clash',
    PEER_REGION,
    ['10.10.0.0/20'],
    [{ name: 'nodes', prefix: '10.10.0.0/24' }],
  );
  const cluster = sim.seed.aksCluster({
    subscription: SUBSCRIPTION,
    resourceGroup: RESOURCE_GROUP,
    clusterName: CLUSTER,
    location: REGION,
    subnetId: `${networkId}/subnets/nodes`,
    pools: [
      { name: 'system', vmSize: 'Standard_D4s_v5', count: 3, zones: ['1', '2', '3'] },
      { name: 'user', vmSize: 'Standard_E4s_v5', count: 2, zones: ['1', '2'] },
    ],
  });
  const volumeId = sim.seed.disk(SUBSCRIPTION, RESOURCE_GROUP, 'data-0', REGION, 64, '1');

  const logs: string[] = [];
  const logger: AdapterLogger = {
    debug: (obj, msg) => logs.push(`${JSON.stringify(obj)} ${msg ?? ''}`),
    warn: (obj, msg) => logs.push(`${JSON.stringify(obj)} ${msg ?? ''}`),
  };
  const adapters: CloudAdapter[] = [];
  const adapterFor = async (overrides: Partial<CloudAdapterConfig> = {}) => {
    const a = await createAzureAdapter({
      scope: { account: SUBSCRIPTION, resourceGroup: RESOURCE_GROUP, region: REGION },
      endpoint: sim.url,
      caPem: sim.caPem,
      credentials: { kind: 'azure-token', token },
      pollIntervalMs: 20,
      maxAttempts: 5,
      logger,
      ...overrides,
    });
    adapters.push(a);
    return a;
  };
  const adapter = await adapterFor();
  const peer = await adapterFor({
    scope: { account: PEER_SUBSCRIPTION, resourceGroup: PEER_RESOURCE_GROUP, region: PEER_REGION },
  });
  const otherRegion = await adapterFor({
    scope: { account: SUBSCRIPTION, resourceGroup: RESOURCE_GROUP, region: PEER_REGION },
  });
  return {
    sim,
    token,
    adapter,
    peer,
    peerAdapter: peer,
    otherRegionAdapter: otherRegion,
    routeVia: 'vpn-gateway',
    countResources: (kind) => sim.resources(KIND_TYPES[kind]).length,
    adapterFor,
    badCredentialsAdapter: () => adapterFor({ credentials: { kind: 'azure-token', token: 'not-the-token' } }),
    cluster: { selector: { clusterName: CLUSTER }, instances: cluster.vmIds.length },
    networkId,
    peerNetworkId,
    overlappingPeerNetworkId,
    gatewaySubnetId: `${networkId}/subnets/GatewaySubnet`,
    volume: { id: volumeId, zone: `${REGION}-1` },
    faults: sim.faults,
    secrets: [token],
    logged: () => [...logs],
    served: () => sim.served(),
    teardown: async () => {
      await Promise.all(adapters.map((a) => a.close()));
      await sim.close();
    },
  };
}

/** The fixture the shared conformance suite runs. */
export const azureFixture: ConformanceFixture = {
  provider: 'azure',
  setup: () => startAzureEnv(),
};
