/** The AWS network capability: VPC peering, VPN through a virtual private gateway, routes. */
import type {
  CallOptions,
  NetworkCapability,
  PeerGatewaySpec,
  PeeringSpec,
  RouteSpec,
  VpnConnectionSpec,
  VpnGatewaySpec,
  WaitOptions,
} from '../cloud/adapter.js';
import type { CloudRoute, NetworkPeering, PeerGateway, VpnConnection, VpnGateway } from '../cloud/types.js';
import type { AwsContext } from './context.js';
import { AwsPeering } from './peering.js';
import { AwsRoutes } from './routes.js';
import { AwsVpn } from './vpn.js';

/** Network operations over EC2, each idempotent by Name tag. */
export class AwsNetwork implements NetworkCapability {
  readonly #peering: AwsPeering;
  readonly #vpn: AwsVpn;
  readonly #routes: AwsRoutes;

  constructor(ctx: AwsContext) {
    this.#peering = new AwsPeering(ctx);
    this.#vpn = new AwsVpn(ctx);
    this.#routes = new AwsRoutes(ctx, this.#vpn);
  }

  ensurePeering(spec: PeeringSpec, opts?: WaitOptions): Promise<NetworkPeering> {
    return this.#peering.ensure(spec, opts);
  }
  acceptPeering(spec: PeeringSpec, opts?: WaitOptions): Promise<NetworkPeering> {
    return this.#peering.accept(spec, opts);
  }
  describePeering(
    name: string,
    localNetworkId: string,
    opts?: CallOptions,
  ): Promise<NetworkPeering | undefined> {
    return this.#peering.describe(name, localNetworkId, opts);
  }
  deletePeering(name: string, localNetworkId: string, opts?: WaitOptions): Promise<void> {
    return this.#peering.delete(name, localNetworkId, opts);
  }

  ensureVpnGateway(spec: VpnGatewaySpec, opts?: WaitOptions): Promise<VpnGateway> {
    return this.#vpn.ensureGateway(spec, opts);
  }
  describeVpnGateway(name: string, opts?: CallOptions): Promise<VpnGateway | undefined> {
    return this.#vpn.describeGateway(name, opts);
  }
  deleteVpnGateway(name: string, opts?: WaitOptions): Promise<void> {
    return this.#vpn.deleteGateway(name, opts);
  }

  ensurePeerGateway(spec: PeerGatewaySpec, opts?: WaitOptions): Promise<PeerGateway> {
    return this.#vpn.ensurePeerGateway(spec, opts);
  }
  describePeerGateway(name: string, opts?: CallOptions): Promise<PeerGateway | undefined> {
    return this.#vpn.describePeerGateway(name, opts);
  }
  deletePeerGateway(name: string, opts?: WaitOptions): Promise<void> {
    return this.#vpn.deletePeerGateway(name, opts);
  }

  ensureVpnConnection(spec: VpnConnectionSpec, opts?: WaitOptions): Promise<VpnConnection> {
    return this.#vpn.ensureConnection(spec, opts);
  }
  describeVpnConnection(name: string, opts?: CallOptions): Promise<VpnConnection | undefined> {
    return this.#vpn.describeConnection(name, opts);
  }
  deleteVpnConnection(name: string, opts?: WaitOptions): Promise<void> {
    return this.#vpn.deleteConnection(name, opts);
  }

  listRoutes(networkId: string, opts?: CallOptions): Promise<CloudRoute[]> {
    return this.#routes.list(networkId, opts);
  }
  ensureRoute(spec: RouteSpec, opts?: WaitOptions): Promise<CloudRoute> {
    return this.#routes.ensure(spec, opts);
  }
  deleteRoute(spec: RouteSpec, opts?: WaitOptions): Promise<void> {
    return this.#routes.delete(spec, opts);
  }
}
