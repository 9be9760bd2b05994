import { createAwsAdapter } from '../../../providers/aws/index.js';
import type { CloudAdapter } from '../../../providers/cloud/adapter.js';
import type { AdapterLogger, CloudAdapterConfig } from '../../../providers/cloud/registry.js';
import type { CloudScope } from '../../../providers/cloud/types.js';
import { type Ec2Account, type Ec2Sim, startEc2Sim } from '../../../sim/ec2/index.js';
import type { ConformanceEnv, ConformanceFixture } from '../conformance/fixture.js';

/** Two accounts: the cluster's, and a peer's (cross-account, cross-region peering). */
export const ACCOUNT_A: Ec2Account = {
  accountId: '111122223333',
  accessKeyId: 'AKIAFEDGATETESTAAAAA',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEYAAA',
};
export const ACCOUNT_B: Ec2Account = {
  accountId: '444455556666',
  accessKeyId: 'AKIAFEDGATETESTBBBBB',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbTESTKEYBBB',
};

/** A simulator seeded with a network, an EKS cluster's nodes and a volume, and adapters on it. */
export interface AwsTestEnv extends ConformanceEnv {
  readonly sim: Ec2Sim;
  readonly subnetIds: readonly string[];
  /** Builds another adapter on the simulator (its logger writes to `logged()`). */
  adapterFor(
    account: Ec2Account,
    region: string,
    overrides?: Partial<CloudAdapterConfig>,
  ): Promise<CloudAdapter>;
}

/** Starts a seeded EC2 simulator and AWS adapters pointed at it. */
export async function startAwsEnv(opts: { operationMs?: number } = {}): Promise<AwsTestEnv> {
  const sim = await startEc2Sim({ accounts: [ACCOUNT_A, ACCOUNT_B], operationMs: opts.operationMs ?? 150 });
  const logged: string[] = [];
  const logger: AdapterLogger = {
    debug: (obj, msg) => logged.push(JSON.stringify({ level: 'debug', msg, ...obj })),
    warn: (obj, msg) => logged.push(JSON.stringify({ level: 'warn', msg, ...obj })),
  };
  const adapters: CloudAdapter[] = [];
  async function adapterFor(
    account: Ec2Account,
    region: string,
    overrides: Partial<CloudAdapterConfig> = {},
  ) {
    const scope: CloudScope = { account: account.accountId, region };
    const a = await createAwsAdapter({
      scope,
      endpoint: sim.url,
      credentials: {
        kind: 'aws',
        accessKeyId: account.accessKeyId,
        secretAccessKey: account.secretAccessKey,
      },
      pollIntervalMs: 25,
      maxAttempts: 4,
      logger,
      ...overrides,
    });
    adapters.push(a);
    return a;
  }

  const net = sim.seed.network({
    account: ACCOUNT_A.accountId,
    region: 'eu-west-1',
    name: 'eks-a-vpc',
    cidr: '10.10.0.0/16',
    subnets: [
      { cidr: '10.10.1.0/24', zone: 'eu-west-1a' },
      { cidr: '10.10.2.0/24', zone: 'eu-west-1b' },
    ],
  });
  sim.seed.network({
    account: ACCOUNT_A.accountId,
    region: 'eu-west-1',
    name: 'other-vpc',
    cidr: '10.11.0.0/16',
    subnets: [{ cidr: '10.11.0.0/20', zone: 'eu-west-1c' }],
  });
  sim.seed.cluster({ clusterName: 'eks-a', subnetIds: net.subnetIds, instanceType: 'm5.xlarge', count: 3 });
  sim.seed.cluster({
    clusterName: 'eks-other',
    subnetIds: net.subnetIds,
    instanceType: 't3.large',
    count: 2,
  });
  const peerNet = sim.seed.network({
    account: ACCOUNT_B.accountId,
    region: 'eu-central-1',
    name: 'peer-vpc',
    cidr: '10.20.0.0/16',
    subnets: [{ cidr: '10.20.1.0/24', zone: 'eu-central-1a' }],
  });
  const clashNet = sim.seed.network({
    account: ACCOUNT_B.accountId,
    region: 'eu-central-1',
    name: 'clash-vpc',
    cidr: '10.10.0.0/20',
    subnets: [{ cidr: '10.10.0.0/24', zone: 'eu-central-1a' }],
  });
  const volumeId = sim.seed.volume(ACCOUNT_A.accountId, 'eu-west-1', 'eu-west-1a', 20, 'eks-a-pv-1');

  const adapter = await adapterFor(ACCOUNT_A, 'eu-west-1');
  const peerAdapter = await adapterFor(ACCOUNT_B, 'eu-central-1');
  const otherRegionAdapter = await adapterFor(ACCOUNT_A, 'us-east-1');
  return {
    sim,
    subnetIds: net.subnetIds,
    adapterFor,
    adapter,
    peerAdapter,
    otherRegionAdapter,
    badCredentialsAdapter: () =>
      adapterFor(
        { ...ACCOUNT_A, secretAccessKey: `${ACCOUNT_A.secretAccessKey.slice(0, -3)}XYZ` },
        'eu-west-1',
      ),
    cluster: { selector: { clusterName: 'eks-a' }, instances: 3 },
    networkId: net.vpcId,
    peerNetworkId: peerNet.vpcId,
    overlappingPeerNetworkId: clashNet.vpcId,
    volume: { id: volumeId, zone: 'eu-west-1a' },
    faults: sim.faults,
    secrets: [ACCOUNT_A.secretAccessKey, ACCOUNT_B.secretAccessKey],
    logged: () => [...logged],
    served: () => sim.served(),
    countResources: (kind) => sim.countLive(kind),
    teardown: async () => {
      await Promise.all(adapters.map((a) => a.close()));
      await sim.close();
    },
  };
}

/** The AWS adapter's conformance fixture. */
export const awsFixture: ConformanceFixture = { provider: 'aws', setup: () => startAwsEnv() };
