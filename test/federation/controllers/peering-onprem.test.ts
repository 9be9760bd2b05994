import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../../../federation/api/server.js';
import { CloudAdapters } from '../../../federation/cloud/cloud-adapters.js';
import { RedisTunnelKeyVault } from '../../../federation/controllers/peering/redis-key-vault.js';
import { PEERING_TYPE } from '../../../federation/resources/kinds.js';
import { builtinCloudProviders } from '../../../federation/runtime/cloud-providers.js';
import { kubernetesClientFactory } from '../../../federation/runtime/kube-client-factory.js';
import { startWorker } from '../../../federation/runtime/worker.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import { ACCOUNT_A, type AwsTestEnv, startAwsEnv } from '../../providers/aws/fixture.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { testSealer } from '../../support/sealer.js';
import { waitFor } from '../../support/wait-for.js';
import { TOKEN } from '../api/harness.js';
import { runCli } from '../cli/harness.js';

/**
 * A cloud ↔ on-prem peering through the worker: AWS gets a VPN gateway, a customer gateway for the
 * site's address and a connection; the site gets its strongSwan configuration, generated with the
 * same keys AWS holds, kept sealed, and downloadable by an admin only
 * (`fedgate get peering NAME --config`). Deleting the Peering removes the AWS side and the
 * configuration.
 */
