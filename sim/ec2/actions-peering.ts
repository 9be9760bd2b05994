/**
 * VPC peering: a request goes to pending-acceptance (or failed when the peer VPC is missing or
 * the CIDRs overlap); the accepter's account, in the accepter's region, accepts it: provisioning,
 * then active. Both sides see it; a deleted one stays visible as `deleted`, as in EC2.
 */
import type { ActionContext, ActionHandler } from './context.js';
import { Ec2Error, notFound } from './errors.js';
import { isoTime, phaseOf } from './lifecycle.js';
import type { Peering } from './model.js';
import { applyFilters, byIds, paginate } from './select.js';
import { owned } from './store.js';
import { tagSet, type XmlObject } from './xml.js';

const WEEK_MS = 7 * 24 * 3600_000;

/** The peering actions by name. */
export const peeringActions: Readonly<Record<string, ActionHandler>> = {
  CreateVpcPeeringConnection: (ctx) => {
    const vpcId = ctx.params.required('VpcId');
    const vpc = ctx.store.vpcs.get(vpcId);
    if (!vpc || vpc.account !== ctx.account || vpc.region !== ctx.region)
      throw notFound('InvalidVpcID.NotFound', 'vpc', vpcId);
    const peerVpcId = ctx.params.required('PeerVpcId');
    const peerAccount = ctx.params.get('PeerOwnerId') ?? ctx.account;
    const peerRegion = ctx.params.get('PeerRegion') ?? ctx.region;
    const peerVpc = ctx.store.vpcs.get(peerVpcId);
    const found = peerVpc && peerVpc.account === peerAccount && peerVpc.region === peerRegion;
    const overlap = found && overlaps(vpc.cidr, peerVpc.cidr);
    const p: Peering = {
      ...owned(
        ctx.store.newId('pcx'),
        ctx.account,
        ctx.region,
        ctx.now,
        ctx.params.tagsFor('vpc-peering-connection'),
      ),
      requester: { account: ctx.account, region: ctx.region, vpcId, cidr: vpc.cidr },
      accepter: {
        account: peerAccount,
        region: peerRegion,
        vpcId: peerVpcId,
        ...(found ? { cidr: peerVpc.cidr } : {}),
      },
      status: found && !overlap ? 'pending-acceptance' : 'failed',
      message:
        found && !overlap
          ? `Pending Acceptance by ${peerAccount}`
          : 'Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range',
      expiresAt: ctx.now + WEEK_MS,
    };
    ctx.store.peerings.set(p.id, p);
    return {
      vpcPeeringConnection: {
        ...peeringXml(p, ctx.now),
        status: { code: 'initiating-request', message: `Initiating Request to ${peerAccount}` },
      },
    };
  },

  AcceptVpcPeeringConnection: (ctx) => {
    const p = visible(ctx, ctx.params.required('VpcPeeringConnectionId'));
    if (p.accepter.account !== ctx.account || p.accepter.region !== ctx.region)
      throw new Ec2Error('OperationNotPermitted', `User ${ctx.account} cannot accept peering ${p.id}`);
    const status = statusOf(p, ctx.now);
    if (status.code !== 'pending-acceptance')
      throw new Ec2Error(
        'InvalidStateTransition',
        `Invalid state transition for ${p.id}, attempted to transition from ${status.code} to active`,
      );
    p.accept = ctx.store.begin(ctx.now);
    p.status = 'provisioning';
    return { vpcPeeringConnection: peeringXml(p, ctx.now) };
  },

  RejectVpcPeeringConnection: (ctx) => {
    const p = visible(ctx, ctx.params.required('VpcPeeringConnectionId'));
    if (statusOf(p, ctx.now).code !== 'pending-acceptance')
      throw new Ec2Error('InvalidStateTransition', `Invalid state transition for ${p.id}`);
    p.status = 'rejected';
    p.message = `Rejected by ${ctx.account}`;
    return { return: true };
  },

  DeleteVpcPeeringConnection: (ctx) => {
    const p = visible(ctx, ctx.params.required('VpcPeeringConnectionId'));
    const code = statusOf(p, ctx.now).code;
    if (code === 'deleted' || code === 'rejected' || code === 'failed')
      throw new Ec2Error(
        'InvalidStateTransition',
        `Invalid state transition for ${p.id}, attempted to transition from ${code} to deleted`,
      );
    p.status = 'deleted';
    p.message = `Deleted by ${ctx.account}`;
    p.accept = undefined;
    for (const t of ctx.store.routeTables.values())
      for (let i = t.routes.length - 1; i >= 0; i--)
        if (t.routes[i]!.vpcPeeringConnectionId === p.id) t.routes.splice(i, 1);
    return { return: true };
  },

  DescribeVpcPeeringConnections: (ctx) => {
    const ids = ctx.params.list('VpcPeeringConnectionId');
    const mine = [...ctx.store.peerings.values()].filter((p) => sees(ctx, p));
    const all = byIds(mine, ids, (id) =>
      notFound('InvalidVpcPeeringConnectionID.NotFound', 'vpc peering connection', id),
    );
    const matched = applyFilters(
      all,
      ctx.params,
      (p, name) =>
        ({
          'vpc-peering-connection-id': [p.id],
          'status-code': [statusOf(p, ctx.now).code],
          'requester-vpc-info.vpc-id': [p.requester.vpcId],
          'requester-vpc-info.owner-id': [p.requester.account],
          'requester-vpc-info.cidr-block': [p.requester.cidr],
          'accepter-vpc-info.vpc-id': [p.accepter.vpcId],
          'accepter-vpc-info.owner-id': [p.accepter.account],
          'accepter-vpc-info.cidr-block': [p.accepter.cidr],
          'expiration-time': [isoTime(p.expiresAt)],
        })[name],
    );
    const { page, nextToken } = paginate(matched, ctx.params, ids.length > 0);
    return { vpcPeeringConnectionSet: page.map((p) => peeringXml(p, ctx.now)), nextToken };
  },
};

