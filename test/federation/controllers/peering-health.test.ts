import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../federation/cli/output/format.js';
import { peeringColumns } from '../../../federation/cli/output/peering-columns.js';
import { exportHealth } from '../../../federation/controllers/peering/metrics.js';
import type { KubeObject } from '../../../federation/resources/kube-object.js';

const tunnels = [
  {
    cluster: 'aks-weu',
    outsideIp: '20.50.0.1',
    status: 'up' as const,
    lastStatusChange: '2026-12-03T10:00:00.000Z',
    ingressBytes: 2048,
    egressBytes: 1024,
  },
  { cluster: 'eks-peer', outsideIp: '203.0.113.2', status: 'down' as const },
];

describe('peering health', () => {
  it('exports link and tunnel state, last change and provider byte counters as metrics', async () => {
    const registry = new Registry();
    exportHealth(registry, 'aks-weu--eks-peer', tunnels, false);
    const text = await registry.metrics();
    expect(text).toContain('fedgate_peering_link_up{peering="aks-weu--eks-peer"} 0');
    expect(text).toContain(
      'fedgate_peering_tunnel_up{peering="aks-weu--eks-peer",cluster="aks-weu",tunnel="20.50.0.1"} 1',
    );
    expect(text).toContain(
      'fedgate_peering_tunnel_up{peering="aks-weu--eks-peer",cluster="eks-peer",tunnel="203.0.113.2"} 0',
    );
    expect(text).toContain(
      `fedgate_peering_tunnel_last_status_change_seconds{peering="aks-weu--eks-peer",cluster="aks-weu",tunnel="20.50.0.1"} ${Date.parse('2026-12-03T10:00:00.000Z') / 1000}`,
    );
    expect(text).toContain(
      'fedgate_peering_tunnel_bytes{peering="aks-weu--eks-peer",cluster="aks-weu",tunnel="20.50.0.1",direction="in"} 2048',
    );
    // AWS reports no bytes: no series rather than a made-up zero.
    expect(text).not.toMatch(/tunnel_bytes\{[^}]*cluster="eks-peer"/);
    exportHealth(registry, 'aks-weu--eks-peer', tunnels, true);
    expect(await registry.metrics()).toContain('fedgate_peering_link_up{peering="aks-weu--eks-peer"} 1');
  });

  it('`get peerings -o wide` shows tunnels up, last change, round trips and loss through the gateways, bytes, last check and message', () => {
    const peering: KubeObject = {
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'Peering',
      metadata: { name: 'aks-weu--eks-peer', creationTimestamp: new Date().toISOString() },
      spec: { clusters: ['aks-weu', 'eks-peer'], type: 'Auto' },
      status: {
        phase: 'Ready',
        link: { kind: 'ipsec-vpn', why: 'cross-cloud' },
        steps: [{ state: 'done' }, { state: 'done' }],
        tunnels,
        lastHealthCheck: new Date().toISOString(),
        gatewayPath: {
          state: 'failed',
          rttMsAToB: 1.4,
          lossPercent: 25,
          checkedAt: new Date().toISOString(),
        },
        message: 'both directions verified',
        conditions: [{ type: 'Ready', status: 'False', reason: 'LinkDown' }],
      },
    } as KubeObject;
    const cols = (wide: boolean) =>
      peeringColumns(
        { header: 'NAME', value: (o) => o.metadata.name },
        { header: 'AGE', value: () => '1m' },
        wide,
      );
    const [head, row] = renderTable(cols(true), [peering]).trim().split('\n');
    expect(head?.split(/\s+/)).toEqual([
      'NAME',
      'CLUSTERS',
      'LINK',
      'PHASE',
      'READY',
      'STEPS',
      'AGE',
      'TUNNELS',
      'LAST-CHANGE',
      'RTT',
      'LOSS',
      'BYTES-IN',
      'BYTES-OUT',
      'CHECKED',
      'MESSAGE',
    ]);
    expect(row?.split(/\s{2,}/).slice(0, 13)).toEqual([
      'aks-weu--eks-peer',
      'aks-weu<->eks-peer',
      'ipsec-vpn',
      'Ready',
      'False',
      '2/2',
      '1m',
      '1/2 up',
      expect.stringMatching(/^\d+[smhd]/),
      '1.4/-ms',
      '25%',
      '2.0KiB',
      '1.0KiB',
    ]);
    expect(row).toMatch(/both directions verified$/);
    expect(renderTable(cols(false), [peering]).split('\n')[0]).not.toContain('TUNNELS');
  });
});
