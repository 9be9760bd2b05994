import type { Registry } from 'prom-client';
import { gaugeOf } from '../../controller/metrics.js';
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
