/**
 * Cloud registration benchmark: the cloud API calls and the wall time to register the `fedgate up`
 * fleet's clusters with their cloud inventory — through the real API, store (a real redis-server)
 * and worker, whose adapters call the simulators through the real SDKs — against baselines measured
 * in the same run on fresh simulators:
 *   - adapters: the same adapters called directly, one discovery per cluster, no control plane;
 *   - sdk (AWS): the minimal EC2 sequence made directly with @aws-sdk/client-ec2 (DescribeInstances
 *     by the EKS tag, DescribeInstanceTypes, DescribeVpcs, DescribeSubnets).
 * Each is run with no throttling and with the simulators throttling a fraction of requests
 * (default 5 %). Calls are what the simulators served (throttled attempts included). After the
 * fleet is registered the benchmark keeps counting for `--settle-ms` to catch calls that should
 * not happen (re-discovery loops).
 *
 * Usage: npm run bench:cloud [-- --throttle 0.05 --rounds 3 --settle-ms 3000]
 */
import { parseArgs } from 'node:util';
import {
  type _InstanceType,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { MemberClusterObject } from '../federation/reconcile/cluster-snapshot.js';
import { MEMBER_CLUSTER_TYPE } from '../federation/resources/kinds.js';
import { validateObject } from '../federation/resources/validate.js';
import { startApi } from '../federation/runtime/api-process.js';
import { builtinCloudProviders } from '../federation/runtime/cloud-providers.js';
import { kubernetesClientFactory } from '../federation/runtime/kube-client-factory.js';
import { type LocalClouds, startLocalClouds } from '../federation/runtime/local-clouds.js';
import { keepSdksOffTheNetwork } from '../federation/runtime/sdk-env.js';
import { startWorker } from '../federation/runtime/worker.js';
import { workerCloud } from '../federation/runtime/worker-cloud.js';
import {
  newEncryptionConfig,
  parseEncryptionConfig,
} from '../federation/store/encryption/encryption-config.js';
import { SecretCodec } from '../federation/store/encryption/secret-codec.js';
import { DEFAULT_FLEET } from '../sim/fleet/index.js';
import { benchArgs } from './support/bench-args.js';
import { runBench, say, startBench } from './support/lifecycle.js';

const { values: flags } = parseArgs({
  args: benchArgs(),
  options: {
    throttle: { type: 'string', default: '0.05' },
    rounds: { type: 'string', default: '3' },
    'settle-ms': { type: 'string', default: '3000' },
  },
});
const throttle = Number(flags.throttle);
const rounds = Number(flags.rounds);
const settleMs = Number(flags['settle-ms']);
const cloudClusters = DEFAULT_FLEET.clusters.filter((c) => c.provider !== 'onprem');

interface Figures {
  readonly calls: number;
  readonly ms: number;
  readonly after?: number;
}

/** Fresh simulators per measurement, closed after it. */
async function withClouds<T>(rate: number, f: (clouds: LocalClouds) => Promise<T>): Promise<T> {
  const clouds = await startLocalClouds(DEFAULT_FLEET, { operationMs: 50 });
  try {
    clouds.throttleRate(rate);
    return await f(clouds);
  } finally {
    await clouds.close();
  }
}

const served = (clouds: LocalClouds) => {
  const s = clouds.served();
  return s.aws + s.gcp + s.azure;
};

/** The minimal AWS sequence, straight through the SDK (its own retries on throttling). */
async function sdkBaseline(rate: number): Promise<Figures> {
  return withClouds(rate, async (clouds) => {
    const cred = clouds.credentials.find((c) => c.metadata.name === 'local-aws')!.spec as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const before = clouds.served().aws;
    const t0 = performance.now();
    await Promise.all(
      cloudClusters
        .filter((c) => c.provider === 'aws')
        .map(async (c) => {
          const ec2 = new EC2Client({
            endpoint: clouds.ec2.url,
            region: c.region,
            credentials: { accessKeyId: cred.accessKeyId, secretAccessKey: cred.secretAccessKey },
            maxAttempts: 8,
          });
          const vpcId = clouds.cloudSides.get(c.name)!.networkId!;
          const [inst] = await Promise.all([
            ec2.send(
              new DescribeInstancesCommand({
                Filters: [{ Name: `tag:kubernetes.io/cluster/${c.name}`, Values: ['owned', 'shared'] }],
              }),
            ),
            ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })),
            ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
          ]);
          const types = [
            ...new Set(
              (inst.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceType!),
            ),
          ];
          await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: types as _InstanceType[] }));
          ec2.destroy();
        }),
    );
    return { calls: clouds.served().aws - before, ms: performance.now() - t0 };
  });
}

/** One discovery per cloud cluster through the adapters, no control plane. */
async function adapterBaseline(rate: number): Promise<Figures> {
  return withClouds(rate, async (clouds) => {
    const registry = builtinCloudProviders();
    const cred = (name: string) => clouds.credentials.find((c) => c.metadata.name === name)!.spec as never;
    // Adapters are built (and the SDKs imported) before the clock starts, as a worker has them warm.
    const adapters = await Promise.all(
      cloudClusters.map(async (c) => {
        const side = clouds.cloudSides.get(c.name)!;
        const spec = cred(side.credentials!.secretRef.name) as Record<string, string>;
        const credentials =
          c.provider === 'aws'
            ? { kind: 'aws' as const, accessKeyId: spec.accessKeyId!, secretAccessKey: spec.secretAccessKey! }
            : c.provider === 'gcp'
              ? { kind: 'gcp-token' as const, accessToken: spec.accessToken! }
              : { kind: 'azure-token' as const, token: spec.token! };
        const adapter = await registry.create(c.provider, {
          scope: {
            account: side.account,
            region: c.region,
            ...(side.resourceGroup ? { resourceGroup: side.resourceGroup } : {}),
          },
          endpoint: side.endpoint!,
          caPem: clouds.arm.caPem,
          credentials,
        });
        return { c, side, adapter };
      }),
    );
    const before = served(clouds);
    const t0 = performance.now();
    await Promise.all(
      adapters.map(async ({ c, side, adapter }) => {
        await adapter.inventory!.listClusterInstances({ clusterName: c.name });
        await adapter.inventory!.getNetwork(side.networkId!);
      }),
    );
    const figures = { calls: served(clouds) - before, ms: performance.now() - t0 };
    await Promise.all(adapters.map(({ adapter }) => adapter.close()));
    return figures;
  });
}

