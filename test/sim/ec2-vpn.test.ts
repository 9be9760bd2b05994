/**
 * The EC2 simulator's virtual private gateways refuse what EC2 refuses, through the real SDK on the
 * wire: a VPC takes one virtual private gateway (a second is InvalidVpcState), a gateway attaches
 * to one VPC (a second VPC is VpnGatewayAttachmentLimitExceeded), both as EC2's XML error (the
 * SDK reads code, message and request id from `<Response><Errors><Error>`) and changing nothing.
 */
import {
  AttachVpnGatewayCommand,
  CreateVpnGatewayCommand,
  DescribeVpnGatewaysCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ec2Sim, startEc2Sim } from '../../sim/ec2/index.js';

const ACCOUNT = {
  accountId: '777788889999',
  accessKeyId: 'AKIAFEDGATEWIREVPN01',
  secretAccessKey: 'q8vXw2LmVtYpR4sZ9nKc3JdHf6GbTESTKEYVPN01',
};
const REGION = 'eu-west-1';

let sim: Ec2Sim;
let ec2: EC2Client;
let vpcs: string[];

beforeAll(async () => {
  sim = await startEc2Sim({ accounts: [ACCOUNT], operationMs: 20 });
  vpcs = ['vpn-a', 'vpn-b'].map(
    (name, i) =>
      sim.seed.network({
        account: ACCOUNT.accountId,
        region: REGION,
        name,
        cidr: `10.${40 + i}.0.0/16`,
        subnets: [{ cidr: `10.${40 + i}.0.0/20`, zone: `${REGION}a` }],
      }).vpcId,
  );
  ec2 = new EC2Client({
    endpoint: sim.url,
    region: REGION,
    maxAttempts: 1,
    credentials: { accessKeyId: ACCOUNT.accessKeyId, secretAccessKey: ACCOUNT.secretAccessKey },
  });
});
afterAll(async () => {
  ec2?.destroy();
  await sim?.close();
});

async function newVgw(): Promise<string> {
  const out = await ec2.send(new CreateVpnGatewayCommand({ Type: 'ipsec.1' }));
  return out.VpnGateway!.VpnGatewayId!;
}

async function failure(p: Promise<unknown>): Promise<EC2ServiceException> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EC2ServiceException);
  return err as EC2ServiceException;
}

async function attachmentsOf(id: string) {
  const out = await ec2.send(new DescribeVpnGatewaysCommand({ VpnGatewayIds: [id] }));
  return (out.VpnGateways?.[0]?.VpcAttachments ?? []).filter((a) => a.State !== 'detached');
}

describe('EC2 simulator: virtual private gateway attachments', () => {
  it('a VPC with a virtual private gateway attached refuses a second one: InvalidVpcState, nothing attached', async () => {
    const first = await newVgw();
    const second = await newVgw();
    await ec2.send(new AttachVpnGatewayCommand({ VpnGatewayId: first, VpcId: vpcs[0] }));

    const err = await failure(
      ec2.send(new AttachVpnGatewayCommand({ VpnGatewayId: second, VpcId: vpcs[0] })),
    );
    expect(err.name).toBe('InvalidVpcState');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$metadata.requestId).toMatch(/\S/);
    expect(err.message).toContain(`VPC ${vpcs[0]} is currently attached to the Virtual Private Gateway`);
    expect(await attachmentsOf(second)).toEqual([]);
    expect((await attachmentsOf(first)).map((a) => a.VpcId)).toEqual([vpcs[0]]);
  });

  it('a virtual private gateway attached to one VPC refuses another: VpnGatewayAttachmentLimitExceeded', async () => {
    const gw = await newVgw();
    await ec2.send(new AttachVpnGatewayCommand({ VpnGatewayId: gw, VpcId: vpcs[1] }));
    const err = await failure(ec2.send(new AttachVpnGatewayCommand({ VpnGatewayId: gw, VpcId: vpcs[0] })));
    expect(err.name).toBe('VpnGatewayAttachmentLimitExceeded');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect((await attachmentsOf(gw)).map((a) => a.VpcId)).toEqual([vpcs[1]]);
  });
});
