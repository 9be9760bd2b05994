/** Route tables and routes (to a virtual private gateway, a peering or an instance), and tagging. */

import { statusOf } from './actions-peering.js';
import { attachments } from './actions-vpn.js';
import type { ActionContext, ActionHandler } from './context.js';
import { Ec2Error, notFound } from './errors.js';
import type { Owned, Route, RouteTable } from './model.js';
import { applyFilters, byIds, paginate } from './select.js';
import { tagSet, type XmlObject } from './xml.js';

/** The route and tag actions by name. */
export const routeActions: Readonly<Record<string, ActionHandler>> = {
  DescribeRouteTables: (ctx) => {
    const ids = ctx.params.list('RouteTableId');
    const all = byIds(ctx.store.scoped(ctx.store.routeTables, ctx.account, ctx.region), ids, (id) =>
      notFound('InvalidRouteTableID.NotFound', 'route table', id),
    );
    const matched = applyFilters(
      all,
      ctx.params,
      (t, name) =>
        ({
          'route-table-id': [t.id],
          'vpc-id': [t.vpcId],
          'association.main': [String(t.main)],
          'route.destination-cidr-block': t.routes.map((r) => r.destinationCidr),
          'route.gateway-id': t.routes.map((r) => r.gatewayId),
          'route.vpc-peering-connection-id': t.routes.map((r) => r.vpcPeeringConnectionId),
          'route.state': t.routes.map((r) => routeState(ctx, t, r)),
        })[name],
    );
    const { page, nextToken } = paginate(matched, ctx.params, ids.length > 0);
    return { routeTableSet: page.map((t) => routeTableXml(ctx, t)), nextToken };
  },

  CreateRoute: (ctx) => {
    const t = table(ctx);
    const route = routeFrom(ctx, t);
    if (t.routes.some((r) => r.destinationCidr === route.destinationCidr))
      throw new Ec2Error(
        'RouteAlreadyExists',
        `The route identified by ${route.destinationCidr} already exists.`,
      );
    t.routes.push(route);
    return { return: true };
  },

  ReplaceRoute: (ctx) => {
    const t = table(ctx);
    const route = routeFrom(ctx, t);
    const i = t.routes.findIndex((r) => r.destinationCidr === route.destinationCidr);
    if (i < 0) throw noRoute(t, route.destinationCidr);
    if (t.routes[i]!.gatewayId === 'local')
      throw new Ec2Error('InvalidParameterValue', 'cannot replace local route');
    t.routes[i] = route;
    return { return: true };
  },

  DeleteRoute: (ctx) => {
    const t = table(ctx);
    const cidr = ctx.params.required('DestinationCidrBlock');
    const i = t.routes.findIndex((r) => r.destinationCidr === cidr);
    if (i < 0) throw noRoute(t, cidr);
    if (t.routes[i]!.gatewayId === 'local')
      throw new Ec2Error('InvalidParameterValue', `cannot remove local route ${cidr} in route table ${t.id}`);
    t.routes.splice(i, 1);
    return { return: true };
  },

  CreateTags: (ctx) => {
    const resources = ctx.params.list('ResourceId').map((id) => taggable(ctx, id));
    const tags: [string, string][] = [];
    for (let i = 1; ctx.params.get(`Tag.${i}.Key`) !== undefined; i++)
      tags.push([ctx.params.get(`Tag.${i}.Key`)!, ctx.params.get(`Tag.${i}.Value`) ?? '']);
    for (const r of resources) for (const [k, v] of tags) r.tags.set(k, v);
    return { return: true };
  },

  DeleteTags: (ctx) => {
    const resources = ctx.params.list('ResourceId').map((id) => taggable(ctx, id));
    for (let i = 1; ctx.params.get(`Tag.${i}.Key`) !== undefined; i++)
      for (const r of resources) r.tags.delete(ctx.params.get(`Tag.${i}.Key`)!);
    return { return: true };
  },
};

/** A route's state: blackhole when its gateway is detached or its peering not active. */
function routeState(ctx: ActionContext, t: RouteTable, r: Route): string {
  if (r.gatewayId?.startsWith('vgw-')) {
    const g = ctx.store.vpnGateways.get(r.gatewayId);
    const attached =
      g && !g.deleted && attachments(g, ctx.now).some((a) => a.vpcId === t.vpcId && a.state === 'attached');
    return attached ? 'active' : 'blackhole';
  }
  if (r.vpcPeeringConnectionId) {
    const p = ctx.store.peerings.get(r.vpcPeeringConnectionId);
    return p && statusOf(p, ctx.now).code === 'active' ? 'active' : 'blackhole';
  }
  return 'active';
}

function table(ctx: ActionContext): RouteTable {
  const id = ctx.params.required('RouteTableId');
  const t = ctx.store.routeTables.get(id);
  if (!t || t.account !== ctx.account || t.region !== ctx.region)
    throw notFound('InvalidRouteTableID.NotFound', 'route table', id);
  return t;
}

