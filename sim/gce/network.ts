/**
 * Networks, subnetworks, routes and network peering. A peering is ACTIVE only when both networks
 * have added it (each naming the other), INACTIVE otherwise, as GCE reports it.
 */
import { addressInCidr, cidrRange, cidrsOverlap } from './cidr.js';
import type { CollectionDef } from './collections.js';
import type { RequestCtx } from './context.js';
import { baseFields, checkName, requireString, resolveRef, sameResource, targetPath } from './context.js';
import { alreadyExists, GceApiError, invalid, notFound, required } from './errors.js';
import type { ResourcePath } from './links.js';
import { parseReference, relativePath, selfLink } from './links.js';
import type { GceResource, GceStore } from './store.js';

const GLOBAL = { kind: 'global' } as const;

/** `projects/p/regions/r/subnetworks/s` of the first resource of `collection` referring to `link` in `field`. */
export function firstUser(store: GceStore, project: string, collection: string, field: string, link: string) {
  const hit = store.list(project, collection).find((r) => sameResource(r.value[field], link));
  return hit ? relativePath(hit.path) : undefined;
}

/** Adds a system route (subnet route or the default route to the Internet). */
function addSystemRoute(ctx: RequestCtx, network: string, destRange: string, extra: GceResource): void {
  const id = ctx.sim.store.newId();
  const name = `default-route-${BigInt(id).toString(16).slice(-16)}`;
  const path: ResourcePath = { project: ctx.project, scope: GLOBAL, collection: 'routes', name };
  ctx.sim.store.put(path, {
    kind: 'compute#route',
    id,
    creationTimestamp: new Date().toISOString(),
    name,
    network,
    destRange,
    priority: extra.nextHopNetwork ? 0 : 1000,
    selfLink: selfLink(path),
    ...extra,
  });
}

/** Sets every peering's state from whether the other side has the reverse peering. */
export function recomputePeerings(store: GceStore): void {
  for (const { value: net } of store.all('networks')) {
    for (const p of (net.peerings as GceResource[] | undefined) ?? []) {
      const peerPath = parseReference(String(p.network), '', 'networks', GLOBAL);
      const peer = peerPath ? store.get(peerPath) : undefined;
      const back = ((peer?.peerings as GceResource[] | undefined) ?? []).some((q) =>
        sameResource(q.network, net.selfLink),
      );
      const state = back ? 'ACTIVE' : 'INACTIVE';
      if (p.state !== state) {
        p.state = state;
        p.stateDetails = back
          ? `[${new Date().toISOString()}] Connected.`
          : peer
            ? '[2000] Waiting for peer network to connect.'
            : '[2001] Peer network was deleted.';
      }
    }
  }
}

function networkOf(ctx: RequestCtx): GceResource {
  const value = ctx.sim.store.get(targetPath(ctx));
  if (!value) throw notFound(relativePath(targetPath(ctx)));
  return value;
}

/** Starts an operation that changes the peerings of the network the request names. */
function peeringOp(ctx: RequestCtx, type: string, change: () => void, check: () => void): GceResource {
  return ctx.sim.ops.start({
    project: ctx.project,
    scope: GLOBAL,
    operationType: type,
    target: targetPath(ctx),
    requestId: ctx.query.get('requestId'),
    prepare: check,
    apply: () => {
      change();
      recomputePeerings(ctx.sim.store);
    },
  });
}

function addPeering(ctx: RequestCtx): GceResource {
  const np = (ctx.body.networkPeering as GceResource | undefined) ?? {};
  const name = String(np.name ?? ctx.body.name ?? '');
  const peerRef = np.network ?? ctx.body.peerNetwork;
  let peerLink = '';
  const check = () => {
    const net = networkOf(ctx);
    if (!name) throw required('networkPeering.name');
    checkName(name, 'networkPeering.name');
    const peer = resolveRef(ctx, 'networkPeering.network', peerRef, 'networks', GLOBAL);
    peerLink = peer.link;
    if (sameResource(peerLink, net.selfLink))
      throw invalid('networkPeering.network', 'cannot peer a network with itself');
    const peerings = (net.peerings as GceResource[] | undefined) ?? [];
    if (peerings.some((p) => p.name === name))
      throw alreadyExists(`${relativePath(targetPath(ctx))}/peerings/${name}`);
    if (peerings.some((p) => sameResource(p.network, peerLink)))
      throw invalid('networkPeering.network', `there is already a peering with network '${peerLink}'`);
  };
  return peeringOp(
    ctx,
    'addPeering',
    () => {
      const net = networkOf(ctx);
      refuseOverlap(ctx, String(net.selfLink), peerLink);
      const peerings = ((net.peerings as GceResource[] | undefined) ?? []).filter((p) => p.name !== name);
      peerings.push({
        name,
        network: peerLink,
        state: 'INACTIVE',
        stateDetails: '[2000] Waiting for peer network to connect.',
        autoCreateRoutes: true,
        exchangeSubnetRoutes: true,
        exportCustomRoutes: Boolean(np.exportCustomRoutes),
        importCustomRoutes: Boolean(np.importCustomRoutes),
        exportSubnetRoutesWithPublicIp: true,
        importSubnetRoutesWithPublicIp: false,
        stackType: 'IPV4_ONLY',
        peerMtu: 1460,
      });
      net.peerings = peerings;
    },
    check,
  );
}

