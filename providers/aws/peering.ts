/**
 * VPC peering on AWS: the requester creates it (named by its Name tag, across accounts and
 * regions with PeerOwnerId/PeerRegion); the accepter's adapter finds the pending request by the
 * two VPC ids (the requester's tags are not visible in another account), accepts it and waits
 * for `active`. A request that fails (missing VPC, overlapping CIDRs) surfaces EC2's message.
 */
import {
  AcceptVpcPeeringConnectionCommand,
  CreateTagsCommand,
  CreateVpcPeeringConnectionCommand,
  type CreateVpcPeeringConnectionResult,
  DeleteVpcPeeringConnectionCommand,
  DescribeVpcPeeringConnectionsCommand,
  type DescribeVpcPeeringConnectionsResult,
  type Filter,
  type VpcPeeringConnection,
} from '@aws-sdk/client-ec2';
import type { CallOptions, PeeringSpec, WaitOptions } from '../cloud/adapter.js';
import { pollUntil } from '../cloud/poll.js';
import type { NetworkPeering, PeeringState } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import { type AwsContext, ignoreNotFound, pollOptions } from './context.js';
import { nameFilter, nameOf, tagSpec } from './tags.js';

const LIVE = ['initiating-request', 'pending-acceptance', 'provisioning', 'active'];

/** Peering operations of the AWS network capability. */
export class AwsPeering {
  constructor(private readonly ctx: AwsContext) {}

  async ensure(spec: PeeringSpec, opts: WaitOptions = {}): Promise<NetworkPeering> {
    const existing = await this.find([nameFilter(spec.name)], spec.localNetworkId, opts);
    if (existing) {
      const seen = this.toPeering(existing, spec.localNetworkId, spec.name);
      if (seen.remote.networkId !== spec.remote.networkId)
        throw new ProviderError(
          'Conflict',
          `peering ${spec.name} exists towards ${seen.remote.networkId}, not ${spec.remote.networkId}`,
          { provider: 'aws' },
        );
      return seen;
    }
    const created = await this.ctx.ec2.send<CreateVpcPeeringConnectionResult>(
      new CreateVpcPeeringConnectionCommand({
        VpcId: spec.localNetworkId,
        PeerVpcId: spec.remote.networkId,
        ...(spec.remote.scope.account !== this.ctx.scope.account
          ? { PeerOwnerId: spec.remote.scope.account }
          : {}),
        ...(spec.remote.scope.region !== this.ctx.scope.region
          ? { PeerRegion: spec.remote.scope.region }
          : {}),
        TagSpecifications: tagSpec('vpc-peering-connection', spec.name),
      }),
      opts.signal,
    );
    const id = created.VpcPeeringConnection?.VpcPeeringConnectionId ?? '';
    // The request starts as initiating-request; wait until EC2 has checked it (pending-acceptance or failed).
    return pollUntil(
      async () => {
        const p = await this.byId(id, opts);
        const code = p.Status?.Code ?? '';
        if (code === 'initiating-request') return { done: false, state: code };
        const peering = this.toPeering(p, spec.localNetworkId, spec.name);
        if (peering.state === 'failed') throw failed(peering);
        return { done: true, value: peering };
      },
      pollOptions(this.ctx, `VPC peering ${spec.name}`, opts),
    );
  }

