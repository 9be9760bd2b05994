/**
 * Site-to-site VPN: virtual private gateways (pending → available, attach to a VPC), customer
 * gateways, and VPN connections between them (pending → available, two tunnels with telemetry,
 * static routes). Deleting something still in use fails with IncorrectState, as EC2 does.
 */
import type { ActionContext, ActionHandler } from './context.js';
import { Ec2Error, invalidValue, notFound } from './errors.js';
import { isoTime, phaseOf } from './lifecycle.js';
import type { CustomerGateway, VpnConnection, VpnGateway, VpnTunnel } from './model.js';
import { applyFilters, byIds } from './select.js';
import { owned } from './store.js';
import { tagSet, type XmlObject } from './xml.js';

/** The VPN actions by name. */
export const vpnActions: Readonly<Record<string, ActionHandler>> = {
  CreateVpnGateway: (ctx) => {
    if (ctx.params.required('Type') !== 'ipsec.1') throw invalidValue('Type', ctx.params.get('Type') ?? '');
    const asn = ctx.params.int('AmazonSideAsn') ?? 64512;
    const g: VpnGateway = {
      ...owned(ctx.store.newId('vgw'), ctx.account, ctx.region, ctx.now, ctx.params.tagsFor('vpn-gateway')),
      asn,
      type: 'ipsec.1',
      create: ctx.store.beginInfallible(ctx.now),
      deleted: false,
      attachments: [],
    };
    ctx.store.vpnGateways.set(g.id, g);
    return { vpnGateway: vgwXml(g, ctx.now) };
  },

  DescribeVpnGateways: (ctx) => {
    const ids = ctx.params.list('VpnGatewayId');
    const all = byIds(ctx.store.scoped(ctx.store.vpnGateways, ctx.account, ctx.region), ids, (id) =>
      notFound('InvalidVpnGatewayID.NotFound', 'vpn gateway', id),
    );
    const matched = applyFilters(
      all,
      ctx.params,
      (g, name) =>
        ({
          'vpn-gateway-id': [g.id],
          state: [vgwState(g, ctx.now)],
          type: [g.type],
          'amazon-side-asn': [String(g.asn)],
          'attachment.vpc-id': attachments(g, ctx.now).map((a) => a.vpcId),
          'attachment.state': attachments(g, ctx.now).map((a) => a.state),
        })[name],
    );
    return { vpnGatewaySet: matched.map((g) => vgwXml(g, ctx.now)) };
  },

  AttachVpnGateway: (ctx) => {
    const g = liveVgw(ctx, ctx.params.required('VpnGatewayId'));
    const vpcId = ctx.params.required('VpcId');
    const vpc = ctx.store.vpcs.get(vpcId);
    if (!vpc || vpc.account !== ctx.account || vpc.region !== ctx.region)
      throw notFound('InvalidVpcID.NotFound', 'vpc', vpcId);
    // A virtual private gateway attaches to one VPC at a time, and a VPC takes one virtual private
    // gateway: EC2 answers the first with VpnGatewayAttachmentLimitExceeded, the second with
    // InvalidVpcState, and attaches nothing.
    const current = attachments(g, ctx.now).find((a) => a.state !== 'detached');
    if (current)
      throw new Ec2Error(
        'VpnGatewayAttachmentLimitExceeded',
        `You've reached the limit on the number of VPCs that can be attached to the virtual private gateway ${g.id} (attached to ${current.vpcId}).`,
      );
    const other = [...ctx.store.vpnGateways.values()].find(
      (o) =>
        o !== g &&
        !o.deleted &&
        attachments(o, ctx.now).some((a) => a.vpcId === vpcId && a.state !== 'detached'),
    );
    if (other)
      throw new Ec2Error(
        'InvalidVpcState',
        `VPC ${vpcId} is currently attached to the Virtual Private Gateway ${other.id}.`,
      );
    g.attachments.push({ vpcId, state: 'attaching', change: ctx.store.beginInfallible(ctx.now) });
    return { attachment: { vpcId, state: 'attaching' } };
  },

  DetachVpnGateway: (ctx) => {
    const g = liveVgw(ctx, ctx.params.required('VpnGatewayId'));
    const vpcId = ctx.params.required('VpcId');
    const a = attachments(g, ctx.now).find((x) => x.vpcId === vpcId && x.state !== 'detached');
    if (!a)
      throw new Ec2Error(
        'InvalidVpnGatewayAttachment.NotFound',
        `The attachment with vpn gateway ID '${g.id}' and vpc ID '${vpcId}' does not exist`,
      );
    a.state = 'detaching';
    a.change = ctx.store.beginInfallible(ctx.now);
    return { return: true };
  },

  DeleteVpnGateway: (ctx) => {
    const g = liveVgw(ctx, ctx.params.required('VpnGatewayId'));
    if (attachments(g, ctx.now).some((a) => a.state !== 'detached'))
      throw new Ec2Error(
        'IncorrectState',
        `The VPN gateway '${g.id}' is attached to a VPC; detach it first.`,
      );
    if (
      [...ctx.store.vpnConnections.values()].some(
        (c) => c.vpnGatewayId === g.id && vpnState(c, ctx.now) !== 'deleted',
      )
    )
      throw new Ec2Error('IncorrectState', `The VPN gateway '${g.id}' is in use by a VPN connection.`);
    g.deleted = true;
    return { return: true };
  },

  CreateCustomerGateway: (ctx) => {
    const ip = ctx.params.get('IpAddress') ?? ctx.params.required('PublicIp');
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw invalidValue('IpAddress', ip);
    const c: CustomerGateway = {
      ...owned(
        ctx.store.newId('cgw'),
        ctx.account,
        ctx.region,
        ctx.now,
        ctx.params.tagsFor('customer-gateway'),
      ),
      ipAddress: ip,
      asn: ctx.params.int('BgpAsn') ?? 65000,
      deleted: false,
    };
    ctx.store.customerGateways.set(c.id, c);
    return { customerGateway: cgwXml(c) };
  },

  DescribeCustomerGateways: (ctx) => {
    const ids = ctx.params.list('CustomerGatewayId');
    const all = byIds(ctx.store.scoped(ctx.store.customerGateways, ctx.account, ctx.region), ids, (id) =>
      notFound('InvalidCustomerGatewayID.NotFound', 'customer gateway', id),
    );
    const matched = applyFilters(
      all,
      ctx.params,
      (c, name) =>
        ({
          'customer-gateway-id': [c.id],
          'ip-address': [c.ipAddress],
          'bgp-asn': [String(c.asn)],
          state: [c.deleted ? 'deleted' : 'available'],
          type: ['ipsec.1'],
        })[name],
    );
    return { customerGatewaySet: matched.map(cgwXml) };
  },

  DeleteCustomerGateway: (ctx) => {
    const id = ctx.params.required('CustomerGatewayId');
    const c = ctx.store.customerGateways.get(id);
    if (!c || c.deleted || c.account !== ctx.account || c.region !== ctx.region)
      throw notFound('InvalidCustomerGatewayID.NotFound', 'customer gateway', id);
    if (
      [...ctx.store.vpnConnections.values()].some(
        (v) => v.customerGatewayId === id && vpnState(v, ctx.now) !== 'deleted',
      )
    )
      throw new Ec2Error('IncorrectState', `The customer gateway '${id}' is in use.`);
    c.deleted = true;
    return { return: true };
  },

  CreateVpnConnection: (ctx) => {
    if (ctx.params.required('Type') !== 'ipsec.1') throw invalidValue('Type', ctx.params.get('Type') ?? '');
    const cgwId = ctx.params.required('CustomerGatewayId');
    const cgw = ctx.store.customerGateways.get(cgwId);
    if (!cgw || cgw.deleted || cgw.account !== ctx.account || cgw.region !== ctx.region)
      throw notFound('InvalidCustomerGatewayID.NotFound', 'customer gateway', cgwId);
    const vgw = liveVgw(ctx, ctx.params.required('VpnGatewayId'));
    const tunnels: VpnTunnel[] = [1, 2].map((n) => {
      const psk =
        ctx.params.get(`Options.TunnelOptions.${n}.PreSharedKey`) ??
        ctx.store.newId('psk').slice(5).replace(/^0/, 'k');
      if (!/^[A-Za-z1-9._][A-Za-z0-9._]{7,63}$/.test(psk))
        throw new Ec2Error(
          'InvalidParameterValue',
          `Invalid pre-shared key for tunnel ${n}: it must be 8–64 characters of letters, digits, periods and underscores, not starting with zero.`,
        );
      const inside =
        ctx.params.get(`Options.TunnelOptions.${n}.TunnelInsideCidr`) ??
        `169.254.${10 + ctx.store.vpnConnections.size}.${n === 1 ? 0 : 4}/30`;
      if (!/^169\.254\.\d{1,3}\.\d{1,3}\/30$/.test(inside))
        throw invalidValue(
          `Options.TunnelOptions.${n}.TunnelInsideCidr`,
          inside,
          'It must be a /30 in 169.254.0.0/16.',
        );
      return { outsideIp: ctx.store.newPublicIp(), presharedKey: psk, insideCidr: inside };
    });
    const c: VpnConnection = {
      ...owned(
        ctx.store.newId('vpn'),
        ctx.account,
        ctx.region,
        ctx.now,
        ctx.params.tagsFor('vpn-connection'),
      ),
      customerGatewayId: cgw.id,
      vpnGatewayId: vgw.id,
      staticRoutesOnly: ctx.params.bool('Options.StaticRoutesOnly') ?? false,
      tunnels,
      create: ctx.store.beginInfallible(ctx.now),
      routes: [],
    };
    ctx.store.vpnConnections.set(c.id, c);
    return { vpnConnection: vpnXml(c, ctx, true) };
  },

  DescribeVpnConnections: (ctx) => {
    const ids = ctx.params.list('VpnConnectionId');
    const all = byIds(ctx.store.scoped(ctx.store.vpnConnections, ctx.account, ctx.region), ids, (id) =>
      notFound('InvalidVpnConnectionID.NotFound', 'vpn connection', id),
    );
    const matched = applyFilters(
      all,
      ctx.params,
      (c, name) =>
        ({
          'vpn-connection-id': [c.id],
          state: [vpnState(c, ctx.now)],
          'customer-gateway-id': [c.customerGatewayId],
          'vpn-gateway-id': [c.vpnGatewayId],
          type: ['ipsec.1'],
          'option.static-routes-only': [String(c.staticRoutesOnly)],
          'route.destination-cidr-block': c.routes.map((r) => r.cidr),
        })[name],
    );
    return { vpnConnectionSet: matched.map((c) => vpnXml(c, ctx, true)) };
  },

  DeleteVpnConnection: (ctx) => {
    const c = liveVpn(ctx, ctx.params.required('VpnConnectionId'));
    c.deleting = ctx.store.beginInfallible(ctx.now);
    return { return: true };
  },

  CreateVpnConnectionRoute: (ctx) => {
    const c = liveVpn(ctx, ctx.params.required('VpnConnectionId'));
    const cidr = ctx.params.required('DestinationCidrBlock');
    if (!c.staticRoutesOnly)
      throw new Ec2Error(
        'InvalidVpnConnection.InvalidType',
        `The VPN connection '${c.id}' does not use static routes.`,
      );
    if (!c.routes.some((r) => r.cidr === cidr && r.state !== 'deleted'))
      c.routes.push({ cidr, state: 'available' });
    return { return: true };
  },

  DeleteVpnConnectionRoute: (ctx) => {
    const c = liveVpn(ctx, ctx.params.required('VpnConnectionId'));
    const cidr = ctx.params.required('DestinationCidrBlock');
    const r = c.routes.find((x) => x.cidr === cidr && x.state !== 'deleted');
    if (!r)
      throw new Ec2Error(
        'InvalidRoute.NotFound',
        `The route '${cidr}' does not exist in VPN connection '${c.id}'`,
      );
    r.state = 'deleted';
    return { return: true };
  },
};

