import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { MemberClusterObject } from '../../../federation/reconcile/cluster-snapshot.js';
import { type ApiProcess, startApi } from '../../../federation/runtime/api-process.js';
import { kubernetesClientFactory } from '../../../federation/runtime/kube-client-factory.js';
import { type LocalClouds, startLocalClouds } from '../../../federation/runtime/local-clouds.js';
import { type ControlPlaneWorker, startWorker } from '../../../federation/runtime/worker.js';
import { type WorkerCloud, workerCloud } from '../../../federation/runtime/worker-cloud.js';
import {
  newEncryptionConfig,
  parseEncryptionConfig,
} from '../../../federation/store/encryption/encryption-config.js';
import { SecretCodec } from '../../../federation/store/encryption/secret-codec.js';
import { DEFAULT_FLEET } from '../../../sim/fleet/index.js';
import { FAST_WORKER } from '../../support/control-plane.js';
import { type TestRedis, testRedis } from '../../support/redis.js';
import { waitFor } from '../../support/wait-for.js';

const MC = 'MemberCluster.v1alpha1.fedgate.dev';
const PEERING = 'Peering.v1alpha1.fedgate.dev';

/**
 * The clouds of `fedgate up`: the fleet's clusters registered with the cloud sides and
 * credentials local-clouds.ts makes, their inventory discovered through the real SDKs against the
 * simulators, and one peering of each kind set up by the peering controller with its sealed vault.
 */
