/**
 * The GCE simulator on the wire (plain fetch, no SDK): answers have the field names and JSON types
 * of Google's Compute v1 discovery document; error bodies, operations, pagination, requestId
 * idempotency, peering and tunnel state machines, in-use deletes, and the fault control route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GceSim } from '../../sim/gce/index.js';
import { startGceSim } from '../../sim/gce/index.js';
import { readProviderExampleSync as readProviderExample } from '../support/provider-examples.js';
import { waitFor } from '../support/wait-for.js';

type Json = Record<string, unknown>;
interface Schema {
  properties: Record<string, { type?: string; $ref?: string; items?: { type?: string; $ref?: string } }>;
}
const discovery = JSON.parse(readProviderExample('gcp/compute-v1.discovery-extract.json')) as {
  schemas: Record<string, Schema>;
};
const TOKEN = 'ya29.wire-test';
let sim: GceSim;
const P = 'wire-proj';

beforeAll(async () => {
  sim = await startGceSim({
    tokens: [TOKEN],
    operationDelayMs: 30,
    projects: [
      {
        id: P,
        networks: [
          { name: 'net-a', subnets: [{ name: 'sub-a', region: 'europe-west1', cidr: '10.1.0.0/20' }] },
          { name: 'net-b', subnets: [] },
        ],
        nodePools: [
          {
            cluster: 'c1',
            pool: 'p1',
            machineType: 'e2-standard-2',
            zones: ['europe-west1-b'],
            count: 3,
            network: 'net-a',
            subnetwork: 'sub-a',
          },
        ],
        disks: [{ name: 'd1', zone: 'europe-west1-b', sizeGb: 20 }],
      },
    ],
  });
});
afterAll(async () => sim?.close());

async function api(
  method: string,
  path: string,
  body?: unknown,
  token = TOKEN,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${sim.url}/compute/v1/projects/${P}/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function done(op: Json): Promise<Json> {
  const scope = op.zone
    ? `zones/${String(op.zone).split('/').pop()}`
    : op.region
      ? `regions/${String(op.region).split('/').pop()}`
      : 'global';
  const r = await api('POST', `${scope}/operations/${String(op.name)}/wait`, '');
  expect(r.json.status).toBe('DONE');
  return r.json;
}

/** Every field of `value` is in the schema with the discovery type (int64 as string, objects as $ref). */
function checkShape(schemaName: string, value: Json): void {
  const schema = discovery.schemas[schemaName]!;
  for (const [k, v] of Object.entries(value)) {
    const prop = schema.properties[k];
    expect(prop, `${schemaName}.${k} is not in the discovery document`).toBeDefined();
    const type = prop!.type ?? 'object';
    const actual = Array.isArray(v)
      ? 'array'
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? 'integer'
          : 'number'
        : typeof v;
    expect(actual, `${schemaName}.${k}`).toBe(type === 'any' ? actual : type);
    if (Array.isArray(v) && prop!.items?.$ref && discovery.schemas[prop!.items.$ref])
      for (const item of v) checkShape(prop!.items.$ref, item as Json);
  }
}

