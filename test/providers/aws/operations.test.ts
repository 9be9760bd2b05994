/**
 * Each AWS network and storage operation through the real SDK against the EC2 simulator, with
 * fault injection, and the EC2 calls each one costs (printed for the notes).
 */
import { DeleteVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAdapter } from '../../../providers/cloud/adapter.js';
import { isProviderError } from '../../../providers/provider-error.js';
import { ACCOUNT_A, type AwsTestEnv, startAwsEnv } from './fixture.js';

let env: AwsTestEnv;
let aws: CloudAdapter;
const costs: Record<string, number> = {};

/** Runs `op` and records how many EC2 calls it made. */
async function measured<T>(name: string, op: () => Promise<T>): Promise<T> {
  const before = total(aws.callCounts());
  const out = await op();
  costs[name] = total(aws.callCounts()) - before;
  return out;
}

function total(c: Readonly<Record<string, number>>): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

beforeAll(async () => {
  env = await startAwsEnv({ operationMs: 100 });
  aws = env.adapter;
}, 60_000);
afterAll(async () => {
  console.log(`EC2 calls per operation (no faults): ${JSON.stringify(costs)}`);
  await env?.teardown();
});

describe('AWS network operations', () => {
  it('a VPN end to end: gateway, customer gateway, connection with two tunnels and static routes, route; deleting the gateway in use is a Conflict keeping IncorrectState', async () => {
    const net = aws.network!;
    const gw = await measured('ensureVpnGateway (create, wait, attach)', () =>
      net.ensureVpnGateway({ name: 'vgw-ops', networkId: env.networkId, asn: 64600 }),
    );
    expect(gw).toMatchObject({ state: 'available', asn: 64600, networkId: env.networkId });
    await measured('ensureVpnGateway (exists)', () =>
      net.ensureVpnGateway({ name: 'vgw-ops', networkId: env.networkId }),
    );
    const cgw = await measured('ensurePeerGateway', () =>
      net.ensurePeerGateway({
        name: 'site-a',
        publicIps: ['198.51.100.20'],
        asn: 65020,
        cidrs: ['192.168.0.0/20'],
      }),
    );
    expect(cgw.cidrs).toEqual(['192.168.0.0/20']);
    const conn = await measured('ensureVpnConnection (create, wait, 1 static route)', () =>
      net.ensureVpnConnection({
        name: 'vpn-ops',
        gatewayId: gw.id,
        peerGatewayId: cgw.id,
        tunnels: [
          { sharedKey: 'ops.key.one_abcdefgh', insideCidr: '169.254.44.108/30' },
          { sharedKey: 'ops.key.two_abcdefgh', insideCidr: '169.254.44.240/30' },
        ],
        bgp: false,
        staticRoutes: ['192.168.0.0/20'],
      }),
    );
    expect(conn.tunnels).toHaveLength(2);
    expect(conn.tunnels.every((t) => t.status === 'up')).toBe(true);
    const stored = [...env.sim.store.vpnConnections.values()].find((c) => c.id === conn.id)!;
    expect(stored.tunnels.map((t) => t.insideCidr)).toEqual(['169.254.44.108/30', '169.254.44.240/30']);
    expect(stored.routes.map((r) => r.cidr)).toEqual(['192.168.0.0/20']);
    await measured('describeVpnConnection', () => net.describeVpnConnection('vpn-ops'));

    const route = {
      networkId: env.networkId,
      destinationCidr: '192.168.0.0/20',
      target: { kind: 'vpn-connection' as const, id: conn.id },
    };
    await measured('ensureRoute (via a VPN connection)', () => net.ensureRoute(route));
    expect(
      (await net.listRoutes(env.networkId)).find((r) => r.destinationCidr === '192.168.0.0/20'),
    ).toMatchObject({ target: { kind: 'vpn-gateway', id: gw.id }, state: 'active' });

    const inUse = await net.deleteVpnGateway('vgw-ops').catch((e: unknown) => e);
    expect(isProviderError(inUse, 'Conflict')).toBe(true);
    expect(isProviderError(inUse) && inUse.providerCode).toBe('IncorrectState');

    await measured('deleteRoute', () => net.deleteRoute(route));
    await measured('deleteVpnConnection (wait for deleted)', () => net.deleteVpnConnection('vpn-ops'));
    await measured('deletePeerGateway', () => net.deletePeerGateway('site-a'));
    await measured('deleteVpnGateway (already detached)', () => net.deleteVpnGateway('vgw-ops'));
    expect(env.sim.countLive('vpn-gateway')).toBe(0);
  }, 60_000);

  it('the VPN goes through while 30 % of requests are throttled', async () => {
    // Enough attempts that no call meets a throttle every time (0.3^12 per call): the test is
    // about the retries carrying the operation through, not about where the budget ends.
    const net = (await env.adapterFor(ACCOUNT_A, 'eu-west-1', { maxAttempts: 12 })).network!;
    env.sim.faults.throttleRate(0.3);
    try {
      const gw = await net.ensureVpnGateway({ name: 'vgw-throttled', networkId: env.networkId });
      const cgw = await net.ensurePeerGateway({ name: 'site-t', publicIps: ['198.51.100.30'], cidrs: [] });
      const conn = await net.ensureVpnConnection({
        name: 'vpn-t',
        gatewayId: gw.id,
        peerGatewayId: cgw.id,
        tunnels: [{ sharedKey: 'throttled.key_1234' }, { sharedKey: 'throttled.key_5678' }],
        bgp: true,
      });
      expect(conn.state).toBe('available');
      await net.deleteVpnConnection('vpn-t');
      await net.deletePeerGateway('site-t');
      await net.deleteVpnGateway('vgw-throttled');
    } finally {
      env.sim.faults.reset();
    }
    expect(env.sim.served().DescribeVpnGateways).toBeGreaterThan(0);
    expect(
      env.logged().some((l) => l.includes('retrying EC2 call') && l.includes('RequestLimitExceeded')),
    ).toBe(true);
  }, 90_000);

  it('cross-account peering: request, accept on the other side, route over it; overlapping CIDRs fail with EC2 reason', async () => {
    const net = aws.network!;
    const spec = {
      name: 'pcx-ops',
      localNetworkId: env.networkId,
      remote: { scope: env.peerAdapter!.scope, networkId: env.peerNetworkId! },
    };
    const req = await measured('ensurePeering (request)', () => net.ensurePeering(spec));
    expect(req.state).toBe('pending-acceptance');
    const accepted = await env.peerAdapter!.network!.acceptPeering({
      name: 'pcx-ops',
      localNetworkId: env.peerNetworkId!,
      remote: { scope: aws.scope, networkId: env.networkId },
    });
    expect(accepted).toMatchObject({
      state: 'active',
      remote: { networkId: env.networkId, scope: { account: ACCOUNT_A.accountId, region: 'eu-west-1' } },
    });
    await net.ensureRoute({
      networkId: env.networkId,
      destinationCidr: '10.20.0.0/16',
      target: { kind: 'peering', id: req.id },
    });
    expect(
      (await net.listRoutes(env.networkId)).some((r) => r.target.kind === 'peering' && r.state === 'active'),
    ).toBe(true);
    await measured('deletePeering', () => net.deletePeering('pcx-ops', env.networkId));
    // The peering's routes go with it (EC2 makes them blackholes; the simulator removes them).
    expect(
      (await net.listRoutes(env.networkId)).some((r) => r.target.id === req.id && r.state === 'active'),
    ).toBe(false);

    const other = (await aws.inventory!.listNetworks()).find((n) => n.name === 'other-vpc')!;
    const self = {
      name: 'pcx-overlap',
      localNetworkId: other.id,
      remote: { scope: aws.scope, networkId: env.networkId },
    };
    const same = await net
      .ensurePeering({ ...self, remote: { scope: aws.scope, networkId: other.id } })
      .catch((e: unknown) => e);
    expect(String(same)).toMatch(/overlapping CIDR/);
  }, 60_000);

  it('a VPC with subnets cannot be deleted (DependencyViolation, as EC2 answers)', async () => {
    const ec2 = new EC2Client({
      endpoint: env.sim.url,
      region: 'eu-west-1',
      maxAttempts: 1,
      credentials: { accessKeyId: ACCOUNT_A.accessKeyId, secretAccessKey: ACCOUNT_A.secretAccessKey },
    });
    await expect(ec2.send(new DeleteVpcCommand({ VpcId: env.networkId }))).rejects.toMatchObject({
      name: 'DependencyViolation',
    });
    ec2.destroy();
  });
});