function routeFrom(ctx: ActionContext, t: RouteTable): Route {
  const destinationCidr = ctx.params.required('DestinationCidrBlock');
  const gatewayId = ctx.params.get('GatewayId');
  const vpcPeeringConnectionId = ctx.params.get('VpcPeeringConnectionId');
  const instanceId = ctx.params.get('InstanceId');
  const targets = [gatewayId, vpcPeeringConnectionId, instanceId].filter((x) => x !== undefined);
  if (targets.length !== 1)
    throw new Ec2Error(
      'InvalidParameterCombination',
      'The request must contain exactly one of gatewayId, vpcPeeringConnectionId or instanceId',
    );
  if (gatewayId) {
    const g = ctx.store.vpnGateways.get(gatewayId);
    if (!g || g.deleted || g.account !== ctx.account || g.region !== ctx.region)
      throw notFound('InvalidGatewayID.NotFound', 'gateway', gatewayId);
    if (!attachments(g, ctx.now).some((a) => a.vpcId === t.vpcId && a.state !== 'detached'))
      throw new Ec2Error(
        'InvalidParameterValue',
        `route table ${t.id} and network gateway ${gatewayId} belong to different networks`,
      );
  }
  if (vpcPeeringConnectionId) {
    const p = ctx.store.peerings.get(vpcPeeringConnectionId);
    const sees =
      p &&
      [p.requester, p.accepter].some(
        (s) => s.account === ctx.account && s.region === ctx.region && s.vpcId === t.vpcId,
      );
    if (!sees)
      throw notFound(
        'InvalidVpcPeeringConnectionID.NotFound',
        'vpc peering connection',
        vpcPeeringConnectionId,
      );
  }
  if (instanceId && !ctx.store.instances.has(instanceId))
    throw notFound('InvalidInstanceID.NotFound', 'instance', instanceId);
  return {
    destinationCidr,
    origin: 'CreateRoute',
    ...(gatewayId ? { gatewayId } : {}),
    ...(vpcPeeringConnectionId ? { vpcPeeringConnectionId } : {}),
    ...(instanceId ? { instanceId } : {}),
  };
}

function noRoute(t: RouteTable, cidr: string): Ec2Error {
  return new Ec2Error(
    'InvalidRoute.NotFound',
    `no route with destination-cidr-block ${cidr} in route table ${t.id}`,
  );
}

const TAGGABLE: readonly [
  string,
  keyof Pick<
    ActionContext['store'],
    | 'vpcs'
    | 'subnets'
    | 'instances'
    | 'routeTables'
    | 'peerings'
    | 'vpnGateways'
    | 'customerGateways'
    | 'vpnConnections'
    | 'volumes'
    | 'snapshots'
  >,
  string,
][] = [
  ['vpc-', 'vpcs', 'InvalidVpcID.NotFound'],
  ['subnet-', 'subnets', 'InvalidSubnetID.NotFound'],
  ['i-', 'instances', 'InvalidInstanceID.NotFound'],
  ['rtb-', 'routeTables', 'InvalidRouteTableID.NotFound'],
  ['pcx-', 'peerings', 'InvalidVpcPeeringConnectionID.NotFound'],
  ['vgw-', 'vpnGateways', 'InvalidVpnGatewayID.NotFound'],
  ['cgw-', 'customerGateways', 'InvalidCustomerGatewayID.NotFound'],
  ['vpn-', 'vpnConnections', 'InvalidVpnConnectionID.NotFound'],
  ['vol-', 'volumes', 'InvalidVolume.NotFound'],
  ['snap-', 'snapshots', 'InvalidSnapshot.NotFound'],
];

function taggable(ctx: ActionContext, id: string): Owned {
  const kind = TAGGABLE.find(([prefix]) => id.startsWith(prefix));
  if (!kind) throw new Ec2Error('InvalidID', `The ID '${id}' is not valid`);
  const r = (ctx.store[kind[1]] as ReadonlyMap<string, Owned>).get(id);
  const peeringSide =
    r && 'accepter' in r && (r as { accepter: { account: string } }).accepter.account === ctx.account;
  if (!r || (r.account !== ctx.account && !peeringSide))
    throw new Ec2Error(kind[2], `The ID '${id}' does not exist`);
  return r;
}

function routeTableXml(ctx: ActionContext, t: RouteTable): XmlObject {
  return {
    routeTableId: t.id,
    vpcId: t.vpcId,
    ownerId: t.account,
    routeSet: t.routes.map((r) => ({
      destinationCidrBlock: r.destinationCidr,
      gatewayId: r.gatewayId,
      instanceId: r.instanceId,
      vpcPeeringConnectionId: r.vpcPeeringConnectionId,
      state: routeState(ctx, t, r),
      origin: r.origin,
    })),
    associationSet: t.main
      ? [
          {
            routeTableAssociationId: `rtbassoc-${t.id.slice(4)}`,
            routeTableId: t.id,
            main: true,
            associationState: { state: 'associated' },
          },
        ]
      : [],
    propagatingVgwSet: [],
    tagSet: tagSet(t.tags),
  };
}
