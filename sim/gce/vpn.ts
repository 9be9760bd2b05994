/**
 * HA VPN: VPN gateways (two interfaces with external addresses), external VPN gateways, Cloud
 * Routers with BGP peers, and VPN tunnels whose status moves PROVISIONING → WAITING_FOR_FULL_CONFIG
 * (no BGP session on the router yet) → FIRST_HANDSHAKE → ESTABLISHED, with GCE's detailedStatus.
 * The shared secret is input-only: answers carry its hash, as GCE's do.
 */
import { createHash } from 'node:crypto';
import { cidrRange, cidrsOverlap } from './cidr.js';
import type { CollectionDef } from './collections.js';
import type { RequestCtx } from './context.js';
import { baseFields, checkName, requireString, resolveRef, sameResource, targetPath } from './context.js';
import { invalid, notFound, required } from './errors.js';
import { locationLink, relativePath, selfLink } from './links.js';
import { firstUser } from './network.js';
import type { GceResource } from './store.js';

const GLOBAL = { kind: 'global' } as const;
const tunnelClock = new WeakMap<GceResource, { provisioned: boolean; linkedAt?: number }>();

function regionScope(ctx: RequestCtx) {
  return ctx.scope as { kind: 'regions'; name: string };
}

/** GCE labels: lowercase keys and values, at most 64 of them. */
function labels(body: Record<string, unknown>): Record<string, string> {
  const l = body.labels;
  if (l === undefined) return {};
  if (!l || typeof l !== 'object' || Array.isArray(l)) throw invalid('resource.labels', 'expected a map');
  for (const [k, v] of Object.entries(l))
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(k) || typeof v !== 'string' || !/^[a-z0-9_-]{0,63}$/.test(v))
      throw invalid(`resource.labels.${k}`, 'keys and values must be lowercase letters, digits, _ and -');
  return l as Record<string, string>;
}

/** HA VPN gateways. */
export const vpnGateways: CollectionDef = {
  name: 'vpnGateways',
  scope: 'regions',
  kind: 'compute#vpnGateway',
  aggregated: true,
  create(ctx, name) {
    checkName(name);
    const network = resolveRef(ctx, 'resource.network', ctx.body.network, 'networks', GLOBAL);
    return {
      resource: {
        ...baseFields(ctx, 'compute#vpnGateway', name),
        region: locationLink(ctx.project, ctx.scope),
        network: network.link,
        vpnInterfaces: [0, 1].map((id) => ({ id, ipAddress: ctx.sim.nextPublicIp() })),
        stackType: typeof ctx.body.stackType === 'string' ? ctx.body.stackType : 'IPV4_ONLY',
        labels: labels(ctx.body),
        labelFingerprint: '42WmSpB8rSM=',
        ...(typeof ctx.body.description === 'string' ? { description: ctx.body.description } : {}),
      },
    };
  },
  usedBy: (ctx, path) => firstUser(ctx.sim.store, ctx.project, 'vpnTunnels', 'vpnGateway', selfLink(path)),
};

const REDUNDANCY: Record<string, number> = {
  SINGLE_IP_INTERNALLY_REDUNDANT: 1,
  TWO_IPS_REDUNDANCY: 2,
  FOUR_IPS_REDUNDANCY: 4,
};

