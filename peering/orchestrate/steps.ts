import { createHash } from 'node:crypto';
import { ipv4Bounds } from '../../providers/cloud/ip-ranges.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { LinkEnd, OrchestratedKind, PeeringStep, Side } from './types.js';

/**
 * The ordered steps that set up one link. Native peering: request on `a`, accept on `b`, wait
 * until active, routes both ways, verify. IPsec: a VPN gateway on each cloud end, then the end
 * whose gateway has no address of its own until a connection exists (AWS: the tunnels' outside
 * addresses come with the VPN connection) registers the other end and connects first; the other
 * end then registers it by its tunnel addresses and connects; routes both ways; tunnels up;
 * verify. An on-prem end gets its configuration generated instead of API calls.
 */
export function planSteps(kind: OrchestratedKind, a: LinkEnd, b: LinkEnd): PeeringStep[] {
  if (kind === 'native-peering') {
    return [
      step('peering.request', 'a', `request peering ${a.cluster} → ${b.cluster}`),
      step('peering.accept', 'b', `accept peering on ${b.cluster}`),
      step('peering.wait-active', 'a', 'wait until the peering is active'),
      // GCP and Azure exchange the peered ranges themselves; AWS route tables need the routes.
      ...(a.provider === 'aws' ? [step('routes', 'a', `routes on ${a.cluster} to ${b.cluster}`)] : []),
      ...(b.provider === 'aws' ? [step('routes', 'b', `routes on ${b.cluster} to ${a.cluster}`)] : []),
      step('verify', 'a', 'verify both directions through the east-west gateways'),
    ];
  }
  const ends = { a, b };
  const cloud = (s: Side) => ends[s].provider !== 'onprem';
  // The end that connects first: AWS (its addresses come with the connection), else `a`; never on-prem.
  const first: Side = !cloud('a')
    ? 'b'
    : !cloud('b')
      ? 'a'
      : b.provider === 'aws' && a.provider !== 'aws'
        ? 'b'
        : 'a';
  const second: Side = first === 'a' ? 'b' : 'a';
  const steps: PeeringStep[] = [];
  for (const s of ['a', 'b'] as const)
    if (cloud(s)) steps.push(step('vpn.gateway', s, `VPN gateway on ${ends[s].cluster}`));
  steps.push(
    step('vpn.peer-gateway', first, `register ${ends[second].cluster}'s endpoint on ${ends[first].cluster}`),
    step('vpn.connection', first, `VPN connection on ${ends[first].cluster}`),
  );
  if (cloud(second)) {
    steps.push(
      step(
        'vpn.peer-gateway',
        second,
        `register ${ends[first].cluster}'s endpoint on ${ends[second].cluster}`,
      ),
      step('vpn.connection', second, `VPN connection on ${ends[second].cluster}`),
    );
  } else {
    steps.push(step('onprem.config', second, `generate the IPsec configuration of ${ends[second].cluster}`));
  }
  for (const s of ['a', 'b'] as const)
    if (cloud(s))
      steps.push(step('routes', s, `routes on ${ends[s].cluster} to ${ends[s === 'a' ? 'b' : 'a'].cluster}`));
  steps.push(step('vpn.wait-up', first, 'wait until the tunnels are up'));
  steps.push(step('verify', 'a', 'verify both directions through the east-west gateways'));
  return steps;
}

function step(action: PeeringStep['action'], side: Side, title: string): PeeringStep {
  return { id: `${action}/${side}`, action, side, title };
}

/**
 * The name of the one VPN gateway of an end's network, shared by every link of that network:
 * derived from provider, account, region and network id, so every link (and every worker) finds
 * the same one. Valid as an AWS Name tag, a GCE resource name (with `-router`) and an Azure name
 * (with `-pip`).
 */
export function sharedGatewayName(end: LinkEnd): string {
  const key = [
    end.provider,
    end.scope.account,
    end.scope.resourceGroup ?? '',
    end.scope.region,
    end.networkId,
  ];
  return `fedgate-vgw-${createHash('sha256').update(key.join('|')).digest('hex').slice(0, 16)}`;
}

