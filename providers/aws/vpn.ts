/**
 * Site-to-site VPN on AWS: a virtual private gateway attached to the VPC, a customer gateway for
 * the far end, and a VPN connection between them with two tunnels (pre-shared keys and inside
 * CIDRs from the caller) and static routes. Each is found by its Name tag before it is created;
 * tunnel keys are sent to EC2 and never logged or returned.
 */
import {
  AttachVpnGatewayCommand,
  CreateCustomerGatewayCommand,
  type CreateCustomerGatewayResult,
  CreateVpnConnectionCommand,
  type CreateVpnConnectionResult,
  CreateVpnConnectionRouteCommand,
  CreateVpnGatewayCommand,
  type CreateVpnGatewayResult,
  type CustomerGateway,
  DeleteCustomerGatewayCommand,
  DeleteVpnConnectionCommand,
  DeleteVpnGatewayCommand,
  DescribeCustomerGatewaysCommand,
  type DescribeCustomerGatewaysResult,
  DescribeVpnConnectionsCommand,
  type DescribeVpnConnectionsResult,
  DescribeVpnGatewaysCommand,
  type DescribeVpnGatewaysResult,
  DetachVpnGatewayCommand,
  type VpnConnection as Ec2VpnConnection,
  type VpnGateway as Ec2VpnGateway,
  type Filter,
} from '@aws-sdk/client-ec2';
import type {
  CallOptions,
  PeerGatewaySpec,
  VpnConnectionSpec,
  VpnGatewaySpec,
  WaitOptions,
} from '../cloud/adapter.js';
import { pollUntil } from '../cloud/poll.js';
import type { PeerGateway, VpnConnection, VpnGateway } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import { type AwsContext, ignoreNotFound, pollOptions } from './context.js';
import { nameFilter, nameOf, tagRecord, tagSpec } from './tags.js';

/** The tag that keeps a customer gateway's prefixes (EC2 has no field for them). */
const CIDRS_TAG = 'fedgate:cidrs';
const DEFAULT_AMAZON_ASN = 64512;

/** VPN operations of the AWS network capability. */
export class AwsVpn {
  constructor(private readonly ctx: AwsContext) {}

  async ensureGateway(spec: VpnGatewaySpec, opts: WaitOptions = {}): Promise<VpnGateway> {
    let g = await this.findGateway([nameFilter(spec.name)], opts);
    if (!g) {
      const created = await this.ctx.ec2.send<CreateVpnGatewayResult>(
        new CreateVpnGatewayCommand({
          Type: 'ipsec.1',
          AmazonSideAsn: spec.asn ?? DEFAULT_AMAZON_ASN,
          TagSpecifications: tagSpec('vpn-gateway', spec.name),
        }),
        opts.signal,
      );
      g = created.VpnGateway!;
    }
    const id = g.VpnGatewayId ?? '';
    if (g.State !== 'available')
      g = await this.waitGateway(id, `VPN gateway ${spec.name}`, (x) => x.State === 'available', opts);
    const attachment = g.VpcAttachments?.find((a) => a.State !== 'detached');
    if (attachment && attachment.VpcId !== spec.networkId)
      throw new ProviderError(
        'Conflict',
        `VPN gateway ${spec.name} is attached to ${attachment.VpcId}, not ${spec.networkId}`,
        { provider: 'aws' },
      );
    if (!attachment)
      await this.ctx.ec2.send(
        new AttachVpnGatewayCommand({ VpcId: spec.networkId, VpnGatewayId: id }),
        opts.signal,
      );
    if (attachment?.State !== 'attached')
      g = await this.waitGateway(
        id,
        `VPN gateway ${spec.name} to attach`,
        (x) => attachedTo(x, spec.networkId),
        opts,
      );
    return toGateway(g, spec.name);
  }

  async describeGateway(name: string, opts: CallOptions = {}): Promise<VpnGateway | undefined> {
    const g = await this.findGateway([nameFilter(name)], opts);
    return g ? toGateway(g, name) : undefined;
  }