/** The gateway's state now (pending → available; deleted once deleted). */
export function vgwState(g: VpnGateway, now: number): string {
  if (g.deleted) return 'deleted';
  return phaseOf(g.create, now).phase === 'done' ? 'available' : 'pending';
}

/** Attachments with their states moved on in time. */
export function attachments(g: VpnGateway, now: number): VpnGateway['attachments'] {
  for (const a of g.attachments) {
    if (phaseOf(a.change, now).phase !== 'done') continue;
    if (a.state === 'attaching') a.state = 'attached';
    if (a.state === 'detaching') a.state = 'detached';
  }
  return g.attachments;
}

/** The connection's state now. */
export function vpnState(c: VpnConnection, now: number): 'pending' | 'available' | 'deleting' | 'deleted' {
  if (c.deleting) return phaseOf(c.deleting, now).phase === 'done' ? 'deleted' : 'deleting';
  return phaseOf(c.create, now).phase === 'done' ? 'available' : 'pending';
}

function liveVgw(ctx: ActionContext, id: string): VpnGateway {
  const g = ctx.store.vpnGateways.get(id);
  if (!g || g.deleted || g.account !== ctx.account || g.region !== ctx.region)
    throw notFound('InvalidVpnGatewayID.NotFound', 'vpn gateway', id);
  return g;
}

