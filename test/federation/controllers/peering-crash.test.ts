import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEERING_TYPE } from '../../../federation/resources/kinds.js';
import type { KubeObject } from '../../../federation/resources/kube-object.js';
import { newEncryptionConfig } from '../../../federation/store/encryption/encryption-config.js';
import { ACCOUNT_B, type AwsTestEnv, startAwsEnv } from '../../providers/aws/fixture.js';
import {
  type AzureEnv,
  REGION,
  RESOURCE_GROUP,
  SUBSCRIPTION,
  startAzureEnv,
} from '../../providers/azure/fixture.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { type PeeringWorkerSettings, spawnPeeringWorker } from '../../support/peering-worker.js';
import { waitFor } from '../../support/wait-for.js';
import { exited } from '../../support/worker-process.js';
import { runCli } from '../cli/harness.js';

type Kind = 'vpn-gateway' | 'peer-gateway' | 'vpn-connection' | 'route';
const KINDS: readonly Kind[] = ['vpn-gateway', 'peer-gateway', 'vpn-connection', 'route'];
type Step = { id: string; state: string; message?: string };
type PeeringView = KubeObject & {
  status?: { phase?: string; message?: string; steps?: Step[]; conditions?: { reason: string }[] };
};

/**
 * An AWS ↔ Azure IPsec peering set up by a `fedgate worker` process (the real worker with the
 * peering controller, BullMQ and Redis), SIGKILLed in the middle of the steps: a new worker takes
 * the stalled job over, resumes from the journal and finishes with exactly one of each cloud
 * object on each side; the tunnel keys are in no log line, API answer, `fedgate get -o yaml` or
 * Redis value in clear; deleting the Peering removes both sides.
 */
