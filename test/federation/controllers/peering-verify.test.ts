import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudAdapters } from '../../../federation/cloud/cloud-adapters.js';
import { RedisTunnelKeyVault } from '../../../federation/controllers/peering/redis-key-vault.js';
import { PEERING_TYPE } from '../../../federation/resources/kinds.js';
import { builtinCloudProviders } from '../../../federation/runtime/cloud-providers.js';
import { kubernetesClientFactory } from '../../../federation/runtime/kube-client-factory.js';
import { startWorker } from '../../../federation/runtime/worker.js';
import { EMPTY_CONFIG } from '../../../peering/gateway/config.js';
import { type Gateway, startGateway } from '../../../peering/gateway/gateway.js';
import { FederationCa } from '../../../peering/identity/federation-ca.js';
import { localIssuer } from '../../../peering/identity/local-issuer.js';
import { ACCOUNT_A, ACCOUNT_B, type AwsTestEnv, startAwsEnv } from '../../providers/aws/fixture.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { testSealer } from '../../support/sealer.js';
import { waitFor } from '../../support/wait-for.js';

interface Status {
  phase?: string;
  gatewayPath?: {
    state: string;
    rttMsAToB?: number;
    rttMsBToA?: number;
    lossPercent?: number;
    recent?: string;
  };
  message?: string;
  steps?: { id: string; state: string; outputs?: Record<string, unknown> }[];
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

/**
 * The last step of a Peering checks the providers' state, then sends a request each way through
 * the two clusters' east-west gateways and records the round trips; with no gateway for a cluster
 * the Peering is Ready with reason GatewaysNotDeployed, never "verified".
 */
describe('peering controller: verification through the east-west gateways', () => {
  let aws: AwsTestEnv;
  let cp: TestControlPlane;
  const gateways: Gateway[] = [];
  const NAME = 'eks-a--eks-b';
  let ca: FederationCa;

  beforeAll(async () => {
    aws = await startAwsEnv({ operationMs: 50 });
    ca = await FederationCa.create({ federation: 'fed.test' });
    cp = await startTestControlPlane([], { worker: false });
    const account = (a: typeof ACCOUNT_A) => ({
      provider: 'aws' as const,
      accessKeyId: a.accessKeyId,
      secretAccessKey: a.secretAccessKey,
    });
    const cloud = new CloudAdapters({
      registry: builtinCloudProviders(),
      credentials: async (name) =>
        name === 'aws-a' ? account(ACCOUNT_A) : name === 'aws-b' ? account(ACCOUNT_B) : undefined,
      pollIntervalMs: 25,
    });
    cp.worker = await startWorker({
      ...cp.workerSettings,
      log: pino({ level: 'silent' }),
      clientFactory: kubernetesClientFactory(),
      cloud,
      peering: {
        vault: new RedisTunnelKeyVault(cp.redis.connect(), cp.workerSettings.storePrefix!, testSealer()),
        pollIntervalMs: 25,
        healthEveryMs: 500,
        verifyTimeoutMs: 30_000,
      },
    });
    const cluster = (
      name: string,
      region: string,
      cidr: string,
      account: string,
      networkId: string,
      cred: string,
    ) => ({
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'MemberCluster',
      metadata: { name },
      spec: {
        provider: 'aws',
        region,
        connection: { server: 'https://127.0.0.1:1' },
        network: { nodeCidrs: [cidr] },
        cloud: { account, networkId, endpoint: aws.sim.url, credentials: { secretRef: { name: cred } } },
      },
    });
    const applied = await cp.apply([
      cluster('eks-a', 'eu-west-1', '10.10.0.0/16', ACCOUNT_A.accountId, aws.networkId, 'aws-a'),
      cluster('eks-b', 'eu-central-1', '10.20.0.0/16', ACCOUNT_B.accountId, aws.peerNetworkId!, 'aws-b'),
      // The same range as eks-a: no route can join them, only the gateways.
      cluster('eks-c', 'eu-central-1', '10.10.0.0/16', ACCOUNT_B.accountId, aws.peerNetworkId!, 'aws-b'),
    ]);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  }, 120_000);

  afterAll(async () => {
    for (const g of gateways) await g.close();
    await cp?.close();
    await aws?.teardown();
  });

  const read = async () =>
    ((await cp.request('GET', `/api/v1/objects/${PEERING_TYPE}/${NAME}`)).body as { status?: Status }).status;
  /** A gateway of `cluster` whose certificate chains to `issuerCa` (the federation's, or a foreign one). */
  const gatewayOf = async (cluster: string, issuerCa: FederationCa) =>
    startGateway({
      cluster,
      federation: 'fed.test',
      issuer: localIssuer(issuerCa, cluster),
      configSource: { load: async () => EMPTY_CONFIG },
      redis: cp.redis.connect(),
      redisPrefix: cp.workerSettings.storePrefix!,
      metrics: new Registry(),
      peerListen: { host: '127.0.0.1', port: 0 },
      appListen: { host: '127.0.0.1', port: 0 },
    });
  const ready = (s: Status | undefined) => s?.conditions?.find((c) => c.type === 'Ready');
  const apply = () =>
    cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'Peering',
        metadata: { name: NAME },
        spec: { clusters: ['eks-a', 'eks-b'], type: 'NativePeering' },
      },
    ]);

  it('without gateways: Ready by the providers’ state, with reason GatewaysNotDeployed', async () => {
    expect((await apply()).status).toBe(200);
    await waitFor('the peering to be Ready', async () => (await read())?.phase === 'Ready', 60_000, 100);
    const s = (await read())!;
    expect(ready(s)).toMatchObject({ status: 'True', reason: 'GatewaysNotDeployed' });
    expect(ready(s)?.message).toMatch(
      /not verified through the east-west gateways: no gateway of eks-a or eks-b/,
    );
    const verify = s.steps?.find((x) => x.id === 'verify/a');
    expect(verify?.outputs?.gateways).toBe('GatewaysNotDeployed');
    expect(verify?.outputs?.providers).toMatch(/peering active/);
  }, 90_000);

  it('gateways that start after it is Ready: the health reads verify the peering through them, round trips and loss in the status', async () => {
    for (const cluster of ['eks-a', 'eks-b']) gateways.push(await gatewayOf(cluster, ca));
    await waitFor(
      'a health read to verify the peering through the gateways',
      async () => ready(await read())?.reason === 'Ready',
      30_000,
      100,
    );
    const s = (await read())!;
    expect(ready(s)?.status).toBe('True');
    expect(s.gatewayPath).toMatchObject({ state: 'verified', recent: expect.stringMatching(/\+\+$/) });
    // A probe sent while the second gateway was still starting counts as lost.
    const recent = s.gatewayPath!.recent!;
    expect(s.gatewayPath?.lossPercent).toBeCloseTo(
      (100 * recent.replaceAll('+', '').length) / recent.length,
      1,
    );
    expect(s.gatewayPath?.rttMsAToB).toBeGreaterThan(0);
    expect(s.gatewayPath?.rttMsBToA).toBeGreaterThan(0);
    expect(ready(s)?.message).toMatch(
      /^both directions through the east-west gateways: eks-a → eks-b [\d.]+ ms, eks-b → eks-a [\d.]+ ms round trip; [\d.]+% of the last \d+ probes lost$/,
    );
    expect(s.message).toBe(ready(s)?.message);
    // What provisioning found stays in its step.
    expect(s.steps?.find((x) => x.id === 'verify/a')?.outputs?.gateways).toBe('GatewaysNotDeployed');
  }, 90_000);

  it('with a gateway in each cluster: both directions verified through them, round trips in the status', async () => {
    expect((await cp.request('DELETE', `/api/v1/objects/${PEERING_TYPE}/${NAME}`)).status).toBe(200);
    await waitFor(
      'the Peering and its AWS peering to be gone',
      async () =>
        aws.countResources!('peering') === 0 &&
        (await cp.request('GET', `/api/v1/objects/${PEERING_TYPE}/${NAME}`)).status === 404,
      60_000,
      100,
    );
    expect((await apply()).status).toBe(200);
    await waitFor(
      'the peering to be Ready again',
      async () => {
        const s = await read();
        return s?.phase === 'Ready' && s.steps?.every((x) => x.state === 'done');
      },
      60_000,
      100,
    );
    const s = (await read())!;
    expect(ready(s)).toMatchObject({ status: 'True', reason: 'Ready' });
    const verify = s.steps?.find((x) => x.id === 'verify/a');
    expect(verify?.outputs?.message).toMatch(
      /^both directions verified through the east-west gateways \(eks-a → eks-b [\d.]+ ms, eks-b → eks-a [\d.]+ ms round trip\)$/,
    );
    expect(verify?.outputs).toMatchObject({
      gateways: 'verified',
      viaB: gateways[1]!.peerUrl,
      viaA: gateways[0]!.peerUrl,
    });
    expect(verify?.outputs?.rttMsAToB).toBeGreaterThan(0);
    expect(verify?.outputs?.rttMsBToA).toBeGreaterThan(0);
  }, 90_000);

  it('overlapping ranges: a gateway-only peering is checked through the gateways on every sync', async () => {
    const OVERLAP = 'eks-a--eks-c';
    const readOverlap = async () =>
      (
        (await cp.request('GET', `/api/v1/objects/${PEERING_TYPE}/${OVERLAP}`)).body as {
          status?: Status & { link?: { kind: string } };
        }
      ).status;
    const applied = await cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'Peering',
        metadata: { name: OVERLAP },
        spec: { clusters: ['eks-a', 'eks-c'], type: 'Auto' },
      },
    ]);
    expect(applied.status).toBe(200);
    await waitFor(
      'the peering to be Ready',
      async () => (await readOverlap())?.phase === 'Ready',
      30_000,
      100,
    );
    let s = (await readOverlap())!;
    expect(s.link?.kind).toBe('gateway-only');
    expect(ready(s)).toMatchObject({ status: 'True', reason: 'GatewaysNotDeployed' });
    expect(s.message).toMatch(/overlapping address ranges.*no gateway of eks-c is registered$/);

    const impostor = await gatewayOf('eks-c', await FederationCa.create({ federation: 'fed.test' }));
    gateways.push(impostor);
    // Its certificate chains to another CA: eks-a's gateway refuses it at the handshake.
    await waitFor(
      'a probe through the gateways to fail',
      async () => ready(await readOverlap())?.reason === 'GatewayProbeFailed',
      30_000,
      100,
    );
    s = (await readOverlap())!;
    expect(s.gatewayPath).toMatchObject({ state: 'failed', lossPercent: expect.any(Number) });
    expect(s.gatewayPath?.lossPercent).toBeGreaterThan(0);
    expect(ready(s)?.message).toMatch(/a probe through the east-west gateways failed \(eks-a → eks-c: /);

    // The federation's own gateway replaces it: the path is verified, the link stays GatewayOnly.
    await impostor.close();
    gateways.push(await gatewayOf('eks-c', ca));
    await waitFor(
      'the probes through the gateways to pass',
      async () => ready(await readOverlap())?.reason === 'GatewayOnly',
      30_000,
      100,
    );
    s = (await readOverlap())!;
    expect(s.gatewayPath).toMatchObject({ state: 'verified', recent: expect.stringMatching(/\+\+$/) });
    expect(ready(s)?.message).toMatch(
      /overlapping address ranges.*; both directions through the east-west gateways: eks-a → eks-c [\d.]+ ms, eks-c → eks-a [\d.]+ ms round trip/,
    );
  }, 90_000);
});
