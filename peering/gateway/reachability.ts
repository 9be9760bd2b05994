/**
 * Which remote clusters a cluster's gateways may send to, from the state of the Peerings between
 * clusters. Pure: the control plane compiles it into every gateway's configuration, and each
 * gateway drops the gateways of the clusters it cannot reach from its load balancing (and takes
 * them back when the link recovers).
 *
 * The rule, per ordered pair of different clusters X → Y:
 * - a direct Peering between X and Y decides: reachable while one of them is up;
 * - with no direct Peering, a path through one intermediate cluster H (the hub of a hub-and-spoke
 *   topology, whose transit routes carry spoke-to-spoke traffic) counts: reachable while some
 *   X–H and H–Y Peerings are both up;
 * - with no Peering path at all, the pair is not governed by peering (its gateways reach each
 *   other over their public mTLS listeners): reachable.
 * A cluster always reaches itself (its own endpoints are local).
 */

/** A link between two clusters and whether it carries traffic now (its Peering is Ready). */
export interface PeeringLink {
  readonly clusters: readonly [string, string];
  readonly up: boolean;
}

/** For each cluster, the remote clusters its gateways must not send to; clusters that reach every other are absent. */
export function unreachableClusters(
  clusters: readonly string[],
  links: readonly PeeringLink[],
): Record<string, string[]> {
  // For each pair: undefined (no Peering), true (one up), false (all down).
  const direct = new Map<string, boolean>();
  const key = (x: string, y: string) => (x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`);
  for (const l of links) {
    const [x, y] = l.clusters;
    if (x === y) continue;
    const k = key(x, y);
    direct.set(k, (direct.get(k) ?? false) || l.up);
  }
  const all = [...new Set([...clusters, ...links.flatMap((l) => l.clusters)])].sort();
  const out: Record<string, string[]> = {};
  for (const x of all) {
    for (const y of all) {
      if (x === y || reachable(x, y, all, direct, key)) continue;
      out[x] = [...(out[x] ?? []), y];
    }
  }
  return out;
}

function reachable(
  x: string,
  y: string,
  all: readonly string[],
  direct: ReadonlyMap<string, boolean>,
  key: (x: string, y: string) => string,
): boolean {
  const d = direct.get(key(x, y));
  if (d !== undefined) return d;
  let viaHub: boolean | undefined;
  for (const h of all) {
    if (h === x || h === y) continue;
    const xh = direct.get(key(x, h));
    const hy = direct.get(key(h, y));
    if (xh === undefined || hy === undefined) continue;
    if (xh && hy) return true;
    viaHub = false;
  }
  return viaHub ?? true;
}