describe('peering controller: a worker SIGKILLed mid-flow, resumed by another', () => {
  let aws: AwsTestEnv;
  let azure: AzureEnv;
  let cp: TestControlPlane;
  let settings: PeeringWorkerSettings;
  const children: ReturnType<typeof spawnPeeringWorker>[] = [];
  const NAME = 'aks-weu--eks-peer';

  beforeAll(async () => {
    // Slow clouds: each gateway or connection takes over a second, so the kill lands mid-flow.
    [aws, azure] = await Promise.all([
      startAwsEnv({ operationMs: 1_200 }),
      startAzureEnv({ operationDelayMs: 1_200 }),
    ]);
    cp = await startTestControlPlane([], { worker: false });
    settings = {
      redisUrl: cp.redis.url,
      storePrefix: cp.workerSettings.storePrefix!,
      queuePrefix: cp.workerSettings.queuePrefix!,
      encryptionConfig: newEncryptionConfig(),
      credentials: {
        'aws-peer': {
          provider: 'aws',
          accessKeyId: ACCOUNT_B.accessKeyId,
          secretAccessKey: ACCOUNT_B.secretAccessKey,
        },
        'azure-sim': { provider: 'azure', token: azure.token },
      },
      caPem: azure.sim.caPem,
      pollIntervalMs: 100,
    };
    const applied = await cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'MemberCluster',
        metadata: { name: 'aks-weu' },
        spec: {
          provider: 'azure',
          region: REGION,
          connection: { server: 'https://127.0.0.1:1' },
          network: { nodeCidrs: ['10.10.0.0/16'] },
          cloud: {
            account: SUBSCRIPTION,
            resourceGroup: RESOURCE_GROUP,
            networkId: azure.networkId,
            endpoint: azure.sim.url,
            credentials: { secretRef: { name: 'azure-sim' } },
          },
        },
      },
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'MemberCluster',
        metadata: { name: 'eks-peer' },
        spec: {
          provider: 'aws',
          region: 'eu-central-1',
          connection: { server: 'https://127.0.0.1:1' },
          network: { nodeCidrs: ['10.20.0.0/16'] },
          cloud: {
            account: ACCOUNT_B.accountId,
            networkId: aws.peerNetworkId,
            endpoint: aws.sim.url,
            credentials: { secretRef: { name: 'aws-peer' } },
          },
        },
      },
    ]);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map((c) => exited(c)));
    await cp?.close();
    await Promise.all([aws?.teardown(), azure?.teardown()]);
  });

  const path = `/api/v1/objects/${PEERING_TYPE}/${NAME}`;
  const read = async () => (await cp.request('GET', path)).body as PeeringView;
  const counts = () => ({
    aws: Object.fromEntries(KINDS.map((k) => [k, aws.countResources!(k)])),
    azure: Object.fromEntries(KINDS.map((k) => [k, azure.countResources(k)])),
  });
  let before: ReturnType<typeof counts>;

  it('resumes after SIGKILL and finishes without duplicate cloud objects; keys in no log, API answer, YAML or Redis value', async () => {
    before = counts();
    const first = spawnPeeringWorker(settings);
    children.push(first);
    const put = await cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'Peering',
        metadata: { name: NAME },
        spec: { clusters: ['aks-weu', 'eks-peer'], type: 'IPsecVPN' },
      },
    ]);
    expect(put.status).toBe(200);
    // Kill it once both gateways exist and a later step is under way.
    await waitFor(
      'the first worker to be mid-flow',
      async () => {
        const steps = (await read()).status?.steps ?? [];
        const done = steps.filter((s) => s.state === 'done').length;
        return done >= 3 && steps.some((s) => s.state === 'running');
      },
      90_000,
      50,
    );
    first.kill('SIGKILL');
    await exited(first);
    const atKill = await read();
    expect(atKill.status?.phase).toBe('Provisioning');

    const second = spawnPeeringWorker(settings);
    children.push(second);
    await waitFor(
      'the second worker to finish the peering',
      async () => (await read()).status?.phase === 'Ready',
      120_000,
      200,
    );
    const ready = await read();
    expect(ready.status?.steps?.every((s) => s.state === 'done')).toBe(true);
    const after = counts();
    for (const k of ['vpn-gateway', 'peer-gateway', 'vpn-connection'] as const) {
      expect(after.aws[k]! - before.aws[k]!, `aws ${k}`).toBe(1);
      expect(after.azure[k]! - before.azure[k]!, `azure ${k}`).toBe(1);
    }
    expect(after.aws.route).toBeGreaterThan(before.aws.route!);

    // The keys both clouds hold (AWS's tunnel options, Azure's connection).
    const keys = [...aws.sim.store.vpnConnections.values()]
      .filter((c) => !c.deleting)
      .flatMap((c) => c.tunnels.map((t) => t.presharedKey));
    expect(keys).toHaveLength(2);
    const azConn = azure.sim
      .resources('Microsoft.Network/connections')
      .find((c) => c.name === `fedgate-${NAME}-vpn-a`);
    expect(keys).toContain(azConn?.properties.sharedKey);

    const seen: string[] = [first.output(), second.output(), JSON.stringify(ready)];
    seen.push(JSON.stringify((await cp.request('GET', `/api/v1/objects/${PEERING_TYPE}`)).body));
    const yaml = await runCli(['get', 'peering', NAME, '-o', 'yaml'], {
      env: { FEDGATE_SERVER: cp.api.url, FEDGATE_TOKEN: cp.token },
    });
    expect(yaml.code, yaml.stderr).toBe(0);
    // Health, read from both providers by the worker: tunnels, last change, Azure's byte counters.
    await waitFor(
      'tunnel health in the status',
      async () => ((await read()).status as { tunnels?: unknown[] } | undefined)?.tunnels?.length === 3,
      30_000,
      200,
    );
    const wide = await runCli(['get', 'peerings', '-o', 'wide'], {
      env: { FEDGATE_SERVER: cp.api.url, FEDGATE_TOKEN: cp.token },
    });
    expect(wide.code, wide.stderr).toBe(0);
    const [header, row] = wide.stdout.trim().split('\n');
    expect(header).toMatch(
      /^NAME\s+CLUSTERS\s+LINK\s+PHASE\s+READY\s+STEPS\s+AGE\s+TUNNELS\s+LAST-CHANGE\s+RTT\s+LOSS\s+BYTES-IN\s+BYTES-OUT\s+CHECKED\s+MESSAGE/,
    );
    expect(row).toMatch(
      new RegExp(
        `^${NAME}\\s+aks-weu<->eks-peer\\s+ipsec-vpn\\s+Ready\\s+True\\s+10/10\\s+\\S+\\s+[1-3]/3 up\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\d`,
      ),
    );
    seen.push(wide.stdout);
    expect(yaml.stdout).toContain(`name: ${NAME}`);
    seen.push(yaml.stdout);
    // Every Redis value of this test's store and queues, read as text.
    const redis = cp.redis.connect();
    let cursor = '0';
    let values = 0;
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `*${cp.redis.prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const k of found) {
        const type = await redis.type(k);
        const v =
          type === 'string'
            ? [await redis.get(k)]
            : type === 'hash'
              ? Object.entries(await redis.hgetall(k)).flat()
              : type === 'list'
                ? await redis.lrange(k, 0, -1)
                : type === 'set'
                  ? await redis.smembers(k)
                  : type === 'zset'
                    ? await redis.zrange(k, '0', '-1')
                    : type === 'stream'
                      ? (await redis.xrange(k, '-', '+')).flatMap(([, f]) => f)
                      : [];
        values += v.length;
        seen.push(`${k} ${v.join(' ')}`);
      }
    } while (cursor !== '0');
    expect(values).toBeGreaterThan(10);
    // The vault's hash is there, sealed.
    expect(seen.some((s) => s.includes(`peering-keys:${NAME}`))).toBe(true);
    for (const text of seen) for (const key of keys) expect(text.includes(key)).toBe(false);
  }, 300_000);

  it('deleting the Peering removes every object on both sides', async () => {
    expect((await cp.request('DELETE', path)).status).toBe(200);
    await waitFor(
      'both sides to be cleaned up',
      () => JSON.stringify(counts()) === JSON.stringify(before),
      90_000,
      200,
    );
    expect(counts()).toEqual(before);
  }, 120_000);

  it('a step failing for good rolls back what was set up on both sides, and the status says why', async () => {
    expect(counts()).toEqual(before);
    const put = await cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'Peering',
        metadata: { name: NAME },
        spec: { clusters: ['aks-weu', 'eks-peer'], type: 'IPsecVPN' },
      },
    ]);
    expect(put.status).toBe(200);
    // Once Azure's gateway exists, its next long-running operation (the local network gateway or
    // the connection, after AWS's gateway and connection) ends Failed.
    await waitFor(
      "Azure's VPN gateway",
      async () => (await read()).status?.steps?.find((s) => s.id === 'vpn.gateway/a')?.state === 'done',
      90_000,
      50,
    );
    azure.faults.failNextOperation(
      'SubscriptionQuotaExceeded: no more local network gateways allowed in westeurope',
    );
    const failed = await waitFor(
      'the peering to fail and roll back',
      async () => {
        const p = await read();
        return p.status?.phase === 'Failed' ? p : undefined;
      },
      120_000,
      200,
    );
    expect(failed.status?.message).toMatch(
      /on aks-weu failed: .*no more local network gateways.*; what was set up was removed/,
    );
    const ready = failed.status?.conditions?.find((c) => (c as { type?: string }).type === 'Ready') as
      | { status: string; reason: string; message: string }
      | undefined;
    expect(ready?.status).toBe('False');
    expect(ready?.message).toMatch(/no more local network gateways/);
    const steps = failed.status?.steps ?? [];
    // The step that failed keeps its reason once undone.
    expect(steps.find((s) => s.id === 'vpn.peer-gateway/a')?.message).toMatch(
      /no more local network gateways/,
    );
    expect(steps.find((s) => s.id === 'vpn.gateway/b')?.state).toBe('undone');
    // Nothing is left on either side.
    expect(counts()).toEqual(before);
    // Deleting the failed Peering is quiet and leaves nothing either.
    expect((await cp.request('DELETE', path)).status).toBe(200);
  }, 240_000);
});