/** The fleet registered through the API; the worker discovers each cluster's inventory. */
async function controlPlane(redisUrl: string, rate: number, round: string): Promise<Figures> {
  return withClouds(rate, async (clouds) => {
    const log = pino({ level: 'silent' });
    const secrets = new SecretCodec({ config: parseEncryptionConfig(newEncryptionConfig()) });
    const storePrefix = `bench-cloud-${round}`;
    const api = await startApi({
      redisUrl,
      storePrefix,
      token: 'bench',
      log,
      metrics: new Registry(),
      secrets,
    });
    const cloud = await workerCloud({
      redisUrl,
      storePrefix,
      caPem: clouds.arm.caPem,
      log,
      pollIntervalMs: 100,
    });
    const worker = await startWorker({
      redisUrl,
      storePrefix,
      queuePrefix: `{${storePrefix}q}`,
      log,
      secrets,
      clientFactory: kubernetesClientFactory(),
      probeIntervalMs: 60_000,
      ...cloud.props,
    });
    try {
      // Adapters load their SDK on first use; a worker in service has them loaded: warm them up.
      await Promise.all([
        import('../providers/aws/index.js'),
        import('../providers/gcp/index.js'),
        import('../providers/azure/index.js'),
      ]);
      const before = served(clouds);
      const t0 = performance.now();
      for (const o of clouds.credentials) {
        const v = validateObject(o);
        await api.store.apply(v.key, v.object);
      }
      for (const c of cloudClusters) {
        const v = validateObject({
          apiVersion: 'fedgate.dev/v1alpha1',
          kind: 'MemberCluster',
          metadata: { name: c.name },
          spec: {
            provider: c.provider,
            region: c.region,
            connection: { server: 'https://127.0.0.1:9' },
            cloud: clouds.cloudSides.get(c.name),
          },
        });
        await api.store.apply(v.key, v.object);
      }
      for (;;) {
        const { items } = await api.store.list(MEMBER_CLUSTER_TYPE);
        const done = (items as MemberClusterObject[]).filter((mc) =>
          mc.status?.conditions.some((x) => x.type === 'CloudInventory' && x.status === 'True'),
        ).length;
        if (done === cloudClusters.length) break;
        if (performance.now() - t0 > 120_000) throw new Error(`only ${done} clusters discovered in 120 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const ms = performance.now() - t0;
      const calls = served(clouds) - before;
      await new Promise((r) => setTimeout(r, settleMs));
      return { calls, ms, after: served(clouds) - before - calls };
    } finally {
      await worker.close();
      await cloud.close();
      await api.close();
    }
  });
}

runBench('cloud-register', async () => {
  keepSdksOffTheNetwork();
  const { redis } = await startBench('cloud-register');
  say(
    `fleet: ${cloudClusters.length} cloud clusters (${cloudClusters.map((c) => c.name).join(', ')}); ${rounds} rounds; throttling ${throttle * 100} %`,
  );
  const rows: string[] = [];
  for (const rate of [0, throttle]) {
    const runs: Record<'sdk' | 'adapters' | 'fedgate', Figures[]> = { sdk: [], adapters: [], fedgate: [] };
    for (let r = 0; r < rounds; r++) {
      runs.sdk.push(await sdkBaseline(rate));
      runs.adapters.push(await adapterBaseline(rate));
      runs.fedgate.push(await controlPlane(redis.url, rate, `${rate}-${r}`));
    }
    const med = (xs: Figures[], k: 'calls' | 'ms' | 'after') =>
      [...xs.map((x) => x[k] ?? 0)].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const awsShare = cloudClusters.filter((c) => c.provider === 'aws').length;
    const line = (what: string, xs: Figures[], n: number) =>
      `${`${(rate * 100).toFixed(0)} %`.padEnd(9)} ${what.padEnd(34)} ${String(med(xs, 'calls')).padStart(6)} ${(med(xs, 'calls') / n).toFixed(1).padStart(9)} ${med(xs, 'ms').toFixed(0).padStart(8)}`;
    rows.push(line(`AWS SDK minimal sequence (${awsShare} clusters)`, runs.sdk, awsShare));
    rows.push(
      line(`adapters direct (${cloudClusters.length} clusters)`, runs.adapters, cloudClusters.length),
    );
    rows.push(
      line(`fedgate register (${cloudClusters.length} clusters)`, runs.fedgate, cloudClusters.length),
    );
    rows.push(
      `${''.padEnd(9)} ratio fedgate/adapters: calls ×${(med(runs.fedgate, 'calls') / med(runs.adapters, 'calls')).toFixed(2)}, wall time ×${(med(runs.fedgate, 'ms') / med(runs.adapters, 'ms')).toFixed(2)}; calls in the ${settleMs} ms after: ${med(runs.fedgate, 'after')}`,
    );
  }
  console.log(
    `${'throttle'.padEnd(9)} ${'what'.padEnd(34)} ${'calls'.padStart(6)} ${'/cluster'.padStart(9)} ${'ms'.padStart(8)}`,
  );
  for (const r of rows) console.log(r);
});