function liveVpn(ctx: ActionContext, id: string): VpnConnection {
  const c = ctx.store.vpnConnections.get(id);
  if (!c || c.account !== ctx.account || c.region !== ctx.region || vpnState(c, ctx.now) === 'deleted')
    throw notFound('InvalidVpnConnectionID.NotFound', 'vpn connection', id);
  return c;
}

function vgwXml(g: VpnGateway, now: number): XmlObject {
  return {
    vpnGatewayId: g.id,
    state: vgwState(g, now),
    type: g.type,
    attachments: attachments(g, now).map((a) => ({ vpcId: a.vpcId, state: a.state })),
    amazonSideAsn: g.asn,
    tagSet: tagSet(g.tags),
  };
}

function cgwXml(c: CustomerGateway): XmlObject {
  return {
    customerGatewayId: c.id,
    state: c.deleted ? 'deleted' : 'available',
    type: 'ipsec.1',
    ipAddress: c.ipAddress,
    bgpAsn: String(c.asn),
    tagSet: tagSet(c.tags),
  };
}

function vpnXml(c: VpnConnection, ctx: ActionContext, withConfig: boolean): XmlObject {
  const state = vpnState(c, ctx.now);
  const upSince = c.create.startedAt + c.create.durationMs;
  const cgw = ctx.store.customerGateways.get(c.customerGatewayId);
  const liveRoutes = c.routes.filter((r) => r.state !== 'deleted').length;
  return {
    vpnConnectionId: c.id,
    state,
    customerGatewayConfiguration:
      withConfig && state !== 'deleted' ? customerGatewayConfig(c, cgw) : undefined,
    type: 'ipsec.1',
    customerGatewayId: c.customerGatewayId,
    vpnGatewayId: c.vpnGatewayId,
    category: 'VPN',
    tagSet: tagSet(c.tags),
    vgwTelemetry: c.tunnels.map((t) => ({
      outsideIpAddress: t.outsideIp,
      status: state === 'available' ? 'UP' : 'DOWN',
      lastStatusChange: isoTime(state === 'available' ? upSince : c.createdAt),
      statusMessage: state === 'available' && !c.staticRoutesOnly ? `${liveRoutes} BGP ROUTES` : '',
      acceptedRouteCount: liveRoutes,
    })),
    options: {
      enableAcceleration: false,
      staticRoutesOnly: c.staticRoutesOnly,
      localIpv4NetworkCidr: '0.0.0.0/0',
      remoteIpv4NetworkCidr: '0.0.0.0/0',
      tunnelInsideIpVersion: 'ipv4',
      tunnelOptionSet: c.tunnels.map((t) => ({
        outsideIpAddress: t.outsideIp,
        tunnelInsideCidr: t.insideCidr,
        preSharedKey: t.presharedKey,
      })),
    },
    routes: c.routes.map((r) => ({ destinationCidrBlock: r.cidr, source: 'Static', state: r.state })),
  };
}