describe('shapes against the discovery document', () => {
  it('regions, zones, networks, subnetworks, instances, disks', async () => {
    checkShape('Region', (await api('GET', 'regions/europe-west1')).json);
    checkShape('Zone', (await api('GET', 'zones/europe-west1-b')).json);
    checkShape('Network', (await api('GET', 'global/networks/net-a')).json);
    checkShape('Subnetwork', (await api('GET', 'regions/europe-west1/subnetworks/sub-a')).json);
    const inst = (await api('GET', 'zones/europe-west1-b/instances')).json;
    expect(inst.kind).toBe('compute#instanceList');
    for (const i of inst.items as Json[]) checkShape('Instance', i);
    checkShape('Disk', (await api('GET', 'zones/europe-west1-b/disks/d1')).json);
    const agg = (await api('GET', 'aggregated/subnetworks')).json;
    expect(agg.kind).toBe('compute#subnetworkAggregatedList');
    expect((agg.items as Record<string, Json>)['regions/europe-west1']!.subnetworks).toHaveLength(1);
  });

  it('operations, HA VPN, routers, tunnels, routes, snapshots, peering', async () => {
    const op = (
      await api('POST', 'regions/europe-west1/vpnGateways', { name: 'gw1', network: 'global/networks/net-a' })
    ).json;
    checkShape('Operation', op);
    expect(op.status).toBe('PENDING');
    checkShape('Operation', await done(op));
    const gw = (await api('GET', 'regions/europe-west1/vpnGateways/gw1')).json;
    checkShape('VpnGateway', gw);
    expect((gw.vpnInterfaces as Json[]).map((i) => i.id)).toEqual([0, 1]);
    await done(
      (
        await api('POST', 'global/externalVpnGateways', {
          name: 'peer1',
          redundancyType: 'SINGLE_IP_INTERNALLY_REDUNDANT',
          interfaces: [{ id: 0, ipAddress: '203.0.113.5' }],
        })
      ).json,
    );
    checkShape('ExternalVpnGateway', (await api('GET', 'global/externalVpnGateways/peer1')).json);
    await done(
      (
        await api('POST', 'regions/europe-west1/routers', {
          name: 'r1',
          network: 'global/networks/net-a',
          bgp: { asn: 64514 },
        })
      ).json,
    );
    await done(
      (
        await api('POST', 'regions/europe-west1/vpnTunnels', {
          name: 't1',
          vpnGateway: 'gw1',
          vpnGatewayInterface: 0,
          peerExternalGateway: 'global/externalVpnGateways/peer1',
          peerExternalGatewayInterface: 0,
          sharedSecret: 's3cret',
          router: 'r1',
        })
      ).json,
    );
    const t = (await api('GET', 'regions/europe-west1/vpnTunnels/t1')).json;
    checkShape('VpnTunnel', t);
    expect(t).toMatchObject({ status: 'WAITING_FOR_FULL_CONFIG', peerIp: '203.0.113.5' });
    expect(t.sharedSecret).toBeUndefined();
    await done(
      (
        await api('PATCH', 'regions/europe-west1/routers/r1', {
          interfaces: [
            { name: 'if0', ipRange: '169.254.0.1/30', linkedVpnTunnel: 'regions/europe-west1/vpnTunnels/t1' },
          ],
          bgpPeers: [{ name: 'bp0', interfaceName: 'if0', peerIpAddress: '169.254.0.2', peerAsn: 65001 }],
        })
      ).json,
    );
    const router = (await api('GET', 'regions/europe-west1/routers/r1')).json;
    checkShape('Router', router);
    for (const p of router.bgpPeers as Json[]) checkShape('RouterBgpPeer', p);
    await waitFor(
      'tunnel ESTABLISHED',
      async () => (await api('GET', 'regions/europe-west1/vpnTunnels/t1')).json.status === 'ESTABLISHED',
    );
    await done(
      (
        await api('POST', 'global/routes', {
          name: 'rt1',
          network: 'global/networks/net-a',
          destRange: '192.168.0.0/24',
          nextHopVpnTunnel: 'regions/europe-west1/vpnTunnels/t1',
        })
      ).json,
    );
    checkShape('Route', (await api('GET', 'global/routes/rt1')).json);
    sim.faults.operationDelayMs(3000);
    const snapOp = (await api('POST', 'zones/europe-west1-b/disks/d1/createSnapshot', { name: 's1' })).json;
    sim.faults.reset();
    expect(['CREATING', 'UPLOADING']).toContain((await api('GET', 'global/snapshots/s1')).json.status);
    await done(snapOp);
    const snap = (await api('GET', 'global/snapshots/s1')).json;
    checkShape('Snapshot', snap);
    expect(snap).toMatchObject({ status: 'READY', storageLocations: ['eu'], diskSizeGb: '20' });
    await done(
      (
        await api('POST', 'global/networks/net-a/addPeering', {
          networkPeering: { name: 'a-b', network: 'global/networks/net-b', exchangeSubnetRoutes: true },
        })
      ).json,
    );
    const a = (await api('GET', 'global/networks/net-a')).json;
    for (const p of a.peerings as Json[]) checkShape('NetworkPeering', p);
    expect((a.peerings as Json[])[0]!.state).toBe('INACTIVE');
    await done(
      (
        await api('POST', 'global/networks/net-b/addPeering', {
          networkPeering: { name: 'b-a', network: 'global/networks/net-a' },
        })
      ).json,
    );
    expect(((await api('GET', 'global/networks/net-a')).json.peerings as Json[])[0]!.state).toBe('ACTIVE');
  });
});

