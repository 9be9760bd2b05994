/**
 * Custom static routes of a network (routes.list filtered on the network, routes.insert,
 * routes.delete). GCE exchanges peering routes itself, so a route whose target is a peering,
 * a VPN gateway or a transit gateway is refused as Invalid; a `vpn-connection` target is one of its
 * tunnels and an `instance` target an instance.
 */
import { createHash } from 'node:crypto';
import type { protos } from '@google-cloud/compute';
import type { CallOptions, RouteSpec, WaitOptions } from '../cloud/adapter.js';
import type { CloudRoute, CloudScope } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import { deleteResource, ensureResource, opOf } from './ensure.js';
import type { GcpApi } from './gcp-api.js';
import { globalLink, scopedLink } from './ids.js';

type Route = protos.google.cloud.compute.v1.IRoute;

/** The route name of a spec: its own, or one derived from network and destination. */
export function routeName(spec: RouteSpec): string {
  if (spec.name) return spec.name;
  const h = createHash('sha1').update(`${spec.networkId}|${spec.destinationCidr}`).digest('hex').slice(0, 12);
  return `fedgate-route-${h}`;
}

/** A GCE route as the seam sees it; system routes (subnet, Internet) have no seam target and are left out. */
export function toRoute(r: Route): CloudRoute | undefined {
  const hop = r.nextHopVpnTunnel
    ? { kind: 'vpn-connection' as const, id: r.nextHopVpnTunnel }
    : r.nextHopInstance
      ? { kind: 'instance' as const, id: r.nextHopInstance }
      : r.nextHopPeering
        ? { kind: 'peering' as const, id: r.nextHopPeering }
        : undefined;
  if (!hop) return undefined;
  return {
    networkId: r.network ?? '',
    destinationCidr: r.destRange ?? '',
    target: hop,
    state: r.routeStatus === 'INACTIVE' || r.routeStatus === 'DROPPED' ? 'blackhole' : 'active',
    ...(r.name ? { name: r.name } : {}),
  };
}

/** Routes of the adapter's project. */
export class GcpRoutes {
  constructor(
    private readonly api: GcpApi,
    private readonly scope: CloudScope,
  ) {}

  async list(networkId: string, opts: CallOptions = {}): Promise<CloudRoute[]> {
    const api = this.api;
    const network = globalLink(api.project, 'networks', networkId);
    const routes = await api.listAll(
      'routes.list',
      (pageToken, o) =>
        api.routes.list(
          { project: api.project, filter: `network = "${network}"`, ...(pageToken ? { pageToken } : {}) },
          o,
        ),
      opts.signal,
    );
    return routes.map(toRoute).filter((r): r is CloudRoute => r !== undefined);
  }

  async ensure(spec: RouteSpec, opts: WaitOptions = {}): Promise<CloudRoute> {
    const api = this.api;
    const name = routeName(spec);
    const network = globalLink(api.project, 'networks', spec.networkId);
    const hop = this.#nextHop(spec);
    const route = await ensureResource(
      api,
      {
        what: `route ${name}`,
        key: `routes/${api.project}/${name}`,
        get: () =>
          api.find(
            'routes.get',
            (o) => api.routes.get({ project: api.project, route: name }, o),
            opts.signal,
          ),
        insert: async (requestId) =>
          opOf(
            await api.call(
              'routes.insert',
              (o) =>
                api.routes.insert(
                  {
                    project: api.project,
                    requestId,
                    routeResource: { name, network, destRange: spec.destinationCidr, priority: 1000, ...hop },
                  },
                  o,
                ),
              opts.signal,
            ),
          ),
      },
      opts,
    );
    const mapped = toRoute(route);
    if (!mapped)
      throw new ProviderError('Conflict', `route ${name} exists with a next hop fedgate does not manage`, {
        provider: 'gcp',
      });
    return mapped;
  }

  async delete(spec: RouteSpec, opts: WaitOptions = {}): Promise<void> {
    const api = this.api;
    const name = routeName(spec);
    await deleteResource(
      api,
      `route ${name}`,
      async () =>
        opOf(
          await api.call(
            'routes.delete',
            (o) => api.routes.delete({ project: api.project, route: name }, o),
            opts.signal,
          ),
        ),
      opts,
    );
  }

  #nextHop(spec: RouteSpec): Route {
    const { kind } = spec.target;
    // A connection's id names all its tunnels (`…/vpnTunnels/<name>-*`): route through the first.
    const id = spec.target.id.replace(/-\*$/, '-0');
    if (kind === 'vpn-connection')
      return {
        nextHopVpnTunnel: id.includes('/')
          ? id
          : scopedLink(this.api.project, 'regions', this.scope.region, 'vpnTunnels', id),
      };
    if (kind === 'instance') return { nextHopInstance: id };
    throw new ProviderError(
      'Invalid',
      `route target kind "${kind}" is not a GCE route next hop (peering routes are exchanged by the peering itself; use a VPN tunnel or an instance)`,
      { provider: 'gcp' },
    );
  }
}
