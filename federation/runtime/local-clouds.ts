/**
 * The simulated clouds of `fedgate up`: the EC2, GCE and ARM simulators on 127.0.0.1, seeded so
 * each cloud cluster of the local fleet exists in its cloud (a VPC/VNet with the cluster's CIDR,
 * subnets per zone, and the cluster's nodes as instances tagged as EKS, GKE and AKS tag them); the
 * MemberClusters' `spec.cloud`; the CloudCredentials the simulators accept; and the on-prem site
 * file. Besides local-fleet.ts, the only product module allowed to import sim/ (see
 * scripts/check-layers.mjs).
 */
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { type ArmSim, startArmSim } from '../../sim/arm/index.js';
import { type Ec2Sim, startEc2Sim } from '../../sim/ec2/index.js';
import { type ClusterTopology, DEFAULT_FLEET, type FleetTopology } from '../../sim/fleet/index.js';
import { type GceSim, type SeedProject, startGceSim } from '../../sim/gce/index.js';
import type { CloudSide } from '../resources/cloud-side.js';
import { FEDGATE_API_VERSION } from '../resources/kinds.js';
import type { KubeObject } from '../resources/kube-object.js';

/** The simulated accounts: one per cloud. */
export const LOCAL_AWS_ACCOUNT = '111122223333';
export const LOCAL_GCP_PROJECT = 'fedgate-sim';
export const LOCAL_AZURE_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
/** The on-prem site's VPN endpoint (documentation range: nothing is ever sent there). */
export const LOCAL_ONPREM_VPN_IP = '203.0.113.10';

/** Options of the simulated clouds. */
export interface LocalCloudsOptions {
  /** Duration of the simulators' long-running operations, ms (default 150). */
  readonly operationMs?: number;
}

/** The running simulated clouds. */
export interface LocalClouds {
  readonly ec2: Ec2Sim;
  readonly gce: GceSim;
  readonly arm: ArmSim;
  /** `spec.cloud` of each cluster of the fleet, by name. */
  readonly cloudSides: ReadonlyMap<string, CloudSide>;
  /** The CloudCredentials the clusters name (secrets inside: store them sealed). */
  readonly credentials: readonly KubeObject[];
  /** The on-prem site file (YAML) the on-prem adapter reads for inventory. */
  readonly onpremSite: string;
  /** The endpoints and the credentials they accept, for people and other tools (YAML; keep it 0600). */
  endpointsFile(paths: { armCaFile: string }): string;
  /** API requests each simulator served so far. */
  served(): { readonly aws: number; readonly gcp: number; readonly azure: number };
  /** Throttles this fraction (0..1) of every simulator's requests. */
  throttleRate(p: number): void;
  close(): Promise<void>;
}

const CRED = { aws: 'local-aws', gcp: 'local-gcp', azure: 'local-azure' } as const;