describe('errors, pagination, idempotency, faults', () => {
  it('answers Google error bodies: 401 authError, 404 notFound, 409 alreadyExists, 400 in use', async () => {
    const unauth = await api('GET', 'global/networks', undefined, 'wrong');
    expect(unauth.status).toBe(401);
    expect(unauth.json).toMatchObject({
      error: { code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'authError' }] },
    });
    const missing = await api('GET', 'global/networks/nope');
    expect(missing.json).toMatchObject({
      error: { code: 404, errors: [{ reason: 'notFound', domain: 'global' }] },
    });
    const dup = await api('POST', 'global/networks', { name: 'net-a' });
    expect(dup.json).toMatchObject({ error: { code: 409, errors: [{ reason: 'alreadyExists' }] } });
    const used = await api('DELETE', 'global/networks/net-a');
    expect(used.status).toBe(400);
    expect(used.json).toMatchObject({ error: { errors: [{ reason: 'resourceInUseByAnotherResource' }] } });
    const attached = await api(
      'DELETE',
      `zones/europe-west1-b/disks/${String(((await api('GET', 'zones/europe-west1-b/instances')).json.items as Json[])[0]!.name)}`,
    );
    expect(attached.json).toMatchObject({
      error: { errors: [{ reason: 'resourceInUseByAnotherResource' }] },
    });
    const badName = await api('POST', 'global/networks', { name: 'Bad_Name' });
    expect(badName.json).toMatchObject({ error: { code: 400, errors: [{ reason: 'invalid' }] } });
    expect(String((badName.json.error as Json).message)).toContain('resource.name');
  });

  it('pages with maxResults and pageToken', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = (
        await api('GET', `zones/europe-west1-b/instances?maxResults=1${token ? `&pageToken=${token}` : ''}`)
      ).json;
      names.push(...(r.items as Json[]).map((i) => String(i.name)));
      token = r.nextPageToken as string | undefined;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(new Set(names).size).toBe(3);
  });

  it('answers a repeated insert with the same requestId with the first operation', async () => {
    const rid = '0b1d0f9e-4c2a-4f77-9d2e-5a6b7c8d9e0f';
    const first = (await api('POST', `global/networks?requestId=${rid}`, { name: 'idem-net' })).json;
    await done(first);
    const again = await api('POST', `global/networks?requestId=${rid}`, { name: 'idem-net' });
    expect(again.status).toBe(200);
    expect(again.json.name).toBe(first.name);
    expect((await api('POST', 'global/networks', { name: 'idem-net' })).status).toBe(409);
  });

  it('injects faults through the authenticated control route', async () => {
    const denied = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: '{"throttleNext":1}' });
    expect(denied.status).toBe(401);
    const bad = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '{"throttleNext":"x"}',
    });
    expect(bad.status).toBe(400);
    const ok = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '{"throttleNext":1,"failNext":1}',
    });
    expect(ok.status).toBe(200);
    const throttled = await api('GET', 'regions');
    expect(throttled.json).toMatchObject({
      error: { code: 429, status: 'RESOURCE_EXHAUSTED', errors: [{ reason: 'rateLimitExceeded' }] },
    });
    expect((await api('GET', 'regions')).json).toMatchObject({
      error: { code: 503, errors: [{ reason: 'backendError' }] },
    });
    expect((await api('GET', 'regions')).status).toBe(200);
    sim.faults.failNextOperation('ZONE_RESOURCE_POOL_EXHAUSTED');
    const failed = await done(
      (await api('POST', 'zones/europe-west1-b/disks', { name: 'never', sizeGb: '10' })).json,
    );
    expect(failed.error).toEqual({
      errors: [{ code: 'ZONE_RESOURCE_POOL_EXHAUSTED', message: 'ZONE_RESOURCE_POOL_EXHAUSTED' }],
    });
    expect((await api('GET', 'zones/europe-west1-b/disks/never')).status).toBe(404);
  });
});