/** Current status code and message, moving provisioning on to active or failed with time. */
export function statusOf(p: Peering, now: number): { code: string; message: string } {
  if (p.status === 'pending-acceptance' && now > p.expiresAt) return { code: 'expired', message: 'Expired' };
  if (p.status === 'provisioning' && p.accept) {
    const phase = phaseOf(p.accept, now);
    if (phase.phase === 'done') {
      p.status = 'active';
      p.message = 'Active';
    } else if (phase.phase === 'failed') {
      p.status = 'failed';
      p.message = phase.failReason ?? 'Failed';
    } else return { code: 'provisioning', message: 'Provisioning' };
  }
  return { code: p.status, message: p.message };
}

function sees(ctx: ActionContext, p: Peering): boolean {
  return (
    (p.requester.account === ctx.account && p.requester.region === ctx.region) ||
    (p.accepter.account === ctx.account && p.accepter.region === ctx.region)
  );
}

function visible(ctx: ActionContext, id: string): Peering {
  const p = ctx.store.peerings.get(id);
  if (!p || !sees(ctx, p))
    throw notFound('InvalidVpcPeeringConnectionID.NotFound', 'vpc peering connection', id);
  return p;
}

function peeringXml(p: Peering, now: number): XmlObject {
  const status = statusOf(p, now);
  const side = (s: Peering['requester']): XmlObject => ({
    ownerId: s.account,
    vpcId: s.vpcId,
    cidrBlock: s.cidr,
    cidrBlockSet: s.cidr ? [{ cidrBlock: s.cidr }] : undefined,
    peeringOptions: {
      allowEgressFromLocalClassicLinkToRemoteVpc: false,
      allowEgressFromLocalVpcToRemoteClassicLink: false,
      allowDnsResolutionFromRemoteVpc: false,
    },
    region: s.region,
  });
  return {
    vpcPeeringConnectionId: p.id,
    requesterVpcInfo: side(p.requester),
    accepterVpcInfo: side(p.accepter),
    status,
    expirationTime: status.code === 'pending-acceptance' ? isoTime(p.expiresAt) : undefined,
    tagSet: tagSet(p.tags),
  };
}

function overlaps(a: string, b: string): boolean {
  const [aa, ab] = parse(a);
  const [ba, bb] = parse(b);
  const bits = Math.min(ab, bb);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (aa & mask) >>> 0 === (ba & mask) >>> 0;
}

function parse(cidr: string): [number, number] {
  const [addr, bits] = cidr.split('/');
  return [(addr ?? '').split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0), Number(bits)];
}