/** Peer (on-prem or other cloud) VPN gateways. */
export const externalVpnGateways: CollectionDef = {
  name: 'externalVpnGateways',
  scope: 'global',
  kind: 'compute#externalVpnGateway',
  create(ctx, name) {
    checkName(name);
    const redundancyType = requireString(ctx.body, 'redundancyType');
    const count = REDUNDANCY[redundancyType];
    if (!count)
      throw invalid(
        'resource.redundancyType',
        `'${redundancyType}' is not one of ${Object.keys(REDUNDANCY).join(', ')}`,
      );
    const interfaces = ctx.body.interfaces;
    if (!Array.isArray(interfaces) || interfaces.length !== count)
      throw invalid('resource.interfaces', `${redundancyType} needs exactly ${count} interface(s)`);
    interfaces.forEach((i: GceResource, n) => {
      if (typeof i?.ipAddress !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}$/.test(i.ipAddress))
        throw invalid(`resource.interfaces[${n}].ipAddress`, 'expected an IPv4 address');
    });
    return {
      resource: {
        ...baseFields(ctx, 'compute#externalVpnGateway', name),
        redundancyType,
        interfaces: interfaces.map((i: GceResource, n) => ({
          id: typeof i.id === 'number' ? i.id : n,
          ipAddress: i.ipAddress,
        })),
        labels: labels(ctx.body),
        labelFingerprint: '42WmSpB8rSM=',
        ...(typeof ctx.body.description === 'string' ? { description: ctx.body.description } : {}),
      },
    };
  },
  usedBy: (ctx, path) =>
    firstUser(ctx.sim.store, ctx.project, 'vpnTunnels', 'peerExternalGateway', selfLink(path)),
};

function checkAsn(asn: unknown, field: string): number {
  const n = Number(asn);
  const ok =
    Number.isInteger(n) &&
    (n === 16550 || (n >= 64512 && n <= 65534) || (n >= 4200000000 && n <= 4294967294));
  if (!ok)
    throw invalid(field, `${String(asn)} is not a private ASN (64512-65534, 4200000000-4294967294) or 16550`);
  return n;
}

/** Validates a router's interfaces and BGP peers against its region's tunnels. */
function routerParts(
  ctx: RequestCtx,
  body: GceResource,
): { interfaces: GceResource[]; bgpPeers: GceResource[] } {
  const interfaces = (Array.isArray(body.interfaces) ? body.interfaces : []) as GceResource[];
  const bgpPeers = (Array.isArray(body.bgpPeers) ? body.bgpPeers : []) as GceResource[];
  const out = interfaces.map((i, n): GceResource => {
    const name = requireString(i, 'name');
    checkName(name, `resource.interfaces[${n}].name`);
    const linked = i.linkedVpnTunnel
      ? resolveRef(
          ctx,
          `resource.interfaces[${n}].linkedVpnTunnel`,
          i.linkedVpnTunnel,
          'vpnTunnels',
          ctx.scope,
        ).link
      : undefined;
    return { ...i, name, ...(linked ? { linkedVpnTunnel: linked } : {}), managementType: 'MANAGED_BY_USER' };
  });
  // Two BGP sessions of one router cannot share link-local addresses.
  out.forEach((iface, n) => {
    if (typeof iface.ipRange !== 'string') return;
    if (!cidrRange(iface.ipRange))
      throw invalid(`resource.interfaces[${n}].ipRange`, `'${iface.ipRange}' is not an IPv4 range`);
    const clash = out
      .slice(0, n)
      .find((o) => typeof o.ipRange === 'string' && cidrsOverlap(iface.ipRange as string, o.ipRange));
    if (clash)
      throw invalid(
        `resource.interfaces[${n}].ipRange`,
        `'${iface.ipRange}' overlaps the IP range '${String(clash.ipRange)}' of interface '${String(clash.name)}'`,
      );
  });
  const peers = bgpPeers.map((p, n) => {
    const name = requireString(p, 'name');
    const iface = out.find((i) => i.name === p.interfaceName);
    if (!iface)
      throw invalid(
        `resource.bgpPeers[${n}].interfaceName`,
        `no interface named '${String(p.interfaceName)}'`,
      );
    if (typeof p.peerIpAddress !== 'string') throw required(`resource.bgpPeers[${n}].peerIpAddress`);
    const ipAddress = typeof iface.ipRange === 'string' ? iface.ipRange.split('/')[0] : undefined;
    return {
      advertiseMode: 'DEFAULT',
      enable: 'TRUE',
      managementType: 'MANAGED_BY_USER',
      ...p,
      name,
      peerAsn: checkAsnOrPublic(p.peerAsn, `resource.bgpPeers[${n}].peerAsn`),
      ...(ipAddress ? { ipAddress } : {}),
    };
  });
  return { interfaces: out, bgpPeers: peers };
}

