/**
 * The GCP adapter through the real @google-cloud/compute clients against the GCE simulator:
 * what the conformance suite asks (inventory, idempotent creates, deleting what is missing,
 * throttling and 5xx, failed operations, cancellation, bad credentials, no credential logged),
 * then network (peering, HA VPN, routes) and storage (snapshot, regional copy, disk from snapshot)
 * with fault injection. One file: importing the SDK takes seconds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAdapter } from '../../../providers/cloud/adapter.js';
import { endpointOptions } from '../../../providers/gcp/adapter.js';
import { GcpApi } from '../../../providers/gcp/gcp-api.js';
import { createGcpAdapter } from '../../../providers/gcp/index.js';
import { bgpAddresses } from '../../../providers/gcp/vpn-connection.js';
import { isProviderError, type ProviderError } from '../../../providers/provider-error.js';
import { readProviderExampleSync as readProviderExample } from '../../support/provider-examples.js';
import { waitFor } from '../../support/wait-for.js';
import { GCP_PROJECT, type GcpEnv, startGcpEnv } from './fixture.js';

let env: GcpEnv;

beforeAll(async () => {
  env = await startGcpEnv();
});
afterAll(async () => {
  await env?.teardown();
});
afterEach(() => {
  env.faults!.reset();
});

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isProviderError(err)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

const delta = (
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
  key: string,
) => (after[key] ?? 0) - (before[key] ?? 0);

describe('inventory', () => {
  it('lists regions with their zones', async () => {
    const regions = await env.adapter.inventory!.listRegions();
    expect(regions.find((r) => r.name === 'europe-west1')?.zones).toEqual([
      'europe-west1-b',
      'europe-west1-c',
      'europe-west1-d',
    ]);
  });

  it('lists networks with subnets and CIDRs in two calls', async () => {
    const before = env.adapter.callCounts();
    const networks = await env.adapter.inventory!.listNetworks();
    const prod = networks.find((n) => n.name === 'prod-vpc')!;
    expect(prod.id).toBe(env.networkId);
    expect(prod.region).toBeUndefined();
    expect([...prod.cidrs].sort()).toEqual(['10.10.0.0/20', '10.10.16.0/20']);
    expect(prod.subnets.map((s) => `${s.name}@${s.region}`).sort()).toEqual([
      'prod-eu@europe-west1',
      'prod-us@us-central1',
    ]);
    const after = env.adapter.callCounts();
    expect(delta(before, after, 'networks.list') + delta(before, after, 'subnetworks.aggregatedList')).toBe(
      2,
    );
  });

  it('gets one network, and NotFound for a missing one', async () => {
    expect((await env.adapter.inventory!.getNetwork('prod-vpc')).subnets).toHaveLength(2);
    const err = await rejection(env.adapter.inventory!.getNetwork('no-such-vpc'));
    expect(err.code).toBe('NotFound');
    expect(err.providerCode).toBe('notFound');
    expect(err.message).toContain("projects/fedgate-demo/global/networks/no-such-vpc' was not found");
  });

  it('finds the GKE cluster nodes by label with machine type vCPU and memory', async () => {
    const before = env.adapter.callCounts();
    const nodes = await env.adapter.inventory!.listClusterInstances(env.cluster.selector);
    expect(nodes).toHaveLength(env.cluster.instances);
    const pools = nodes.map((n) => `${n.nodePool}:${n.instanceType}:${n.vcpus}:${n.memoryMiB}`);
    expect(pools.filter((p) => p === 'default-pool:e2-standard-4:4:16384')).toHaveLength(3);
    expect(pools).toContain('highmem:n2-highmem-4:4:32768');
    expect(new Set(nodes.map((n) => n.zone))).toEqual(
      new Set(['europe-west1-b', 'europe-west1-c', 'europe-west1-d']),
    );
    expect(
      nodes.every(
        (n) => n.state === 'running' && n.privateIp?.startsWith('10.10.') && n.networkId === env.networkId,
      ),
    ).toBe(true);
    const after = env.adapter.callCounts();
    expect(delta(before, after, 'instances.aggregatedList')).toBe(1);
    expect(delta(before, after, 'machineTypes.get')).toBeLessThanOrEqual(2);
    // a second listing reads the machine types from the adapter's cache
    await env.adapter.inventory!.listClusterInstances(env.cluster.selector);
    expect(delta(after, env.adapter.callCounts(), 'machineTypes.get')).toBe(0);
  });
});

describe('conformance', () => {
  it('creates idempotently: twice gives one resource and one insert', async () => {
    const spec = {
      networkId: env.networkId,
      destinationCidr: '192.168.50.0/24',
      name: 'idem-route',
      target: {
        kind: 'instance' as const,
        id: 'https://www.googleapis.com/compute/v1/projects/fedgate-demo/zones/europe-west1-b/instances/x',
      },
    };
    const before = env.sim.served();
    const [a, b] = await Promise.all([
      env.adapter.network!.ensureRoute(spec),
      env.adapter.network!.ensureRoute(spec),
    ]);
    const c = await env.adapter.network!.ensureRoute(spec);
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    const routes = (await env.adapter.network!.listRoutes(env.networkId)).filter(
      (r) => r.name === 'idem-route',
    );
    expect(routes).toHaveLength(1);
    // two concurrent inserts carried the same requestId: the simulator ran one operation
    expect(delta(before, env.sim.served(), 'routes.insert')).toBe(2);
    expect(env.sim.resource('projects/fedgate-demo/global/routes/idem-route')).toBeDefined();
    await env.adapter.network!.deleteRoute(spec);
  });

  it('creates again after a delete under the same name (a remembered requestId is not trusted blindly)', async () => {
    const spec = { name: 'again-peer', publicIps: ['198.51.100.7'], asn: 65020, cidrs: ['172.16.0.0/16'] };
    await env.adapter.network!.ensurePeerGateway(spec);
    await env.adapter.network!.deletePeerGateway(spec.name);
    const again = await env.adapter.network!.ensurePeerGateway(spec);
    expect(again.publicIps).toEqual(['198.51.100.7']);
    expect(await env.adapter.network!.describePeerGateway(spec.name)).toBeDefined();
    await env.adapter.network!.deletePeerGateway(spec.name);
  });

  it('deletes what is missing without error', async () => {
    const n = env.adapter.network!;
    const s = env.adapter.storage!;
    await n.deletePeering('nope', env.networkId);
    await n.deleteVpnGateway('nope');
    await n.deletePeerGateway('nope');
    await n.deleteVpnConnection('nope');
    await n.deleteRoute({
      networkId: env.networkId,
      destinationCidr: '10.99.0.0/16',
      name: 'nope',
      target: { kind: 'instance', id: 'x' },
    });
    await s.deleteSnapshot('nope');
    await s.deleteVolume(
      'https://www.googleapis.com/compute/v1/projects/fedgate-demo/zones/europe-west1-b/disks/nope',
    );
    await s.deleteVolume('nope');
  });

  it('retries throttling and 5xx with backoff, then succeeds', async () => {
    const before = env.adapter.callCounts();
    env.faults!.throttleNext(2);
    env.faults!.failNext(1);
    expect((await env.adapter.inventory!.listRegions()).length).toBeGreaterThan(0);
    expect(delta(before, env.adapter.callCounts(), 'regions.list')).toBe(4);
    expect(env.logged().some((l) => l.includes('rateLimitExceeded'))).toBe(true);
    expect(env.logged().some((l) => l.includes('backendError'))).toBe(true);
  });

  it("surfaces persistent throttling as Throttled and 5xx as Unavailable, keeping Google's reason", async () => {
    env.faults!.throttleNext(100);
    const throttled = await rejection(env.adapter.inventory!.listRegions());
    expect(throttled.code).toBe('Throttled');
    expect(throttled.providerCode).toBe('rateLimitExceeded');
    expect(throttled.options.httpStatus).toBe(429);
    env.faults!.reset();
    env.faults!.failNext(100);
    const failed = await rejection(env.adapter.inventory!.listRegions());
    expect(failed.code).toBe('Unavailable');
    expect(failed.providerCode).toBe('backendError');
    expect(failed.message).toContain('The service is currently unavailable.');
  });

  it('surfaces the reason of a failed operation', async () => {
    env.faults!.failNextOperation('QUOTA_EXCEEDED');
    const err = await rejection(
      env.adapter.network!.ensureRoute({
        networkId: env.networkId,
        destinationCidr: '192.168.60.0/24',
        name: 'quota-route',
        target: { kind: 'instance', id: 'zones/europe-west1-b/instances/x' },
      }),
    );
    expect(err.code).toBe('Quota');
    expect(err.providerCode).toBe('QUOTA_EXCEEDED');
    expect(await env.adapter.network!.listRoutes(env.networkId)).not.toContainEqual(
      expect.objectContaining({ name: 'quota-route' }),
    );
  });

  it('stops polling when cancelled', async () => {
    env.faults!.operationDelayMs(600_000);
    const ac = new AbortController();
    const p = env.adapter.network!.ensurePeerGateway(
      { name: 'slow-peer', publicIps: ['198.51.100.9'], cidrs: [] },
      { signal: ac.signal },
    );
    await waitFor(
      'a first operation poll',
      () => (env.sim.served()['globalOperations.get'] ?? 0) > 0 && true,
    );
    const reason = new Error('cancelled by test');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    const polls = env.sim.served()['globalOperations.get'];
    // let a dozen poll intervals pass: no poll follows the abort
    await new Promise((r) => setTimeout(r, 300));
    expect(env.sim.served()['globalOperations.get']).toBe(polls);
  });

  it('a name created and deleted again and again is created each time (GCE remembers each life’s requestId)', async () => {
    const net = env.adapter.network!;
    const spec = { name: 'reborn-peer', publicIps: ['198.51.100.7'], cidrs: [] };
    for (let life = 1; life <= 4; life++) {
      const made = await net.ensurePeerGateway(spec);
      expect(made.publicIps, `life ${life}`).toEqual(['198.51.100.7']);
      await net.deletePeerGateway(spec.name);
      expect(await net.describePeerGateway(spec.name), `life ${life}`).toBeUndefined();
    }
  });

  it("a tunnel's derived BGP range keeps clear of the Cloud Router's other sessions", () => {
    const free = bgpAddresses('fedgate-x--y-vpn-b', 0);
    const moved = bgpAddresses('fedgate-x--y-vpn-b', 0, undefined, false, [free.range]);
    expect(moved.range).not.toBe(free.range);
    expect(moved.range.split('.').slice(0, 2)).toEqual(['169', '254']);
    // Given ranges (AWS's inside CIDRs) are used as they are.
    expect(bgpAddresses('n', 0, '169.254.20.8/30', true, ['169.254.20.8/30'])).toEqual({
      cloud: '169.254.20.10',
      peer: '169.254.20.9',
      range: '169.254.20.10/30',
    });
  });

  it('a call given up on before its request left is never sent', async () => {
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: env.secrets[0] });
    const api = new GcpApi(
      { ...endpointOptions(env.sim.url), authClient: auth },
      { project: GCP_PROJECT, maxAttempts: 3, pollIntervalMs: 25 },
    );
    try {
      const before = env.sim.served()['networks.list'] ?? 0;
      const ac = new AbortController();
      const reason = new Error('given up');
      const listed = api.call(
        'networks.list',
        (o) => {
          // The SDK call has started (its request is built and sent asynchronously): give up now.
          const call = api.networks.list({ project: GCP_PROJECT }, o);
          ac.abort(reason);
          return call;
        },
        ac.signal,
      );
      await expect(listed).rejects.toBe(reason);
      await new Promise((r) => setTimeout(r, 300));
      expect(env.sim.served()['networks.list'] ?? 0).toBe(before);
      // The same call not given up on is sent and answered.
      expect(
        (await api.call('networks.list', (o) => api.networks.list({ project: GCP_PROJECT }, o))).length,
      ).toBeGreaterThan(0);
      expect(env.sim.served()['networks.list']).toBe(before + 1);
    } finally {
      await api.close();
    }
  });

  it('fails Unauthorized with a wrong token', async () => {
    const bad = await env.badCredentialsAdapter!();
    const err = await rejection(bad.inventory!.listRegions());
    expect(err.code).toBe('Unauthorized');
    expect(err.providerCode).toBe('authError');
    expect(err.options.httpStatus).toBe(401);
  });
});

describe('network', () => {
  it('peers two projects: pending until both halves exist, active after, inactive when one side leaves', async () => {
    const spec = {
      name: 'demo-to-peer',
      localNetworkId: env.networkId,
      remote: { scope: env.peerAdapter!.scope, networkId: env.peerNetworkId! },
    };
    const requested = await env.adapter.network!.ensurePeering(spec);
    expect(requested.state).toBe('pending-acceptance');
    expect(requested.providerState).toBe('INACTIVE');
    // Seen from the accepting side: its own network is local, the requester's is remote.
    const accepted = await env.peerAdapter!.network!.acceptPeering({
      name: spec.name,
      localNetworkId: env.peerNetworkId!,
      remote: { scope: env.adapter.scope, networkId: env.networkId },
    });
    expect(accepted.state).toBe('active');
    expect(accepted.remote.networkId).toBe(env.networkId);
    const local = await env.adapter.network!.describePeering('demo-to-peer', env.networkId);
    expect(local?.state).toBe('active');
    expect((await env.adapter.network!.ensurePeering(spec)).state).toBe('active');
    await env.peerAdapter!.network!.deletePeering('demo-to-peer', env.peerNetworkId!);
    expect((await env.adapter.network!.describePeering('demo-to-peer', env.networkId))?.state).toBe(
      'pending-acceptance',
    );
    await env.adapter.network!.deletePeering('demo-to-peer', env.networkId);
    expect(await env.adapter.network!.describePeering('demo-to-peer', env.networkId)).toBeUndefined();
  });

  it('builds HA VPN: gateway + Cloud Router, external gateway, two tunnels with BGP until ESTABLISHED, under throttling', async () => {
    const n = env.adapter.network!;
    const before = env.adapter.callCounts();
    env.faults!.throttleRate(0.1);
    const gw = await n.ensureVpnGateway({ name: 'vpn-eu', networkId: env.networkId, asn: 64514 });
    expect(gw.publicIps).toHaveLength(2);
    expect(gw.asn).toBe(64514);
    const peer = await n.ensurePeerGateway({
      name: 'onprem-a',
      publicIps: ['203.0.113.10', '203.0.113.11'],
      asn: 65010,
      cidrs: ['192.168.0.0/16'],
    });
    expect(peer).toMatchObject({ asn: 65010, cidrs: ['192.168.0.0/16'] });
    const spec = {
      name: 'to-onprem',
      gatewayId: gw.id,
      peerGatewayId: peer.id,
      bgp: true,
      tunnels: [{ sharedKey: 'psk-tunnel-zero-secret' }, { sharedKey: 'psk-tunnel-one-secret' }],
    };
    const conn = await n.ensureVpnConnection(spec);
    expect(conn.tunnels.map((t) => t.outsideIp)).toEqual(gw.publicIps);
    env.faults!.reset();
    const up = await waitFor('tunnels ESTABLISHED', async () => {
      const c = await n.describeVpnConnection('to-onprem');
      return c?.state === 'available' ? c : undefined;
    });
    expect(up.tunnels.map((t) => t.status)).toEqual(['up', 'up']);
    expect(up.tunnels[0]!.statusMessage).toContain('Tunnel is up and running.');
    const router = env.sim.resource('projects/fedgate-demo/regions/europe-west1/routers/vpn-eu-router')!;
    expect((router.bgpPeers as { peerAsn: number }[]).map((p) => p.peerAsn)).toEqual([65010, 65010]);
    const tunnel = env.sim.resource('projects/fedgate-demo/regions/europe-west1/vpnTunnels/to-onprem-0')!;
    expect(tunnel.sharedSecret).toBeUndefined();
    // a second ensure changes nothing
    const calls = env.adapter.callCounts();
    await n.ensureVpnConnection(spec);
    expect(delta(calls, env.adapter.callCounts(), 'vpnTunnels.insert')).toBe(0);
    expect(delta(calls, env.adapter.callCounts(), 'routers.patch')).toBe(0);
    // the gateway is in use by the tunnels
    const inUse = await rejection(n.deleteVpnGateway('vpn-eu'));
    expect(inUse.code).toBe('Conflict');
    expect(inUse.providerCode).toBe('resourceInUseByAnotherResource');
    // routes to a tunnel
    const route = await n.ensureRoute({
      networkId: env.networkId,
      destinationCidr: '192.168.0.0/16',
      name: 'to-onprem-route',
      target: { kind: 'vpn-connection', id: 'to-onprem-0' },
    });
    expect(route.target.kind).toBe('vpn-connection');
    expect((await n.listRoutes(env.networkId)).map((r) => r.name)).toContain('to-onprem-route');
    const peeringRoute = await rejection(
      n.ensureRoute({
        networkId: env.networkId,
        destinationCidr: '10.20.0.0/16',
        target: { kind: 'peering', id: 'demo-to-peer' },
      }),
    );
    expect(peeringRoute.code).toBe('Invalid');
    await n.deleteRoute({
      networkId: env.networkId,
      destinationCidr: '192.168.0.0/16',
      name: 'to-onprem-route',
      target: route.target,
    });
    await n.deleteVpnConnection('to-onprem');
    expect(await n.describeVpnConnection('to-onprem')).toBeUndefined();
    expect(
      (
        env.sim.resource('projects/fedgate-demo/regions/europe-west1/routers/vpn-eu-router')!
          .bgpPeers as unknown[]
      ).length,
    ).toBe(0);
    await n.deleteVpnGateway('vpn-eu');
    await n.deletePeerGateway('onprem-a');
    expect(await n.describeVpnGateway('vpn-eu')).toBeUndefined();
    expect(await n.describePeerGateway('onprem-a')).toBeUndefined();
    const used = env.adapter.callCounts();
    expect(delta(before, used, 'vpnGateways.insert')).toBeGreaterThanOrEqual(1);
    expect(env.logged().join('\n')).not.toContain('psk-tunnel');
  }, 120_000);

  it('refuses static routing for HA VPN as Invalid', async () => {
    const err = await rejection(
      env.adapter.network!.ensureVpnConnection({
        name: 'static',
        gatewayId: 'x',
        peerGatewayId: 'y',
        bgp: false,
        tunnels: [{ sharedKey: 'k' }],
      }),
    );
    expect(err.code).toBe('Invalid');
    expect(err.message).toContain('bgp');
  });
});

describe('storage', () => {
  it('snapshots a disk, copies it to another region, restores a disk from it, with faults', async () => {
    const s = env.adapter.storage!;
    const progress: string[] = [];
    env.faults!.operationDelayMs(1500);
    const snap = await s.createSnapshot({
      name: 'data-snap',
      volumeId: env.volume!.id,
      tags: { App: 'orders' },
    });
    expect(snap.state).toBe('pending');
    expect(await s.createSnapshot({ name: 'data-snap', volumeId: env.volume!.id })).toMatchObject({
      id: snap.id,
    });
    const done = await s.waitForSnapshot('data-snap', { onProgress: (p) => progress.push(p.state) });
    expect(progress.length).toBeGreaterThan(0);
    env.faults!.operationDelayMs(40);
    expect(done).toMatchObject({
      state: 'completed',
      progressPercent: 100,
      sizeGiB: 50,
      region: 'eu',
      sourceVolumeId: env.volume!.id,
      tags: { app: 'orders' },
    });

    env.faults!.throttleNext(2);
    const copy = await s.copySnapshot({
      name: 'data-snap-us',
      sourceSnapshotId: snap.id,
      sourceRegion: 'eu',
      targetRegion: 'us-central1',
    });
    expect(copy.sourceSnapshotId).toBe(snap.id);
    const copied = await s.waitForSnapshot(copy.id);
    expect(copied).toMatchObject({ state: 'completed', region: 'us-central1', sizeGiB: 50 });
    expect(
      env.sim.resource('projects/fedgate-demo/zones/us-central1-a/disks/data-snap-us-copy-src'),
    ).toBeUndefined();

    env.faults!.failNext(2);
    const vol = await s.createVolumeFromSnapshot({
      name: 'restored',
      snapshotId: copied.id,
      zone: 'us-central1-b',
      sizeGiB: 60,
    });
    expect(vol).toMatchObject({
      state: 'available',
      sizeGiB: 60,
      zone: 'us-central1-b',
      region: 'us-central1',
      sourceSnapshotId: copied.id,
    });
    expect(
      await s.createVolumeFromSnapshot({ name: 'restored', snapshotId: copied.id, zone: 'us-central1-b' }),
    ).toEqual(vol);

    await s.deleteVolume(vol.id);
    await s.deleteSnapshot(copied.id);
    await s.deleteSnapshot('data-snap');
    expect(await s.describeSnapshot('data-snap')).toBeUndefined();
  }, 120_000);

  it('reports why a snapshot failed', async () => {
    env.faults!.failNextOperation('the source disk could not be read');
    const s = env.adapter.storage!;
    await s.createSnapshot({ name: 'broken-snap', volumeId: env.volume!.id });
    const err = await rejection(s.waitForSnapshot('broken-snap'));
    expect(err.message).toContain('the source disk could not be read');
    await s.deleteSnapshot('broken-snap');
  });

  it('refuses to delete a disk attached to a node', async () => {
    const nodes = await env.adapter.inventory!.listClusterInstances(env.cluster.selector);
    const bootDisk = nodes[0]!.id.replace('/instances/', '/disks/');
    const err = await rejection(env.adapter.storage!.deleteVolume(bootDisk));
    expect(err.code).toBe('Conflict');
    expect(err.providerCode).toBe('resourceInUseByAnotherResource');
  });
});

describe('credentials', () => {
  it('never logs a credential', () => {
    const logged = env.logged();
    expect(logged.length).toBeGreaterThan(0);
    for (const secret of env.secrets) expect(logged.join('\n')).not.toContain(secret);
  });
});

describe('published examples through the adapter', () => {
  let server: Server;
  let adapter: CloudAdapter;
  const examples = {
    notFound: readProviderExample('gcp/error.notFound.libcloud-fixture.json'),
    badRequest: readProviderExample('gcp/error.badRequest.google-api-python-client.json'),
    aggregated: readProviderExample('gcp/subnetworks.aggregatedList.libcloud-fixture.json'),
    operation: readProviderExample('gcp/operation.global.DONE.libcloud-fixture.json'),
  };

  beforeAll(async () => {
    // answers with the published payloads unchanged, as Compute would for these paths
    server = createServer((req, res) => {
      const url = req.url ?? '';
      const answer = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(body);
      };
      if (url.includes('/global/networks/missing')) return answer(404, examples.notFound);
      if (url.includes('/global/networks/bad')) return answer(400, examples.badRequest);
      if (url.includes('/aggregated/subnetworks')) return answer(200, examples.aggregated);
      if (url.includes('/global/networks/cf'))
        return answer(
          200,
          JSON.stringify({
            kind: 'compute#network',
            name: 'cf',
            selfLink: 'https://www.googleapis.com/compute/v1/projects/project_name/global/networks/cf',
          }),
        );
      if (url.includes('/global/routes/')) return answer(200, examples.operation);
      return answer(404, examples.notFound);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    adapter = await createGcpAdapter({
      scope: { account: 'project_name', region: 'us-central1' },
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { kind: 'gcp-token', accessToken: 'ya29.examples' },
      pollIntervalMs: 10,
      maxAttempts: 2,
    });
  });
  afterAll(async () => {
    await adapter?.close();
    server?.closeAllConnections();
    await new Promise<void>((r) => server?.close(() => r()));
  });

  it("the notFound error body is NotFound with Google's reason and message", async () => {
    const err = await rejection(adapter.inventory!.getNetwork('missing'));
    expect(err).toMatchObject({ code: 'NotFound', providerCode: 'notFound' });
    expect(err.message).toContain(
      "The resource 'projects/project-name/global/images/family/coreos' was not found",
    );
  });

  it('the badRequest error body is Invalid keeping keyInvalid', async () => {
    const err = await rejection(adapter.inventory!.getNetwork('bad'));
    expect(err).toMatchObject({ code: 'Invalid', providerCode: 'keyInvalid' });
  });

  it('the subnetworks aggregatedList gives the network its subnets across regions', async () => {
    const net = await adapter.inventory!.getNetwork('cf');
    expect([...net.cidrs].sort()).toEqual([
      '10.128.0.0/20',
      '10.132.0.0/20',
      '10.140.0.0/20',
      '10.142.0.0/20',
    ]);
    expect(net.subnets.map((s) => s.region).sort()).toEqual([
      'asia-east1',
      'europe-west1',
      'us-central1',
      'us-east1',
    ]);
  });

  it('a DONE operation completes a delete', async () => {
    await adapter.network!.deleteRoute({
      networkId: 'cf',
      destinationCidr: '10.0.0.0/8',
      name: 'lcfirewall',
      target: { kind: 'instance', id: 'x' },
    });
    expect(adapter.callCounts()['routes.delete']).toBe(1);
  });
});