describe('peering controller: AWS ↔ on-prem site over IPsec', () => {
  let aws: AwsTestEnv;
  let cp: TestControlPlane;
  let vault: RedisTunnelKeyVault;
  let api: Awaited<ReturnType<typeof buildApiServer>>;
  let url: string;
  const NAME = 'eks-a--dc1';

  beforeAll(async () => {
    aws = await startAwsEnv({ operationMs: 100 });
    cp = await startTestControlPlane([], { worker: false });
    vault = new RedisTunnelKeyVault(cp.redis.connect(), cp.workerSettings.storePrefix!, testSealer());
    const cloud = new CloudAdapters({
      registry: builtinCloudProviders(),
      credentials: async (name) =>
        name === 'aws-a'
          ? {
              provider: 'aws',
              accessKeyId: ACCOUNT_A.accessKeyId,
              secretAccessKey: ACCOUNT_A.secretAccessKey,
            }
          : undefined,
      pollIntervalMs: 25,
    });
    cp.worker = await startWorker({
      ...cp.workerSettings,
      log: pino({ level: 'silent' }),
      clientFactory: kubernetesClientFactory(),
      cloud,
      peering: { vault, pollIntervalMs: 25, healthEveryMs: 500 },
    });
    // An API server with the configuration route, on the same store (the product's API process
    // gets the vault from its runtime wiring).
    api = await buildApiServer({
      store: new ResourceStore(cp.redis.connect(), { prefix: cp.workerSettings.storePrefix! }),
      token: TOKEN,
      logger: pino({ level: 'silent' }),
      metrics: new Registry(),
      ready: async () => true,
      peeringConfigs: vault,
    });
    await api.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    const applied = await cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'MemberCluster',
        metadata: { name: 'eks-a' },
        spec: {
          provider: 'aws',
          region: 'eu-west-1',
          connection: { server: 'https://127.0.0.1:1' },
          network: { nodeCidrs: ['10.10.0.0/16'] },
          cloud: {
            account: ACCOUNT_A.accountId,
            networkId: aws.networkId,
            endpoint: aws.sim.url,
            credentials: { secretRef: { name: 'aws-a' } },
          },
        },
      },
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'MemberCluster',
        metadata: { name: 'dc1' },
        spec: {
          provider: 'onprem',
          region: 'paris',
          connection: { server: 'https://127.0.0.1:1' },
          network: { nodeCidrs: ['192.168.0.0/16'] },
          cloud: { account: 'dc1', networkId: 'dc1-lan', vpn: { publicIp: '198.51.100.7', asn: 65020 } },
        },
      },
    ]);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await cp?.close();
    await aws?.teardown();
  });

  const read = async () =>
    (await cp.request('GET', `/api/v1/objects/${PEERING_TYPE}/${NAME}`)).body as {
      status?: { phase?: string; message?: string; steps?: { id: string; state: string }[] };
    };
  const cli = (args: string[], token = TOKEN) =>
    runCli(args, { env: { FEDGATE_SERVER: url, FEDGATE_TOKEN: token } });

  it('sets up the AWS side and the site configuration with the keys AWS holds, for admins only', async () => {
    const before = { gw: aws.countResources!('vpn-gateway'), cgw: aws.countResources!('peer-gateway') };
    const put = await cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'Peering',
        metadata: { name: NAME },
        spec: { clusters: ['eks-a', 'dc1'], type: 'Auto' },
      },
    ]);
    expect(put.status).toBe(200);
    await waitFor(
      'the peering to be Ready',
      async () => (await read()).status?.phase === 'Ready',
      90_000,
      100,
    );
    const status = (await read()).status!;
    expect(status.steps?.map((s) => s.id)).toContain('onprem.config/b');
    expect(aws.countResources!('vpn-gateway') - before.gw).toBe(1);
    expect(aws.countResources!('peer-gateway') - before.cgw).toBe(1);
    const conn = [...aws.sim.store.vpnConnections.values()].find((c) => !c.deleting)!;
    const keys = conn.tunnels.map((t) => t.presharedKey);

    const admin = await cli(['get', 'peering', NAME, '--config']);
    expect(admin.code, admin.stderr).toBe(0);
    for (const t of conn.tunnels) {
      expect(admin.stdout).toContain(`remote_addrs = ${t.outsideIp}`);
      expect(admin.stdout).toContain(`secret = "${t.presharedKey}"`);
    }
    expect(admin.stdout).toContain('local_ts = 192.168.0.0/16');
    expect(admin.stdout).toContain('remote_ts = 10.10.0.0/16');

    const made = await api.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { name: 'platform-team', role: 'platform' },
    });
    const platform = await cli(['get', 'peering', NAME, '--config'], made.json().token);
    expect(platform.code).not.toBe(0);
    expect(platform.stderr).toMatch(/may not read VPN secrets/);
    for (const k of keys) expect(platform.stdout + platform.stderr).not.toContain(k);
    const yaml = await cli(['get', 'peering', NAME, '-o', 'yaml']);
    for (const k of keys) expect(yaml.stdout).not.toContain(k);
    expect((await cli(['get', 'mc', 'dc1', '--config'])).stderr).toMatch(/--config needs one peering/);
  }, 120_000);

  const hasWg = spawnSync('wg', ['--version']).status === 0;

  it.skipIf(!hasWg)(
    'WireGuard for the site and its end beside the cloud gateway: keys that match, files wg-quick accepts, admins only',
    async () => {
      const site = await cli(['get', 'peering', NAME, '--config', '--format', 'wireguard']);
      expect(site.code, site.stderr).toBe(0);
      // The rest through the API (each CLI run is a process start).
      const viaApi = async (format: string, token = TOKEN) => {
        const r = await api.inject({
          method: 'GET',
          url: `/api/v1/peerings/${NAME}/config?format=${format}`,
          headers: { authorization: `Bearer ${token}` },
        });
        return { status: r.statusCode, stdout: r.statusCode === 200 ? `${r.json().config}\n` : r.body };
      };
      const gw = await viaApi('wireguard-gateway');
      expect(gw.status).toBe(200);
      const field = (text: string, name: string) => new RegExp(`^${name} = (.+)$`, 'm').exec(text)?.[1];
      const pub = (priv: string) => execFileSync('wg', ['pubkey'], { input: priv }).toString().trim();
      // Each end names the other by the public key of the other's private key; one shared PSK.
      expect(field(site.stdout, 'PublicKey')).toBe(pub(field(gw.stdout, 'PrivateKey')!));
      expect(field(gw.stdout, 'PublicKey')).toBe(pub(field(site.stdout, 'PrivateKey')!));
      expect(field(site.stdout, 'PresharedKey')).toBe(field(gw.stdout, 'PresharedKey'));
      expect(field(site.stdout, 'PrivateKey')).not.toBe(field(gw.stdout, 'PrivateKey'));
      expect(field(site.stdout, 'AllowedIPs')).toContain('10.10.0.0/16');
      expect(field(gw.stdout, 'AllowedIPs')).toContain('192.168.0.0/16');
      expect(field(gw.stdout, 'Endpoint')).toBe('198.51.100.7:51820');
      // WireGuard's own parser (wireguard-tools) accepts both files.
      const dir = await mkdtemp(join(tmpdir(), 'fedgate-wg-'));
      try {
        for (const [name, text] of [
          ['site', site.stdout],
          ['gw', gw.stdout],
        ] as const) {
          const file = join(dir, `wg${name}.conf`);
          await writeFile(file, text, { mode: 0o600 });
          const stripped = execFileSync('wg-quick', ['strip', file]).toString();
          expect(stripped).toMatch(/^PrivateKey = /m);
          expect(stripped).not.toMatch(/^Address/m);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      // The same keys on a second run (stored sealed, not made again), and never outside the route.
      expect((await viaApi('wireguard')).stdout.trim()).toBe(site.stdout.trim());
      const object = JSON.stringify(
        (await cp.request('GET', `/api/v1/objects/${PEERING_TYPE}/${NAME}`)).body,
      );
      for (const k of ['PrivateKey', 'PresharedKey']) expect(object).not.toContain(field(site.stdout, k)!);
      const made = await api.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { authorization: `Bearer ${TOKEN}` },
        payload: { name: 'viewer-wg', role: 'platform' },
      });
      const platform = await viaApi('wireguard', made.json().token);
      expect(platform.status).toBe(403);
      expect(platform.stdout).not.toContain(field(site.stdout, 'PrivateKey')!);
      const bad = await viaApi('openvpn');
      expect(bad.status).toBe(400);
      expect(bad.stdout).toMatch(/format/);
    },
    60_000,
  );

  it('deleting the Peering removes the AWS side and the configuration', async () => {
    expect((await cp.request('DELETE', `/api/v1/objects/${PEERING_TYPE}/${NAME}`)).status).toBe(200);
    await waitFor(
      'the AWS side and the configuration to be gone',
      async () =>
        aws.countResources!('vpn-connection') === 0 &&
        aws.countResources!('peer-gateway') === 0 &&
        (await vault.config(NAME)) === undefined &&
        (await vault.config(NAME, 'wireguard')) === undefined,
      60_000,
      100,
    );
  }, 90_000);
});