  async deleteGateway(name: string, opts: WaitOptions = {}): Promise<void> {
    const g = await this.findGateway([nameFilter(name)], opts);
    if (!g) return;
    const id = g.VpnGatewayId ?? '';
    for (const a of g.VpcAttachments ?? []) {
      if (a.State === 'detached') continue;
      if (a.State !== 'detaching')
        await ignoreNotFound(() =>
          this.ctx.ec2.send(new DetachVpnGatewayCommand({ VpcId: a.VpcId, VpnGatewayId: id }), opts.signal),
        );
      await this.waitGateway(
        id,
        `VPN gateway ${name} to detach`,
        (x) => !(x.VpcAttachments ?? []).some((y) => y.State !== 'detached'),
        opts,
      );
    }
    await ignoreNotFound(() =>
      this.ctx.ec2.send(new DeleteVpnGatewayCommand({ VpnGatewayId: id }), opts.signal),
    );
  }

  async ensurePeerGateway(spec: PeerGatewaySpec, opts: WaitOptions = {}): Promise<PeerGateway> {
    if (spec.publicIps.length !== 1)
      throw new ProviderError(
        'Invalid',
        `publicIps: an AWS customer gateway has exactly one address (got ${spec.publicIps.length}); register one peer gateway per address`,
        { provider: 'aws' },
      );
    const existing = await this.findPeerGateway(spec.name, opts);
    if (existing) return toPeerGateway(existing, spec.name);
    const created = await this.ctx.ec2.send<CreateCustomerGatewayResult>(
      new CreateCustomerGatewayCommand({
        Type: 'ipsec.1',
        IpAddress: spec.publicIps[0],
        BgpAsn: spec.asn ?? 65000,
        TagSpecifications: tagSpec('customer-gateway', spec.name, { [CIDRS_TAG]: spec.cidrs.join(' ') }),
      }),
      opts.signal,
    );
    return toPeerGateway(created.CustomerGateway!, spec.name);
  }

  async describePeerGateway(name: string, opts: CallOptions = {}): Promise<PeerGateway | undefined> {
    const c = await this.findPeerGateway(name, opts);
    return c ? toPeerGateway(c, name) : undefined;
  }

  async deletePeerGateway(name: string, opts: WaitOptions = {}): Promise<void> {
    const c = await this.findPeerGateway(name, opts);
    if (c)
      await ignoreNotFound(() =>
        this.ctx.ec2.send(
          new DeleteCustomerGatewayCommand({ CustomerGatewayId: c.CustomerGatewayId }),
          opts.signal,
        ),
      );
  }

  async ensureConnection(spec: VpnConnectionSpec, opts: WaitOptions = {}): Promise<VpnConnection> {
    if (spec.tunnels.length > 2)
      throw new ProviderError(
        'Invalid',
        `tunnels: an AWS VPN connection has two tunnels (got ${spec.tunnels.length})`,
        { provider: 'aws' },
      );
    let c = await this.findConnection(spec.name, opts);
    if (!c) {
      const created = await this.ctx.ec2.send<CreateVpnConnectionResult>(
        new CreateVpnConnectionCommand({
          Type: 'ipsec.1',
          CustomerGatewayId: spec.peerGatewayId,
          VpnGatewayId: spec.gatewayId,
          Options: {
            StaticRoutesOnly: !spec.bgp,
            TunnelOptions: spec.tunnels.map((t) => ({
              PreSharedKey: t.sharedKey,
              ...(t.insideCidr ? { TunnelInsideCidr: t.insideCidr } : {}),
            })),
          },
          TagSpecifications: tagSpec('vpn-connection', spec.name),
        }),
        opts.signal,
      );
      c = created.VpnConnection!;
    }
    const id = c.VpnConnectionId ?? '';
    if (c.State !== 'available')
      c = await pollUntil(
        async () => {
          const now = await this.connectionById(id, opts);
          if (now.State === 'available') return { done: true, value: now };
          if (now.State === 'deleting' || now.State === 'deleted')
            throw new ProviderError('Conflict', `VPN connection ${spec.name} is ${now.State}`, {
              provider: 'aws',
              providerCode: now.State,
            });
          return { done: false, state: now.State ?? 'unknown' };
        },
        pollOptions(this.ctx, `VPN connection ${spec.name}`, opts),
      );
    if (!spec.bgp) {
      const have = new Set(
        (c.Routes ?? []).filter((r) => r.State !== 'deleted').map((r) => r.DestinationCidrBlock),
      );
      for (const cidr of spec.staticRoutes ?? [])
        if (!have.has(cidr))
          await this.ctx.ec2.send(
            new CreateVpnConnectionRouteCommand({ VpnConnectionId: id, DestinationCidrBlock: cidr }),
            opts.signal,
          );
    }
    return toConnection(c, spec.name);
  }