describe('the simulated clouds of fedgate up, through the control plane', () => {
  let redis: TestRedis;
  let clouds: LocalClouds;
  let api: ApiProcess;
  let cloud: WorkerCloud;
  let worker: ControlPlaneWorker;
  let dir: string;
  const token = 'local-clouds-test-token';

  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    redis = testRedis();
    dir = await mkdtemp(join(tmpdir(), 'fedgate-local-clouds-'));
    clouds = await startLocalClouds(DEFAULT_FLEET, { operationMs: 40 });
    const siteFile = join(dir, 'site.yaml');
    await writeFile(siteFile, clouds.onpremSite);
    const encryption = parseEncryptionConfig(newEncryptionConfig());
    const secrets = new SecretCodec({ config: encryption });
    const log = pino({ level: 'silent' });
    api = await startApi({
      redisUrl: redis.url,
      storePrefix: redis.prefix,
      token,
      log,
      metrics: new Registry(),
      secrets,
    });
    cloud = await workerCloud({
      redisUrl: redis.url,
      storePrefix: redis.prefix,
      encryption,
      caPem: clouds.arm.caPem,
      onpremSiteFile: siteFile,
      pollIntervalMs: 50,
      log,
    });
    worker = await startWorker({
      redisUrl: redis.url,
      storePrefix: redis.prefix,
      queuePrefix: `{${redis.prefix}q}`,
      ...FAST_WORKER,
      log,
      secrets,
      clientFactory: kubernetesClientFactory(),
      ...cloud.props,
    });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await cloud?.close();
    await api?.close();
    await clouds?.close();
    await redis?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers every cluster with its cloud side and discovers what the fleet runs on', async () => {
    const items = [
      ...clouds.credentials,
      ...DEFAULT_FLEET.clusters.map((c) => ({
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'MemberCluster',
        metadata: { name: c.name },
        spec: {
          provider: c.provider,
          region: c.region,
          connection: { server: 'https://127.0.0.1:9' },
          network: { nodeCidrs: [c.network.vpcCidr], podCidrs: [c.network.podCidr] },
          cloud: clouds.cloudSides.get(c.name),
        },
      })),
    ];
    const applied = await request('POST', '/api/v1/apply', { items });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    const list = await waitFor(
      'inventory of every cluster',
      async () => {
        const r = await request('GET', `/api/v1/objects/${MC}`);
        const mcs = r.body.items as MemberClusterObject[];
        const done = mcs.filter((mc) =>
          mc.status?.conditions.some((c) => c.type === 'CloudInventory' && c.status === 'True'),
        );
        return done.length === DEFAULT_FLEET.clusters.length ? mcs : undefined;
      },
      90_000,
      200,
    );
    for (const c of DEFAULT_FLEET.clusters) {
      const found = list.find((mc) => mc.metadata.name === c.name)!.status!.cloud!;
      const types: Record<string, number> = {};
      for (const n of c.nodes) types[n.instanceType!] = (types[n.instanceType!] ?? 0) + 1;
      expect(found.instanceTypes, c.name).toEqual(types);
      expect(Object.values(found.zones).reduce((n, z) => n + z.instances, 0)).toBe(c.nodes.length);
      expect(Object.keys(found.zones).sort()).toEqual([...new Set(c.nodes.map((n) => n.zone!))].sort());
      expect(found.network?.cidrs, c.name).toEqual([c.network.vpcCidr]);
    }
  }, 120_000);

  it('the endpoints file lets the real SDK in with the credentials it lists', async () => {
    const file = parse(clouds.endpointsFile({ armCaFile: join(dir, 'ca.pem') })) as {
      aws: { endpoint: string; accessKeyId: string; secretAccessKey: string };
    };
    const ec2 = new EC2Client({
      endpoint: file.aws.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: file.aws.accessKeyId, secretAccessKey: file.aws.secretAccessKey },
    });
    const vpcs = await ec2.send(new DescribeVpcsCommand({}));
    expect(vpcs.Vpcs?.map((v) => v.CidrBlock)).toEqual(['10.20.0.0/16']);
    ec2.destroy();
  });

  it('sets up a same-cloud, a cross-cloud and a cloud↔on-prem link; tunnel keys stay sealed in Redis', async () => {
    const peering = (a: string, b: string) => ({
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'Peering',
      metadata: { name: `${a}--${b}` },
      spec: { clusters: [a, b] },
    });
    const links = [
      peering('aws-eu-west-1', 'aws-us-east-1'),
      peering('aws-eu-west-1', 'azure-westeurope'),
      peering('azure-westeurope', 'onprem-dc1'),
    ];
    expect((await request('POST', '/api/v1/apply', { items: links })).status).toBe(200);
    const ready = await waitFor(
      'peerings Ready',
      async () => {
        const r = await request('GET', `/api/v1/objects/${PEERING}`);
        const items = r.body.items as {
          metadata: { name: string };
          status?: { phase?: string; link?: { kind: string } };
        }[];
        return items.length === 3 && items.every((p) => p.status?.phase === 'Ready') ? items : undefined;
      },
      150_000,
      250,
    );
    expect(Object.fromEntries(ready.map((p) => [p.metadata.name, p.status?.link?.kind]))).toEqual({
      'aws-eu-west-1--aws-us-east-1': 'aws-vpc-peering',
      'aws-eu-west-1--azure-westeurope': 'ipsec-vpn',
      'azure-westeurope--onprem-dc1': 'ipsec-vpn',
    });
    const conn = redis.connect();
    const vault = await conn.keys(`{${redis.prefix}}:peering-*`);
    // The two VPN links keep their tunnel keys (and the on-prem end its configuration) sealed.
    expect(vault.length).toBe(2);
    for (const k of vault)
      for (const v of Object.values(await conn.hgetall(k))) expect(v).toMatch(/^k8s:enc:aesgcm:v1:/);
    // The on-prem end's swanctl.conf, kept sealed by the worker, is what the API hands an admin.
    const res = await fetch(`${api.url}/api/v1/peerings/azure-westeurope--onprem-dc1/config`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const { format, config } = (await res.json()) as { format: string; config: string };
    expect(format).toBe('swanctl');
    expect(config).toMatch(/connections \{/);
    expect(config).toMatch(/secret = "/);
  }, 180_000);
});