  async accept(spec: PeeringSpec, opts: WaitOptions = {}): Promise<NetworkPeering> {
    const p = await this.find(
      [
        { Name: 'accepter-vpc-info.vpc-id', Values: [spec.localNetworkId] },
        { Name: 'requester-vpc-info.vpc-id', Values: [spec.remote.networkId] },
      ],
      spec.localNetworkId,
      opts,
    );
    if (!p)
      throw new ProviderError(
        'NotFound',
        `no VPC peering request from ${spec.remote.networkId} to ${spec.localNetworkId} to accept`,
        { provider: 'aws' },
      );
    const id = p.VpcPeeringConnectionId ?? '';
    if (p.Status?.Code === 'pending-acceptance')
      await this.ctx.ec2.send(
        new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }),
        opts.signal,
      );
    // Tags are per account: name it in the accepter's account too, so describe-by-name works on this side.
    if (nameOf(p.Tags) !== spec.name)
      await this.ctx.ec2.send(
        new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: spec.name }] }),
        opts.signal,
      );
    return pollUntil(
      async () => {
        const peering = this.toPeering(await this.byId(id, opts), spec.localNetworkId, spec.name);
        if (peering.state === 'failed') throw failed(peering);
        if (peering.state === 'active') return { done: true, value: peering };
        return { done: false, state: peering.providerState };
      },
      pollOptions(this.ctx, `VPC peering ${spec.name} to become active`, opts),
    );
  }

  async describe(
    name: string,
    localNetworkId: string,
    opts: CallOptions = {},
  ): Promise<NetworkPeering | undefined> {
    const p = await this.find([nameFilter(name)], localNetworkId, opts);
    return p ? this.toPeering(p, localNetworkId, name) : undefined;
  }

  async delete(name: string, localNetworkId: string, opts: WaitOptions = {}): Promise<void> {
    const p = await this.find([nameFilter(name)], localNetworkId, opts);
    if (!p) return;
    try {
      await this.ctx.ec2.send(
        new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: p.VpcPeeringConnectionId }),
        opts.signal,
      );
    } catch (err) {
      // Deleted meanwhile by the other side: EC2 refuses the transition deleted → deleted.
      if ((err as ProviderError).providerCode === 'InvalidStateTransition') return;
      await ignoreNotFound(() => Promise.reject(err));
    }
  }

  private async find(
    filters: Filter[],
    localNetworkId: string,
    opts: CallOptions,
  ): Promise<VpcPeeringConnection | undefined> {
    const out = await this.ctx.ec2.send<DescribeVpcPeeringConnectionsResult>(
      new DescribeVpcPeeringConnectionsCommand({
        Filters: [...filters, { Name: 'status-code', Values: LIVE }],
      }),
      opts.signal,
    );
    return (out.VpcPeeringConnections ?? []).find(
      (p) => p.RequesterVpcInfo?.VpcId === localNetworkId || p.AccepterVpcInfo?.VpcId === localNetworkId,
    );
  }

  private async byId(id: string, opts: CallOptions): Promise<VpcPeeringConnection> {
    const out = await this.ctx.ec2.send<DescribeVpcPeeringConnectionsResult>(
      new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }),
      opts.signal,
    );
    const p = out.VpcPeeringConnections?.[0];
    if (!p) throw new ProviderError('NotFound', `VPC peering ${id} is gone`, { provider: 'aws' });
    return p;
  }

  private toPeering(p: VpcPeeringConnection, localNetworkId: string, name: string): NetworkPeering {
    const requesterIsLocal = p.RequesterVpcInfo?.VpcId === localNetworkId;
    const local = requesterIsLocal ? p.RequesterVpcInfo : p.AccepterVpcInfo;
    const remote = requesterIsLocal ? p.AccepterVpcInfo : p.RequesterVpcInfo;
    const ref = (side: typeof local) => ({
      scope: {
        account: side?.OwnerId ?? this.ctx.scope.account,
        region: side?.Region ?? this.ctx.scope.region,
      },
      networkId: side?.VpcId ?? '',
    });
    const code = p.Status?.Code ?? 'unknown';
    return {
      id: p.VpcPeeringConnectionId ?? '',
      name: nameOf(p.Tags) ?? name,
      state: peeringState(code),
      local: ref(local),
      remote: ref(remote),
      providerState: code,
      ...(p.Status?.Message ? { message: p.Status.Message } : {}),
    };
  }
}

function peeringState(code: string): PeeringState {
  switch (code) {
    case 'pending-acceptance':
    case 'active':
    case 'deleted':
    case 'failed':
      return code;
    case 'initiating-request':
    case 'provisioning':
      return 'provisioning';
    case 'deleting':
      return 'deleting';
    default:
      return 'failed';
  }
}

function failed(p: NetworkPeering): ProviderError {
  return new ProviderError('Invalid', `VPC peering ${p.name} failed: ${p.message ?? p.providerState}`, {
    provider: 'aws',
    providerCode: p.providerState,
  });
}
