import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudAdapters } from '../../../federation/cloud/cloud-adapters.js';
import type { CloudCredentialSpec } from '../../../federation/resources/cloud-credential.js';
import { builtinCloudProviders } from '../../../federation/runtime/cloud-providers.js';
import { type Ec2Sim, startEc2Sim } from '../../../sim/ec2/index.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const ACCOUNT = {
  accountId: '111122223333',
  accessKeyId: 'AKIAFEDGATEINVENTORY',
  secretAccessKey: 'inventory/secret/key/0123456789abcdefABCD',
};

describe('cloud inventory of a registered cluster, through the AWS SDK against the EC2 simulator', () => {
  let sim: Ec2Sim;
  let cp: TestControlPlane;
  let vpcId: string;
  const credentials: Record<string, CloudCredentialSpec> = {
    'aws-prod': {
      provider: 'aws',
      accessKeyId: ACCOUNT.accessKeyId,
      secretAccessKey: ACCOUNT.secretAccessKey,
    },
    'aws-wrong': {
      provider: 'aws',
      accessKeyId: ACCOUNT.accessKeyId,
      secretAccessKey: 'not/the/secret/0123456789abcdefABCDEFGH',
    },
  };

  beforeAll(async () => {
    sim = await startEc2Sim({ accounts: [ACCOUNT], operationMs: 50 });
    const net = sim.seed.network({
      account: ACCOUNT.accountId,
      region: 'eu-west-1',
      name: 'eks-prod-vpc',
      cidr: '10.21.0.0/16',
      subnets: [
        { cidr: '10.21.1.0/24', zone: 'eu-west-1a' },
        { cidr: '10.21.2.0/24', zone: 'eu-west-1b' },
      ],
    });
    vpcId = net.vpcId;
    sim.seed.cluster({
      clusterName: 'eks-prod',
      subnetIds: net.subnetIds,
      instanceType: 'm5.xlarge',
      count: 3,
    });
    cp = await startTestControlPlane([], {
      workerProps: {
        cloud: new CloudAdapters({
          registry: builtinCloudProviders(),
          credentials: async (name) => credentials[name],
          pollIntervalMs: 25,
        }),
      },
    });
  }, 60_000);
  afterAll(async () => {
    await cp?.close();
    await sim?.close();
  });

  const register = (name: string, secret: string) =>
    cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'MemberCluster',
        metadata: { name },
        spec: {
          provider: 'aws',
          region: 'eu-west-1',
          connection: { server: 'https://127.0.0.1:1' },
          cloud: {
            account: ACCOUNT.accountId,
            clusterName: 'eks-prod',
            endpoint: sim.url,
            credentials: { secretRef: { name: secret } },
          },
        },
      },
    ]);

  it('fills status.cloud with the nodes by zone, their instance types and the VPC, discovered through DescribeInstances/DescribeVpcs', async () => {
    expect((await register('aws-prod', 'aws-prod')).status).toBe(200);
    const status = await waitFor(
      'inventory discovered',
      async () => {
        const res = await cp.request('GET', '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev/aws-prod');
        const st = (
          res.body as {
            status?: { cloud?: Record<string, unknown>; conditions?: { type: string; status: string }[] };
          }
        ).status;
        return st?.conditions?.some((c) => c.type === 'CloudInventory' && c.status === 'True')
          ? st
          : undefined;
      },
      60_000,
    );
    const cloud = status.cloud as {
      zones: Record<string, { instances: number; vcpus: number }>;
      instanceTypes: Record<string, number>;
      instances: { zone: string; instanceType: string; count: number; vcpus: number; memoryMiB: number }[];
      network: { id: string; cidrs: string[]; subnets: unknown[] };
      apiCalls: Record<string, number>;
    };
    expect(cloud.instanceTypes).toEqual({ 'm5.xlarge': 3 });
    // By zone and type, with each instance's shape: what placement prices and caps the cluster by.
    expect(cloud.instances).toEqual([
      { zone: 'eu-west-1a', instanceType: 'm5.xlarge', count: 2, vcpus: 4, memoryMiB: 16384 },
      { zone: 'eu-west-1b', instanceType: 'm5.xlarge', count: 1, vcpus: 4, memoryMiB: 16384 },
    ]);
    expect(Object.values(cloud.zones).reduce((n, z) => n + z.instances, 0)).toBe(3);
    expect(Object.values(cloud.zones).reduce((n, z) => n + z.vcpus, 0)).toBe(12);
    expect(cloud.network).toMatchObject({ id: vpcId, cidrs: ['10.21.0.0/16'] });
    expect(cloud.network.subnets).toHaveLength(2);
    expect(Object.keys(cloud.apiCalls).sort()).toEqual(
      expect.arrayContaining(['DescribeInstances', 'DescribeVpcs']),
    );
  }, 90_000);

  it('says which provider refused a wrong credential, in the CloudInventory condition, and keeps the secret out of it', async () => {
    expect((await register('aws-bad', 'aws-wrong')).status).toBe(200);
    const cond = await waitFor(
      'inventory refused',
      async () => {
        const res = await cp.request('GET', '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev/aws-bad');
        const st = (
          res.body as {
            status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
          }
        ).status;
        return st?.conditions?.find((c) => c.type === 'CloudInventory' && c.status === 'False');
      },
      60_000,
    );
    expect(cond.reason).toBe('CloudUnauthorized');
    expect(cond.message).toMatch(/^aws: /);
    expect(JSON.stringify(cond)).not.toContain(
      credentials['aws-wrong']!.provider === 'aws' ? 'not/the/secret' : '',
    );
  }, 90_000);
});
