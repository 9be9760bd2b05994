/**
 * The GCP conformance fixture: a GCE simulator seeded with two projects (the adapter's and a peer
 * for network peering), a GKE cluster's nodes, a disk to snapshot, and the real adapter
 * (@google-cloud/compute) pointed at it with a bearer token.
 */

import type { CloudAdapterConfig } from '../../../providers/cloud/registry.js';
import { createGcpAdapter } from '../../../providers/gcp/index.js';
import type { GceSim, SeedProject } from '../../../sim/gce/index.js';
import { startGceSim } from '../../../sim/gce/index.js';
import type { ConformanceEnv, ConformanceFixture } from '../conformance/fixture.js';

export const GCP_PROJECT = 'fedgate-demo';
export const GCP_PEER_PROJECT = 'fedgate-peer';
export const GCP_REGION = 'europe-west1';
export const GCP_CLUSTER = 'gke-eu';

/** The seeded state both projects start from. */
export function gcpSeed(): SeedProject[] {
  return [
    {
      id: GCP_PROJECT,
      networks: [
        {
          name: 'prod-vpc',
          subnets: [
            { name: 'prod-eu', region: GCP_REGION, cidr: '10.10.0.0/20' },
            { name: 'prod-us', region: 'us-central1', cidr: '10.10.16.0/20' },
          ],
        },
      ],
      nodePools: [
        {
          cluster: GCP_CLUSTER,
          pool: 'default-pool',
          machineType: 'e2-standard-4',
          zones: ['europe-west1-b', 'europe-west1-c'],
          count: 3,
          network: 'prod-vpc',
          subnetwork: 'prod-eu',
        },
        {
          cluster: GCP_CLUSTER,
          pool: 'highmem',
          machineType: 'n2-highmem-4',
          zones: ['europe-west1-d'],
          count: 1,
          network: 'prod-vpc',
          subnetwork: 'prod-eu',
        },
        {
          cluster: 'other-cluster',
          pool: 'default-pool',
          machineType: 'e2-medium',
          zones: ['europe-west1-b'],
          count: 2,
          network: 'prod-vpc',
          subnetwork: 'prod-eu',
        },
      ],
      disks: [{ name: 'data-disk', zone: 'europe-west1-b', sizeGb: 50 }],
    },
    {
      id: GCP_PEER_PROJECT,
      networks: [
        { name: 'peer-vpc', subnets: [{ name: 'peer-eu', region: GCP_REGION, cidr: '10.20.0.0/20' }] },
        { name: 'clash-vpc', subnets: [{ name: 'clash-eu', region: GCP_REGION, cidr: '10.10.0.0/24' }] },
      ],
    },
  ];
}

/** Options of the GCP fixture. */
export interface GcpFixtureOptions {
  /** Operation duration in the simulator (default 40 ms). */
  readonly operationDelayMs?: number;
}

/** The conformance environment plus the simulator itself, for the GCP-specific tests. */
export type GcpEnv = ConformanceEnv & { readonly sim: GceSim };

/** Starts a simulator and the adapters against it. */
export async function startGcpEnv(options: GcpFixtureOptions = {}): Promise<GcpEnv> {
  const token = `ya29.sim-${Math.random().toString(36).slice(2)}`;
  const peerToken = `ya29.peer-${Math.random().toString(36).slice(2)}`;
  const sim = await startGceSim({
    tokens: [token, peerToken],
    projects: gcpSeed(),
    operationDelayMs: options.operationDelayMs ?? 40,
  });
  const logged: string[] = [];
  const logger = {
    debug: (obj: object, msg?: string) => logged.push(JSON.stringify({ level: 'debug', msg, ...obj })),
    warn: (obj: object, msg?: string) => logged.push(JSON.stringify({ level: 'warn', msg, ...obj })),
  };
  const config = (account: string, accessToken: string): CloudAdapterConfig => ({
    scope: { account, region: GCP_REGION },
    endpoint: sim.url,
    credentials: { kind: 'gcp-token', accessToken },
    pollIntervalMs: 20,
    maxAttempts: 4,
    logger,
  });
  const adapters = [
    await createGcpAdapter(config(GCP_PROJECT, token)),
    await createGcpAdapter(config(GCP_PEER_PROJECT, peerToken)),
  ];
  const base = 'https://www.googleapis.com/compute/v1/projects';
  return {
    sim,
    adapter: adapters[0]!,
    peerAdapter: adapters[1]!,
    async badCredentialsAdapter() {
      const bad = await createGcpAdapter(config(GCP_PROJECT, 'ya29.wrong-token'));
      adapters.push(bad);
      return bad;
    },
    cluster: { selector: { clusterName: GCP_CLUSTER }, instances: 4 },
    networkId: `${base}/${GCP_PROJECT}/global/networks/prod-vpc`,
    peerNetworkId: `${base}/${GCP_PEER_PROJECT}/global/networks/peer-vpc`,
    overlappingPeerNetworkId: `${base}/${GCP_PEER_PROJECT}/global/networks/clash-vpc`,
    volume: { id: `${base}/${GCP_PROJECT}/zones/europe-west1-b/disks/data-disk`, zone: 'europe-west1-b' },
    faults: sim.faults,
    vpnNeedsBgp: true,
    routeVia: 'vpn-connection',
    countResources(kind) {
      const all = (c: string) => sim.resources(c);
      switch (kind) {
        case 'peering':
          return all('networks').reduce(
            (n, net) => n + ((net.peerings as unknown[] | undefined)?.length ?? 0),
            0,
          );
        case 'vpn-gateway':
          return all('vpnGateways').length;
        case 'peer-gateway':
          return all('externalVpnGateways').length;
        case 'vpn-connection':
          // A connection is its tunnels `<name>-<i>`: count the names.
          return new Set(all('vpnTunnels').map((t) => String(t.name).replace(/-\d+$/, ''))).size;
        case 'route':
          return all('routes').filter(
            (r) =>
              r.nextHopVpnTunnel !== undefined ||
              r.nextHopIp !== undefined ||
              r.nextHopInstance !== undefined,
          ).length;
        case 'snapshot':
          return all('snapshots').length;
        case 'volume':
          return all('disks').length;
      }
    },
    secrets: [token, peerToken],
    logged: () => [...logged],
    served: () => sim.served(),
    async teardown() {
      await Promise.all(adapters.map((a) => a.close()));
      await sim.close();
    },
  };
}

/** Builds the fixture the shared conformance suite runs. */
export function gcpFixture(options: GcpFixtureOptions = {}): ConformanceFixture {
  return { provider: 'gcp', setup: () => startGcpEnv(options) };
}