function checkAsnOrPublic(asn: unknown, field: string): number {
  const n = Number(asn);
  if (!Number.isInteger(n) || n < 1 || n > 4294967294) throw invalid(field, `${String(asn)} is not an ASN`);
  return n;
}

/** Cloud Routers (BGP speakers of HA VPN). */
export const routers: CollectionDef = {
  name: 'routers',
  scope: 'regions',
  kind: 'compute#router',
  aggregated: true,
  create(ctx, name) {
    checkName(name);
    const network = resolveRef(ctx, 'resource.network', ctx.body.network, 'networks', GLOBAL);
    const bgp = (ctx.body.bgp as GceResource | undefined) ?? undefined;
    const parts = routerParts(ctx, ctx.body);
    return {
      resource: {
        ...baseFields(ctx, 'compute#router', name),
        region: locationLink(ctx.project, ctx.scope),
        network: network.link,
        ...(bgp
          ? {
              bgp: {
                advertiseMode: 'DEFAULT',
                keepaliveInterval: 20,
                ...bgp,
                asn: checkAsn(bgp.asn, 'resource.bgp.asn'),
              },
            }
          : {}),
        interfaces: parts.interfaces,
        bgpPeers: parts.bgpPeers,
        encryptedInterconnectRouter: false,
        ...(typeof ctx.body.description === 'string' ? { description: ctx.body.description } : {}),
      },
    };
  },
  patch(ctx, replace) {
    const path = targetPath(ctx);
    let next: GceResource | undefined;
    return ctx.sim.ops.start({
      project: ctx.project,
      scope: ctx.scope,
      operationType: replace ? 'update' : 'patch',
      target: path,
      requestId: ctx.query.get('requestId'),
      prepare: () => {
        const current = ctx.sim.store.get(path);
        if (!current) throw notFound(relativePath(path));
        const merged = replace ? { ...ctx.body } : { ...current, ...ctx.body };
        const parts = routerParts(ctx, merged);
        const bgp = merged.bgp as GceResource | undefined;
        next = {
          ...merged,
          ...parts,
          ...(bgp ? { bgp: { ...bgp, asn: checkAsn(bgp.asn, 'resource.bgp.asn') } } : {}),
          name: current.name,
          id: current.id,
          selfLink: current.selfLink,
          region: current.region,
          network: current.network,
        };
      },
      apply: () => {
        const current = ctx.sim.store.get(path);
        if (!current || !next) throw notFound(relativePath(path));
        for (const k of Object.keys(current)) delete current[k];
        Object.assign(current, next);
      },
    });
  },
  usedBy: (ctx, path) => firstUser(ctx.sim.store, ctx.project, 'vpnTunnels', 'router', selfLink(path)),
};

/** True when the tunnel's router has an interface linked to it with a BGP peer on it. */
function bgpConfigured(ctx: RequestCtx, tunnel: GceResource): boolean {
  const region = { kind: 'regions', name: String(tunnel.region).split('/').pop()! } as const;
  const path =
    typeof tunnel.router === 'string'
      ? { project: ctx.project, scope: region, collection: 'routers', name: tunnel.router.split('/').pop()! }
      : undefined;
  const router = path ? ctx.sim.store.get(path) : undefined;
  if (!router) return false;
  const ifaces = ((router.interfaces as GceResource[]) ?? []).filter((i) =>
    sameResource(i.linkedVpnTunnel, tunnel.selfLink),
  );
  return ((router.bgpPeers as GceResource[]) ?? []).some((p) =>
    ifaces.some((i) => i.name === p.interfaceName),
  );
}