/**
 * GCE refuses to peer networks whose subnet ranges overlap: the addPeering operation ends with
 * "An IP range in the peer network (…) overlaps with an IP range in the local network (…)
 * allocated by resource (projects/…/subnetworks/…)." (Terraform reports it as "Error waiting for
 * Adding Network Peering: …", i.e. an error of the operation, not of the request).
 */
function refuseOverlap(ctx: RequestCtx, localLink: string, peerLink: string): void {
  const subnetsOf = (link: string) =>
    ctx.sim.store.all('subnetworks').filter((s) => sameResource(s.value.network, link));
  const theirs = subnetsOf(peerLink);
  for (const mine of subnetsOf(localLink)) {
    const own = String(mine.value.ipCidrRange);
    const clash = theirs.find((t) => cidrsOverlap(own, String(t.value.ipCidrRange)));
    if (clash)
      throw new GceApiError(
        400,
        'invalid',
        `An IP range in the peer network (${String(clash.value.ipCidrRange)}) overlaps with an IP range in the local network (${own}) allocated by resource (${relativePath(mine.path)}).`,
        'INVALID_ARGUMENT',
      );
  }
}

function removePeering(ctx: RequestCtx): GceResource {
  const name = String(ctx.body.name ?? '');
  return peeringOp(
    ctx,
    'removePeering',
    () => {
      const net = networkOf(ctx);
      net.peerings = ((net.peerings as GceResource[] | undefined) ?? []).filter((p) => p.name !== name);
    },
    () => {
      const net = networkOf(ctx);
      if (!name) throw required('name');
      if (!((net.peerings as GceResource[] | undefined) ?? []).some((p) => p.name === name))
        throw new GceApiError(
          400,
          'invalid',
          `There is no peering with name '${name}' in network '${net.name}'.`,
          'INVALID_ARGUMENT',
        );
    },
  );
}

/** Global VPC networks. */
export const networks: CollectionDef = {
  name: 'networks',
  scope: 'global',
  kind: 'compute#network',
  create(ctx, name) {
    checkName(name);
    const auto = ctx.body.autoCreateSubnetworks === true;
    const resource: GceResource = {
      ...baseFields(ctx, 'compute#network', name),
      autoCreateSubnetworks: auto,
      mtu: typeof ctx.body.mtu === 'number' ? ctx.body.mtu : 1460,
      routingConfig: { routingMode: 'REGIONAL', ...((ctx.body.routingConfig as object | undefined) ?? {}) },
      networkFirewallPolicyEnforcementOrder: 'AFTER_CLASSIC_FIREWALL',
      subnetworks: [],
      peerings: [],
      ...(typeof ctx.body.description === 'string' ? { description: ctx.body.description } : {}),
    };
    resource.selfLinkWithId = `${String(resource.selfLink).replace(/[^/]+$/, '')}${resource.id}`;
    return {
      resource,
      onDone: () =>
        addSystemRoute(ctx, String(resource.selfLink), '0.0.0.0/0', {
          description: 'Default route to the Internet.',
          nextHopGateway: `https://www.googleapis.com/compute/v1/projects/${ctx.project}/global/gateways/default-internet-gateway`,
          routeType: 'STATIC',
        }),
    };
  },
  usedBy(ctx, path) {
    const link = selfLink(path);
    for (const [collection, field] of [
      ['subnetworks', 'network'],
      ['vpnGateways', 'network'],
      ['routers', 'network'],
    ] as const) {
      const user = firstUser(ctx.sim.store, ctx.project, collection, field, link);
      if (user) return user;
    }
    const route = ctx.sim.store
      .list(ctx.project, 'routes')
      .find((r) => sameResource(r.value.network, link) && !r.value.nextHopNetwork && !r.value.nextHopGateway);
    return route ? relativePath(route.path) : undefined;
  },
  onDeleted(ctx, path) {
    const link = selfLink(path);
    for (const r of ctx.sim.store.list(ctx.project, 'routes'))
      if (sameResource(r.value.network, link)) ctx.sim.store.delete(r.path);
    recomputePeerings(ctx.sim.store);
  },
  methods: { addPeering, removePeering },
};