/** How a pair's IPsec link is laid out: connections per end and tunnels (pre-shared keys) in all. */
export interface VpnLayout {
  /** Connections (each with its own peer gateway) an end makes. */
  readonly connections: Readonly<Record<Side, number>>;
  /** Tunnels of the link, one pre-shared key each. */
  readonly tunnels: number;
}

/**
 * AWS ↔ GCP uses the four-tunnel topology Google documents for HA VPN to AWS: two customer
 * gateways and two VPN connections on AWS (one per HA VPN interface, two tunnels each), one
 * external VPN gateway with FOUR_IPS_REDUNDANCY and four tunnels on GCP. Every other pair has one
 * connection per cloud end and two tunnels.
 */
export function vpnLayout(a: LinkEnd, b: LinkEnd): VpnLayout {
  const awsGcp =
    (a.provider === 'aws' && b.provider === 'gcp') || (a.provider === 'gcp' && b.provider === 'aws');
  if (!awsGcp) return { connections: { a: 1, b: 1 }, tunnels: 2 };
  return {
    connections: { a: a.provider === 'aws' ? 2 : 1, b: b.provider === 'aws' ? 2 : 1 },
    tunnels: 4,
  };
}

/** The /28s in 169.254.10.0–169.254.168.255: 159 third octets × 16. */
const INSIDE_SLOTS = 159 * 16;

/**
 * The BGP inside /30s of the four AWS ↔ GCP tunnels, in GCP's tunnel order (AWS connection 0's two
 * tunnels, then connection 1's): one /28 in 169.254.10.0–169.254.168.255 derived from the link's
 * name, clear of the /30s AWS reserves (169.254.0.0–169.254.5.3, 169.254.169.252/30), moved on to
 * the next /28 while it overlaps a range in `used` (the other BGP sessions of the GCP end's shared
 * Cloud Router). AWS takes each /30's first host address, GCP's Cloud Router the second, as
 * Google's guide pairs them.
 */
export function awsGcpInsideCidrs(peering: string, used: readonly string[] = []): string[] {
  const h = createHash('sha256').update(peering).digest();
  const start = (h.readUInt16BE(0) % 159) * 16 + (h[2]! % 16);
  const taken = used.map(ipv4Bounds).filter((r): r is [number, number] => r !== undefined);
  for (let k = 0; k < INSIDE_SLOTS; k++) {
    const slot = (start + k) % INSIDE_SLOTS;
    const third = 10 + Math.floor(slot / 16);
    const fourth = (slot % 16) * 16;
    const first = ipv4Bounds(`169.254.${third}.${fourth}/28`)!;
    if (taken.some((t) => t[0] <= first[1] && first[0] <= t[1])) continue;
    return [0, 1, 2, 3].map((i) => `169.254.${third}.${fourth + 4 * i}/30`);
  }
  throw new ProviderError(
    'Conflict',
    `no free /28 for ${peering}'s tunnels: the GCP Cloud Router's BGP ranges fill 169.254.10.0–169.254.168.255`,
  );
}

/** Names of the cloud objects of one peering: stable, so every create is idempotent by name. */
export function resourceNames(peering: string, a: LinkEnd, b: LinkEnd) {
  const base = `fedgate-${peering}`.slice(0, 50);
  const ends = { a, b };
  const layout = vpnLayout(a, b);
  const numbered = (prefix: string, s: Side) =>
    layout.connections[s] === 1
      ? [prefix]
      : Array.from({ length: layout.connections[s] }, (_, i) => `${prefix}-${i}`);
  return {
    peering: base,
    /** The shared VPN gateway of the end's network. */
    gateway: (s: Side) => sharedGatewayName(ends[s]),
    /** The per-link gateway of peerings set up before gateways were shared (removed on delete). */
    legacyGateway: (s: Side) => `${base}-vgw-${s}`,
    peerGateways: (s: Side) => numbered(`${base}-peer-${s}`, s),
    connections: (s: Side) => numbered(`${base}-vpn-${s}`, s),
    route: (s: Side, cidr: string) => `${base}-rt-${s}-${cidr.replace(/[./]/g, '-')}`,
    ends,
    layout,
  };
}