/** HA VPN tunnels. */
export const vpnTunnels: CollectionDef = {
  name: 'vpnTunnels',
  scope: 'regions',
  kind: 'compute#vpnTunnel',
  aggregated: true,
  create(ctx, name) {
    checkName(name);
    const secret = requireString(ctx.body, 'sharedSecret');
    const gw = resolveRef(ctx, 'resource.vpnGateway', ctx.body.vpnGateway, 'vpnGateways', ctx.scope);
    const gwIface = Number(ctx.body.vpnGatewayInterface ?? 0);
    if (!((gw.value.vpnInterfaces as GceResource[]) ?? []).some((i) => i.id === gwIface))
      throw invalid('resource.vpnGatewayInterface', `gateway '${gw.value.name}' has no interface ${gwIface}`);
    const peer = resolveRef(
      ctx,
      'resource.peerExternalGateway',
      ctx.body.peerExternalGateway,
      'externalVpnGateways',
      GLOBAL,
    );
    const peerIface = Number(ctx.body.peerExternalGatewayInterface ?? 0);
    const peerIp = ((peer.value.interfaces as GceResource[]) ?? []).find(
      (i) => i.id === peerIface,
    )?.ipAddress;
    if (!peerIp)
      throw invalid(
        'resource.peerExternalGatewayInterface',
        `external gateway '${peer.value.name}' has no interface ${peerIface}`,
      );
    if (!ctx.body.router) throw required('resource.router');
    const router = resolveRef(ctx, 'resource.router', ctx.body.router, 'routers', ctx.scope);
    if (!sameResource(router.value.network, gw.value.network))
      throw invalid('resource.router', 'the router and the VPN gateway must be in the same network');
    const resource: GceResource = {
      ...baseFields(ctx, 'compute#vpnTunnel', name),
      region: locationLink(ctx.project, regionScope(ctx)),
      vpnGateway: gw.link,
      vpnGatewayInterface: gwIface,
      peerExternalGateway: peer.link,
      peerExternalGatewayInterface: peerIface,
      peerIp,
      router: router.link,
      ikeVersion: Number(ctx.body.ikeVersion ?? 2),
      sharedSecretHash: createHash('sha256').update(secret).digest('base64url').slice(0, 27),
      status: 'PROVISIONING',
      detailedStatus: 'Tunnel is being provisioned.',
      localTrafficSelector: ['0.0.0.0/0'],
      remoteTrafficSelector: ['0.0.0.0/0'],
      labels: labels(ctx.body),
      labelFingerprint: '42WmSpB8rSM=',
      ...(typeof ctx.body.description === 'string' ? { description: ctx.body.description } : {}),
    };
    tunnelClock.set(resource, { provisioned: false });
    return {
      resource,
      visibleAtStart: true,
      onDone: () => {
        tunnelClock.set(resource, { provisioned: true });
      },
    };
  },
  refresh(ctx, tunnel) {
    const clock = tunnelClock.get(tunnel);
    if (!clock?.provisioned) return;
    if (!bgpConfigured(ctx, tunnel)) {
      clock.linkedAt = undefined;
      tunnel.status = 'WAITING_FOR_FULL_CONFIG';
      tunnel.detailedStatus = 'Waiting for full config.';
      return;
    }
    clock.linkedAt ??= Date.now();
    const up = Date.now() - clock.linkedAt >= ctx.sim.tunnelEstablishMs();
    tunnel.status = up ? 'ESTABLISHED' : 'FIRST_HANDSHAKE';
    tunnel.detailedStatus = up ? 'Tunnel is up and running.' : 'Handshake with peer is in progress.';
  },
  usedBy(ctx, path) {
    const link = selfLink(path);
    for (const r of ctx.sim.store.list(ctx.project, 'routes'))
      if (sameResource(r.value.nextHopVpnTunnel, link)) return relativePath(r.path);
    return undefined;
  },
};
