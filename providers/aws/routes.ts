/**
 * Routes on AWS: keyed by route table and destination. Without a route table the route goes into
 * every route table of the VPC (so every subnet reaches the peer); an existing route with another
 * target is replaced. A VPN-connection target routes to its virtual private gateway.
 */
import {
  CreateRouteCommand,
  type CreateRouteRequest,
  DeleteRouteCommand,
  DescribeRouteTablesCommand,
  type DescribeRouteTablesResult,
  ReplaceRouteCommand,
  type Route,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import type { CallOptions, RouteSpec, WaitOptions } from '../cloud/adapter.js';
import type { CloudRoute, RouteTarget } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import { type AwsContext, ignoreNotFound } from './context.js';
import type { AwsVpn } from './vpn.js';

type RouteTargetParams = Pick<
  CreateRouteRequest,
  'GatewayId' | 'VpcPeeringConnectionId' | 'InstanceId' | 'TransitGatewayId'
>;

/** Route operations of the AWS network capability. */
export class AwsRoutes {
  constructor(
    private readonly ctx: AwsContext,
    private readonly vpn: AwsVpn,
  ) {}

  async list(networkId: string, opts: CallOptions = {}): Promise<CloudRoute[]> {
    const tables = await this.tables(networkId, undefined, opts);
    return tables.flatMap((t) =>
      (t.Routes ?? []).flatMap((r) => {
        const target = targetOf(r);
        if (!target || !r.DestinationCidrBlock) return [];
        return [
          {
            routeTableId: t.RouteTableId ?? '',
            networkId,
            destinationCidr: r.DestinationCidrBlock,
            target,
            state: r.State === 'blackhole' ? ('blackhole' as const) : ('active' as const),
          },
        ];
      }),
    );
  }

  async ensure(spec: RouteSpec, opts: WaitOptions = {}): Promise<CloudRoute> {
    const params = await this.targetParams(spec.target, opts);
    const tables = await this.tables(spec.networkId, spec.routeTableId, opts);
    if (tables.length === 0)
      throw new ProviderError(
        'NotFound',
        `no route table ${spec.routeTableId ?? ''} in ${spec.networkId}`.replace('  ', ' '),
        { provider: 'aws' },
      );
    let state: CloudRoute['state'] = 'active';
    for (const t of tables) {
      const current = (t.Routes ?? []).find((r) => r.DestinationCidrBlock === spec.destinationCidr);
      const input = { RouteTableId: t.RouteTableId, DestinationCidrBlock: spec.destinationCidr, ...params };
      if (!current) await this.ctx.ec2.send(new CreateRouteCommand(input), opts.signal);
      else if (!sameTarget(current, params))
        await this.ctx.ec2.send(new ReplaceRouteCommand(input), opts.signal);
      else if (current.State === 'blackhole') state = 'blackhole';
    }
    return {
      routeTableId: spec.routeTableId ?? tables[0]!.RouteTableId ?? '',
      networkId: spec.networkId,
      destinationCidr: spec.destinationCidr,
      target: spec.target,
      state,
    };
  }

  async delete(spec: RouteSpec, opts: WaitOptions = {}): Promise<void> {
    const tables = await this.tables(spec.networkId, spec.routeTableId, opts).catch((err: ProviderError) => {
      if (err.code === 'NotFound') return [] as RouteTable[];
      throw err;
    });
    for (const t of tables) {
      const current = (t.Routes ?? []).find((r) => r.DestinationCidrBlock === spec.destinationCidr);
      if (!current || current.GatewayId === 'local') continue;
      await ignoreNotFound(() =>
        this.ctx.ec2.send(
          new DeleteRouteCommand({
            RouteTableId: t.RouteTableId,
            DestinationCidrBlock: spec.destinationCidr,
          }),
          opts.signal,
        ),
      );
    }
  }

  private async tables(
    networkId: string,
    routeTableId: string | undefined,
    opts: CallOptions,
  ): Promise<RouteTable[]> {
    const out: RouteTable[] = [];
    let token: string | undefined;
    do {
      const page = await this.ctx.ec2.send<DescribeRouteTablesResult>(
        new DescribeRouteTablesCommand(
          routeTableId
            ? { RouteTableIds: [routeTableId] }
            : { Filters: [{ Name: 'vpc-id', Values: [networkId] }], MaxResults: 100, NextToken: token },
        ),
        opts.signal,
      );
      out.push(...(page.RouteTables ?? []));
      token = page.NextToken;
    } while (token);
    return out;
  }

  private async targetParams(target: RouteTarget, opts: CallOptions): Promise<RouteTargetParams> {
    switch (target.kind) {
      case 'vpn-gateway':
        return { GatewayId: target.id };
      case 'vpn-connection':
        return { GatewayId: await this.vpn.connectionGateway(target.id, opts) };
      case 'peering':
        return { VpcPeeringConnectionId: target.id };
      case 'instance':
        return { InstanceId: target.id };
      case 'transit-gateway':
        return { TransitGatewayId: target.id };
    }
  }
}

function sameTarget(r: Route, p: RouteTargetParams): boolean {
  return (
    r.GatewayId === p.GatewayId &&
    r.VpcPeeringConnectionId === p.VpcPeeringConnectionId &&
    r.InstanceId === p.InstanceId &&
    r.TransitGatewayId === p.TransitGatewayId
  );
}

function targetOf(r: Route): RouteTarget | undefined {
  if (r.VpcPeeringConnectionId) return { kind: 'peering', id: r.VpcPeeringConnectionId };
  if (r.TransitGatewayId) return { kind: 'transit-gateway', id: r.TransitGatewayId };
  if (r.InstanceId) return { kind: 'instance', id: r.InstanceId };
  if (r.GatewayId?.startsWith('vgw-')) return { kind: 'vpn-gateway', id: r.GatewayId };
  return undefined;
}
