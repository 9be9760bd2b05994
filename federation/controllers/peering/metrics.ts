import type { Registry } from 'prom-client';
import { gaugeOf } from '../../controller/metrics.js';
import type { GatewayPathHealth } from './gateway-path.js';
import type { TunnelHealth } from './status.js';

/**
 * Exports a Ready link's health as the providers report it: whether the link is up, each tunnel's
 * state, when it last changed, and the bytes through it where the provider counts them.
 */
export function exportHealth(
  registry: Registry,
  peering: string,
  tunnels: readonly TunnelHealth[],
  up: boolean,
): void {
  gaugeOf(registry, {
    name: 'fedgate_peering_link_up',
    help: 'Whether a peering is up as its providers report it (1) or down (0)',
    labelNames: ['peering'],
  }).set({ peering }, up ? 1 : 0);
  const tunnelUp = gaugeOf(registry, {
    name: 'fedgate_peering_tunnel_up',
    help: 'One IPsec tunnel of a peering: 1 up, 0 down or unknown',
    labelNames: ['peering', 'cluster', 'tunnel'],
  });
  const changed = gaugeOf(registry, {
    name: 'fedgate_peering_tunnel_last_status_change_seconds',
    help: "Unix time of a tunnel's last status change (its last handshake), as the provider reports it",
    labelNames: ['peering', 'cluster', 'tunnel'],
  });
  const bytes = gaugeOf(registry, {
    name: 'fedgate_peering_tunnel_bytes',
    help: 'Bytes through a tunnel since it came up, by direction, where the provider reports them',
    labelNames: ['peering', 'cluster', 'tunnel', 'direction'],
  });
  for (const t of tunnels) {
    const labels = { peering, cluster: t.cluster, tunnel: t.outsideIp };
    tunnelUp.set(labels, t.status === 'up' ? 1 : 0);
    const at = t.lastStatusChange ? Date.parse(t.lastStatusChange) : Number.NaN;
    if (Number.isFinite(at)) changed.set(labels, at / 1000);
    if (t.ingressBytes !== undefined) bytes.set({ ...labels, direction: 'in' }, t.ingressBytes);
    if (t.egressBytes !== undefined) bytes.set({ ...labels, direction: 'out' }, t.egressBytes);
  }
}

/** Exports what the health reads' probes through the east-west gateways measured. */
export function exportGatewayPath(
  registry: Registry,
  peering: string,
  a: string,
  b: string,
  path: GatewayPathHealth,
): void {
  const rtt = gaugeOf(registry, {
    name: 'fedgate_peering_gateway_rtt_seconds',
    help: "Median round trip of the last health read's probe from a gateway of one cluster to one of the other",
    labelNames: ['peering', 'from', 'to'],
  });
  for (const [from, to, ms] of [
    [a, b, path.rttMsAToB],
    [b, a, path.rttMsBToA],
  ] as const) {
    if (ms === undefined) rtt.remove({ peering, from, to });
    else rtt.set({ peering, from, to }, ms / 1000);
  }
  const loss = gaugeOf(registry, {
    name: 'fedgate_peering_gateway_probe_loss_ratio',
    help: 'Share of the recent probes through the east-west gateways that failed (0 to 1)',
    labelNames: ['peering'],
  });
  if (path.lossPercent === undefined) loss.remove({ peering });
  else loss.set({ peering }, path.lossPercent / 100);
}