/** A short version of the configuration document EC2 gives for the customer's device. */
function customerGatewayConfig(c: VpnConnection, cgw: CustomerGateway | undefined): string {
  const tunnels = c.tunnels
    .map(
      (t) =>
        `<ipsec_tunnel><customer_gateway><tunnel_outside_address><ip_address>${cgw?.ipAddress ?? ''}</ip_address></tunnel_outside_address></customer_gateway><vpn_gateway><tunnel_outside_address><ip_address>${t.outsideIp}</ip_address></tunnel_outside_address><tunnel_inside_address><network_cidr>${t.insideCidr.split('/')[1]}</network_cidr></tunnel_inside_address></vpn_gateway><ike><authentication_protocol>sha1</authentication_protocol><encryption_protocol>aes-128-cbc</encryption_protocol><lifetime>28800</lifetime><perfect_forward_secrecy>group2</perfect_forward_secrecy><mode>main</mode><pre_shared_key>${t.presharedKey}</pre_shared_key></ike></ipsec_tunnel>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><vpn_connection id="${c.id}"><customer_gateway_id>${c.customerGatewayId}</customer_gateway_id><vpn_gateway_id>${c.vpnGatewayId}</vpn_gateway_id><vpn_connection_type>ipsec.1</vpn_connection_type>${tunnels}</vpn_connection>`;
}