describe('AWS storage operations', () => {
  it('snapshot with progress, copy to another region through throttling and 503s, volume from the copy', async () => {
    const sto = aws.storage!;
    const snap = await measured('createSnapshot', () =>
      sto.createSnapshot({ name: 'pv-snap', volumeId: env.volume!.id, tags: { app: 'db' } }),
    );
    const seen: number[] = [];
    const done = await measured('waitForSnapshot', () =>
      sto.waitForSnapshot(snap.id, { onProgress: (p) => p.percent !== undefined && seen.push(p.percent) }),
    );
    expect(done).toMatchObject({
      state: 'completed',
      progressPercent: 100,
      sizeGiB: 20,
      sourceVolumeId: env.volume!.id,
      tags: { Name: 'pv-snap', app: 'db' },
    });
    expect(seen.every((p, i) => i === 0 || p >= seen[i - 1]!)).toBe(true);

    const east = env.otherRegionAdapter!.storage!;
    env.sim.faults.throttleNext(1);
    env.sim.faults.failNext(1);
    const copy = await east.copySnapshot({
      name: 'pv-snap-east',
      sourceSnapshotId: snap.id,
      sourceRegion: 'eu-west-1',
      targetRegion: 'us-east-1',
    });
    const copied = await east.waitForSnapshot(copy.id);
    expect(copied).toMatchObject({ state: 'completed', region: 'us-east-1', sourceSnapshotId: snap.id });
    await expect(
      east.copySnapshot({
        name: 'x',
        sourceSnapshotId: snap.id,
        sourceRegion: 'eu-west-1',
        targetRegion: 'ap-southeast-1',
      }),
    ).rejects.toMatchObject({ code: 'Invalid' });

    const vol = await measured('createVolumeFromSnapshot (create, wait)', () =>
      sto.createVolumeFromSnapshot({ name: 'pv-restore', snapshotId: snap.id, zone: 'eu-west-1b' }),
    );
    expect(vol).toMatchObject({
      state: 'available',
      zone: 'eu-west-1b',
      sizeGiB: 20,
      sourceSnapshotId: snap.id,
    });
    await measured('deleteVolume', () => sto.deleteVolume(vol.id));
    await measured('deleteSnapshot', () => sto.deleteSnapshot(snap.id));
    await east.deleteSnapshot('pv-snap-east');
    expect(env.sim.countLive('snapshot')).toBe(0);
  }, 60_000);

  it('a volume from a snapshot still pending is refused (IncorrectState → Conflict)', async () => {
    const sto = aws.storage!;
    env.sim.faults.operationDelayMs(60_000);
    try {
      const snap = await sto.createSnapshot({ name: 'slow-snap', volumeId: env.volume!.id });
      const err = await sto
        .createVolumeFromSnapshot({ name: 'too-soon', snapshotId: snap.id, zone: 'eu-west-1a' })
        .catch((e: unknown) => e);
      expect(isProviderError(err, 'Conflict') && err.providerCode).toBe('IncorrectState');
      await sto.deleteSnapshot('slow-snap');
    } finally {
      env.sim.faults.reset();
    }
  });
});