  async describeConnection(name: string, opts: CallOptions = {}): Promise<VpnConnection | undefined> {
    const c = await this.findConnection(name, opts);
    return c ? toConnection(c, name) : undefined;
  }

  async deleteConnection(name: string, opts: WaitOptions = {}): Promise<void> {
    const c = await this.findConnection(name, opts);
    if (!c) return;
    const id = c.VpnConnectionId ?? '';
    if (c.State !== 'deleting')
      await ignoreNotFound(() =>
        this.ctx.ec2.send(new DeleteVpnConnectionCommand({ VpnConnectionId: id }), opts.signal),
      );
    // The customer and VPN gateways stay in use until the connection is deleted: wait for it.
    await pollUntil(
      async () => {
        const now = await this.connectionById(id, opts).catch((err: ProviderError) => {
          if (err.code === 'NotFound') return undefined;
          throw err;
        });
        return !now || now.State === 'deleted'
          ? { done: true, value: undefined }
          : { done: false, state: now.State ?? 'unknown' };
      },
      pollOptions(this.ctx, `VPN connection ${name} to be deleted`, opts),
    );
  }

  /** The connection's id by name, for routes that target it. */
  async connectionGateway(connectionId: string, opts: CallOptions = {}): Promise<string> {
    const c = await this.connectionById(connectionId, opts);
    if (!c.VpnGatewayId)
      throw new ProviderError(
        'Invalid',
        `VPN connection ${connectionId} has no virtual private gateway to route to`,
        { provider: 'aws' },
      );
    return c.VpnGatewayId;
  }

  private async findGateway(filters: Filter[], opts: CallOptions): Promise<Ec2VpnGateway | undefined> {
    const out = await this.ctx.ec2.send<DescribeVpnGatewaysResult>(
      new DescribeVpnGatewaysCommand({
        Filters: [...filters, { Name: 'state', Values: ['pending', 'available'] }],
      }),
      opts.signal,
    );
    return out.VpnGateways?.[0];
  }

  private waitGateway(
    id: string,
    what: string,
    ready: (g: Ec2VpnGateway) => boolean,
    opts: WaitOptions,
  ): Promise<Ec2VpnGateway> {
    return pollUntil(
      async () => {
        const out = await this.ctx.ec2.send<DescribeVpnGatewaysResult>(
          new DescribeVpnGatewaysCommand({ VpnGatewayIds: [id] }),
          opts.signal,
        );
        const g = out.VpnGateways?.[0];
        if (!g || g.State === 'deleted')
          throw new ProviderError('NotFound', `${what}: the gateway ${id} is gone`, { provider: 'aws' });
        if (ready(g)) return { done: true, value: g };
        const att = g.VpcAttachments?.find((a) => a.State !== 'detached');
        return { done: false, state: att ? `${g.State}/${att.State}` : (g.State ?? 'unknown') };
      },
      pollOptions(this.ctx, what, opts),
    );
  }