/** Starts and seeds the three cloud simulators for the cloud clusters of `topology` (default: the local fleet). */
export async function startLocalClouds(
  topology: FleetTopology = DEFAULT_FLEET,
  opts: LocalCloudsOptions = {},
): Promise<LocalClouds> {
  const operationMs = opts.operationMs ?? 150;
  const aws = {
    accountId: LOCAL_AWS_ACCOUNT,
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  const gcpToken = `ya29.local-${randomBytes(18).toString('base64url')}`;
  const azureToken = `local-${randomBytes(24).toString('base64url')}`;
  const of = (p: ClusterTopology['provider']) => topology.clusters.filter((c) => c.provider === p);
  const started: { close(): Promise<void> }[] = [];
  try {
    const ec2 = await startEc2Sim({ accounts: [aws], operationMs });
    started.push(ec2);
    const gce = await startGceSim({
      tokens: [gcpToken],
      projects: [gceProject(of('gcp'))],
      operationDelayMs: operationMs,
    });
    started.push(gce);
    const arm = await startArmSim({
      tokens: [azureToken],
      subscriptions: [LOCAL_AZURE_SUBSCRIPTION],
      operationDelayMs: operationMs,
      retryAfterSeconds: 0,
    });
    started.push(arm);

    const sides = new Map<string, CloudSide>();
    for (const c of of('aws')) sides.set(c.name, seedAws(ec2, c));
    for (const c of of('gcp'))
      sides.set(c.name, {
        account: LOCAL_GCP_PROJECT,
        clusterName: c.name,
        networkId: `https://www.googleapis.com/compute/v1/projects/${LOCAL_GCP_PROJECT}/global/networks/${c.network.vpcName}`,
        endpoint: gce.url,
        credentials: { secretRef: { name: CRED.gcp } },
      });
    for (const c of of('azure')) sides.set(c.name, seedAzure(arm, c));
    for (const c of of('onprem'))
      sides.set(c.name, {
        account: c.name,
        clusterName: c.name,
        networkId: c.network.vpcName,
        vpn: { publicIp: LOCAL_ONPREM_VPN_IP },
      });

    const credential = (name: string, spec: Record<string, unknown>): KubeObject => ({
      apiVersion: FEDGATE_API_VERSION,
      kind: 'CloudCredential',
      metadata: { name, labels: { 'fedgate.dev/local-fleet': 'true' } },
      spec,
    });
    const credentials = [
      credential(CRED.aws, {
        provider: 'aws',
        accessKeyId: aws.accessKeyId,
        secretAccessKey: aws.secretAccessKey,
      }),
      credential(CRED.gcp, { provider: 'gcp', accessToken: gcpToken }),
      credential(CRED.azure, { provider: 'azure', token: azureToken }),
    ];
    return {
      ec2,
      gce,
      arm,
      cloudSides: sides,
      credentials,
      onpremSite: onpremSite(of('onprem')),
      endpointsFile: ({ armCaFile }) =>
        '# The simulated clouds of fedgate up and the credentials they accept. Keep this file private.\n' +
        stringify({
          aws: {
            endpoint: ec2.url,
            accountId: LOCAL_AWS_ACCOUNT,
            accessKeyId: aws.accessKeyId,
            secretAccessKey: aws.secretAccessKey,
            try: `AWS_ACCESS_KEY_ID=${aws.accessKeyId} AWS_SECRET_ACCESS_KEY=… aws ec2 describe-vpcs --endpoint-url ${ec2.url} --region us-east-1`,
          },
          gcp: {
            endpoint: `${gce.url}/compute/v1/`,
            project: LOCAL_GCP_PROJECT,
            accessToken: gcpToken,
            try: `curl -H "Authorization: Bearer $TOKEN" ${gce.url}/compute/v1/projects/${LOCAL_GCP_PROJECT}/global/networks`,
          },
          azure: {
            endpoint: arm.url,
            subscriptionId: LOCAL_AZURE_SUBSCRIPTION,
            token: azureToken,
            caFile: armCaFile,
            try: `curl --cacert ${armCaFile} -H "Authorization: Bearer $TOKEN" '${arm.url}/subscriptions/${LOCAL_AZURE_SUBSCRIPTION}/providers/Microsoft.Network/virtualNetworks?api-version=2024-05-01'`,
          },
        }),
      served: () => ({
        aws: total(ec2.served()),
        gcp: total(gce.served()),
        azure: total(arm.served()),
      }),
      throttleRate(p) {
        ec2.faults.throttleRate(p);
        gce.faults.throttleRate(p);
        arm.faults.throttleRate(p);
      },
      async close() {
        await Promise.allSettled(started.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw err;
  }
}

/** Subnets of a cluster's /16, one /20 per zone in order (the nodes' addresses fall in the first). */
function zoneSubnets(c: ClusterTopology): { zone: string; cidr: string }[] {
  const zones = [...new Set(c.nodes.map((n) => n.zone ?? c.zone))];
  const [a, b] = c.network.vpcCidr.split('.');
  return zones.map((zone, i) => ({ zone, cidr: `${a}.${b}.${i * 16}.0/20` }));
}

/** Nodes grouped by instance type, in the order they first appear. */
function byType(c: ClusterTopology): Map<string, ClusterTopology['nodes']> {
  const groups = new Map<string, ClusterTopology['nodes']>();
  for (const n of c.nodes) {
    const t = n.instanceType ?? 'unknown';
    groups.set(t, [...(groups.get(t) ?? []), n]);
  }
  return groups;
}

function seedAws(ec2: Ec2Sim, c: ClusterTopology): CloudSide {
  const subnets = zoneSubnets(c);
  const net = ec2.seed.network({
    account: LOCAL_AWS_ACCOUNT,
    region: c.region,
    name: c.network.vpcName,
    cidr: c.network.vpcCidr,
    subnets: subnets.map((s) => ({ ...s, name: `${c.network.vpcName}-${s.zone}` })),
  });
  for (const [type, nodes] of byType(c)) {
    // Each node lands in its own zone's subnet, as the EKS node group spreads them.
    const subnetIds = nodes.map((n) => net.subnetIds[subnets.findIndex((s) => s.zone === n.zone)]!);
    ec2.seed.cluster({
      clusterName: c.name,
      subnetIds,
      instanceType: type,
      count: nodes.length,
      nodegroup: `${c.name}-${type.replace(/\W+/g, '-')}`,
    });
  }
  return {
    account: LOCAL_AWS_ACCOUNT,
    clusterName: c.name,
    networkId: net.vpcId,
    endpoint: ec2.url,
    credentials: { secretRef: { name: CRED.aws } },
  };
}

function gceProject(clusters: readonly ClusterTopology[]): SeedProject {
  return {
    id: LOCAL_GCP_PROJECT,
    networks: clusters.map((c) => ({
      name: c.network.vpcName,
      subnets: [{ name: `${c.network.vpcName}-${c.region}`, region: c.region, cidr: c.network.vpcCidr }],
    })),
    nodePools: clusters.flatMap((c) =>
      [...byType(c)].map(([type, nodes], i) => ({
        cluster: c.name,
        pool: i === 0 ? 'default-pool' : `pool-${i + 1}`,
        machineType: type,
        zones: [...new Set(nodes.map((n) => n.zone ?? c.zone))],
        count: nodes.length,
        network: c.network.vpcName,
        subnetwork: `${c.network.vpcName}-${c.region}`,
      })),
    ),
  };
}

function seedAzure(arm: ArmSim, c: ClusterTopology): CloudSide {
  const resourceGroup = `rg-${c.name}`;
  arm.seed.resourceGroup(LOCAL_AZURE_SUBSCRIPTION, resourceGroup, c.region);
  const [a, b] = c.network.vpcCidr.split('.');
  const vnetId = arm.seed.virtualNetwork(
    LOCAL_AZURE_SUBSCRIPTION,
    resourceGroup,
    c.network.vpcName,
    c.region,
    [c.network.vpcCidr],
    [
      { name: 'nodes', prefix: `${a}.${b}.0.0/20` },
      // Where a VPN gateway goes, should a peering need one.
      { name: 'GatewaySubnet', prefix: `${a}.${b}.255.0/27` },
    ],
  );
  arm.seed.aksCluster({
    subscription: LOCAL_AZURE_SUBSCRIPTION,
    resourceGroup,
    clusterName: c.name,
    location: c.region,
    subnetId: `${vnetId}/subnets/nodes`,
    pools: [...byType(c)].map(([type, nodes], i) => ({
      name: i === 0 ? 'nodepool1' : `nodepool${i + 1}`,
      vmSize: type,
      count: nodes.length,
      // AKS zones are numbers; the fleet names them `<region>-<n>`.
      zones: [...new Set(nodes.map((n) => (n.zone ?? '').split('-').at(-1) ?? '1'))],
    })),
  });
  return {
    account: LOCAL_AZURE_SUBSCRIPTION,
    resourceGroup,
    clusterName: c.name,
    networkId: vnetId,
    endpoint: arm.url,
    credentials: { secretRef: { name: CRED.azure } },
  };
}

/** The on-prem site file: each on-prem cluster's network and nodes (the bare-metal inventory). */
function onpremSite(clusters: readonly ClusterTopology[]): string {
  const first = clusters[0];
  if (!first) return '';
  const zones = [...new Set(clusters.flatMap((c) => c.nodes.map((n) => n.zone ?? c.zone)))];
  return stringify({
    site: first.name,
    region: first.region,
    zones,
    vpnEndpoints: [{ name: `${first.name}-vpn`, publicIp: LOCAL_ONPREM_VPN_IP, asn: 65010 }],
    networks: clusters.map((c) => ({
      name: c.network.vpcName,
      cidrs: [c.network.vpcCidr],
      subnets: [{ name: 'nodes', cidr: c.network.vpcCidr }],
    })),
    clusters: clusters.map((c) => ({
      name: c.name,
      nodes: c.nodes.map((n) => ({
        name: n.name,
        zone: n.zone ?? c.zone,
        instanceType: n.instanceType ?? 'bare-metal',
        vcpus: Number(n.cpu),
        memoryMiB: Number.parseInt(n.memory, 10) * 1024,
        ...(n.internalIP ? { ip: n.internalIP } : {}),
        network: c.network.vpcName,
        subnet: 'nodes',
      })),
    })),
  });
}

function total(served: Readonly<Record<string, number>>): number {
  return Object.values(served).reduce((n, v) => n + v, 0);
}