/** Regional subnetworks of a network. */
export const subnetworks: CollectionDef = {
  name: 'subnetworks',
  scope: 'regions',
  kind: 'compute#subnetwork',
  aggregated: true,
  create(ctx, name) {
    checkName(name);
    const network = resolveRef(ctx, 'resource.network', ctx.body.network, 'networks', GLOBAL);
    const cidr = requireString(ctx.body, 'ipCidrRange');
    if (!cidrRange(cidr)) throw invalid('resource.ipCidrRange', `'${cidr}' is not a valid IPv4 CIDR range`);
    for (const s of ctx.sim.store.list(ctx.project, 'subnetworks'))
      if (sameResource(s.value.network, network.link) && cidrsOverlap(String(s.value.ipCidrRange), cidr))
        throw invalid(
          'resource.ipCidrRange',
          `'${cidr}' conflicts with existing subnetwork '${s.value.name}'`,
        );
    const resource: GceResource = {
      ...baseFields(ctx, 'compute#subnetwork', name),
      network: network.link,
      ipCidrRange: cidr,
      gatewayAddress: addressInCidr(cidr, 1),
      region: `https://www.googleapis.com/compute/v1/projects/${ctx.project}/regions/${(ctx.scope as { name: string }).name}`,
      privateIpGoogleAccess: false,
      fingerprint: Buffer.from(name).toString('base64').slice(0, 11),
      purpose: 'PRIVATE',
      stackType: 'IPV4_ONLY',
    };
    return {
      resource,
      onDone: () => {
        const net = ctx.sim.store.get(network.path);
        if (net) net.subnetworks = [...((net.subnetworks as string[]) ?? []), resource.selfLink];
        addSystemRoute(ctx, network.link, cidr, {
          description: `Default local route to the subnetwork ${cidr}.`,
          nextHopNetwork: network.link,
          routeType: 'SUBNET',
        });
      },
    };
  },
  usedBy(ctx, path) {
    const link = selfLink(path);
    const hit = ctx.sim.store
      .list(ctx.project, 'instances')
      .find((i) =>
        ((i.value.networkInterfaces as GceResource[]) ?? []).some((n) => sameResource(n.subnetwork, link)),
      );
    return hit ? relativePath(hit.path) : undefined;
  },
  onDeleted(ctx, path, value) {
    const link = selfLink(path);
    const netPath = parseReference(String(value.network), ctx.project, 'networks', GLOBAL);
    const net = netPath ? ctx.sim.store.get(netPath) : undefined;
    if (net) net.subnetworks = ((net.subnetworks as string[]) ?? []).filter((s) => !sameResource(s, link));
    for (const r of ctx.sim.store.list(ctx.project, 'routes'))
      if (sameResource(r.value.nextHopNetwork, value.network) && r.value.destRange === value.ipCidrRange)
        ctx.sim.store.delete(r.path);
  },
};

const NEXT_HOPS = [
  'nextHopGateway',
  'nextHopInstance',
  'nextHopIp',
  'nextHopVpnTunnel',
  'nextHopIlb',
] as const;

/** Global routes of networks. */
export const routes: CollectionDef = {
  name: 'routes',
  scope: 'global',
  kind: 'compute#route',
  create(ctx, name) {
    checkName(name);
    const network = resolveRef(ctx, 'resource.network', ctx.body.network, 'networks', GLOBAL);
    const destRange = requireString(ctx.body, 'destRange');
    if (!cidrRange(destRange))
      throw invalid('resource.destRange', `'${destRange}' is not a valid IPv4 CIDR range`);
    const hops = NEXT_HOPS.filter((h) => typeof ctx.body[h] === 'string' && ctx.body[h] !== '');
    if (hops.length !== 1)
      throw invalid(
        'resource.nextHop',
        'exactly one of nextHopGateway, nextHopInstance, nextHopIp, nextHopVpnTunnel, nextHopIlb must be set',
      );
    const hop = hops[0]!;
    let target = String(ctx.body[hop]);
    if (hop === 'nextHopVpnTunnel') {
      const region = /regions\/([^/]+)\//.exec(target)?.[1];
      if (!region) throw invalid('resource.nextHopVpnTunnel', `'${target}' is not a VPN tunnel reference`);
      target = resolveRef(ctx, 'resource.nextHopVpnTunnel', target, 'vpnTunnels', {
        kind: 'regions',
        name: region,
      }).link;
    }
    const priority = ctx.body.priority === undefined ? 1000 : Number(ctx.body.priority);
    if (!Number.isInteger(priority) || priority < 0 || priority > 65535)
      throw invalid('resource.priority', 'must be an integer in [0, 65535]');
    return {
      resource: {
        ...baseFields(ctx, 'compute#route', name),
        network: network.link,
        destRange,
        priority,
        [hop]: target,
        routeType: 'STATIC',
        ...(Array.isArray(ctx.body.tags) ? { tags: ctx.body.tags } : {}),
        ...(typeof ctx.body.description === 'string' ? { description: ctx.body.description } : {}),
      },
    };
  },
};