  private async findPeerGateway(name: string, opts: CallOptions): Promise<CustomerGateway | undefined> {
    const out = await this.ctx.ec2.send<DescribeCustomerGatewaysResult>(
      new DescribeCustomerGatewaysCommand({
        Filters: [nameFilter(name), { Name: 'state', Values: ['pending', 'available'] }],
      }),
      opts.signal,
    );
    return out.CustomerGateways?.[0];
  }

  private async findConnection(name: string, opts: CallOptions): Promise<Ec2VpnConnection | undefined> {
    const out = await this.ctx.ec2.send<DescribeVpnConnectionsResult>(
      new DescribeVpnConnectionsCommand({
        Filters: [nameFilter(name), { Name: 'state', Values: ['pending', 'available', 'deleting'] }],
      }),
      opts.signal,
    );
    return out.VpnConnections?.[0];
  }

  private async connectionById(id: string, opts: CallOptions): Promise<Ec2VpnConnection> {
    const out = await this.ctx.ec2.send<DescribeVpnConnectionsResult>(
      new DescribeVpnConnectionsCommand({ VpnConnectionIds: [id] }),
      opts.signal,
    );
    const c = out.VpnConnections?.[0];
    if (!c) throw new ProviderError('NotFound', `VPN connection ${id} is gone`, { provider: 'aws' });
    return c;
  }
}

function attachedTo(g: Ec2VpnGateway, vpcId: string): boolean {
  return (g.VpcAttachments ?? []).some((a) => a.VpcId === vpcId && a.State === 'attached');
}

function toGateway(g: Ec2VpnGateway, name: string): VpnGateway {
  const vpc = g.VpcAttachments?.find((a) => a.State === 'attached' || a.State === 'attaching')?.VpcId;
  return {
    id: g.VpnGatewayId ?? '',
    name: nameOf(g.Tags) ?? name,
    state:
      g.State === 'available' || g.State === 'pending' || g.State === 'deleting' || g.State === 'deleted'
        ? g.State
        : 'failed',
    // Tunnels terminate on the VPN connection's outside addresses, not on the gateway.
    publicIps: [],
    ...(g.AmazonSideAsn === undefined ? {} : { asn: Number(g.AmazonSideAsn) }),
    ...(vpc ? { networkId: vpc } : {}),
  };
}

function toPeerGateway(c: CustomerGateway, name: string): PeerGateway {
  const cidrs = tagRecord(c.Tags)[CIDRS_TAG];
  return {
    id: c.CustomerGatewayId ?? '',
    name: nameOf(c.Tags) ?? name,
    publicIps: c.IpAddress ? [c.IpAddress] : [],
    ...(c.BgpAsn ? { asn: Number(c.BgpAsn) } : {}),
    cidrs: cidrs ? cidrs.split(' ').filter(Boolean) : [],
  };
}

function toConnection(c: Ec2VpnConnection, name: string): VpnConnection {
  const state =
    c.State === 'pending' || c.State === 'available' || c.State === 'deleting' || c.State === 'deleted'
      ? c.State
      : 'failed';
  return {
    id: c.VpnConnectionId ?? '',
    name: nameOf(c.Tags) ?? name,
    state,
    gatewayId: c.VpnGatewayId ?? c.TransitGatewayId ?? '',
    peerGatewayId: c.CustomerGatewayId ?? '',
    tunnels: (c.VgwTelemetry ?? []).map((t) => ({
      outsideIp: t.OutsideIpAddress ?? '',
      status: t.Status === 'UP' ? 'up' : t.Status === 'DOWN' ? 'down' : 'unknown',
      statusMessage: [t.Status, t.StatusMessage].filter(Boolean).join(' '),
      ...(t.LastStatusChange ? { lastStatusChange: t.LastStatusChange.toISOString() } : {}),
    })),
    providerState: c.State ?? 'unknown',
  };
}
