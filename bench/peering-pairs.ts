/**
 * Peering, end to end per kind of pair: the time from starting a Peering's steps to the first
 * successful cross-cluster request through the two clusters' east-west gateways, for a native
 * same-cloud pair (AWS VPC peering), a cross-cloud pair (AWS ↔ GCP HA VPN) and a cloud ↔ on-prem
 * pair (AWS VPN ↔ a site's generated configuration). The steps run through the orchestrator and
 * the real SDKs against fresh simulators, the last step probes both ways through real gateways
 * (mTLS, on loopback, registered in a real Redis), then an app request is sent through gateway A
 * to a service behind gateway B.
 *
 * The simulated clouds' operation delays are separated from fedgate's own time by running each
 * kind twice: with the simulators' operation delays (`--op-ms`) and with none. Fedgate's own time
 * is the run without delays (API round trips, polling granularity, gateway probes); the clouds'
 * share is the difference. Cloud API calls are every request the simulators served for the pair.
 *
 * Each figure is the median of `--rounds` runs, after one unmeasured warm-up run (JIT, first TLS).
 *
 * Usage: tsx bench/peering-pairs.ts [-- --op-ms 500 --poll-ms 50 --rounds 3]
 */

import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { RedisProcess } from '../federation/runtime/redis-process.js';
import { ROUTE_DEFAULTS } from '../peering/gateway/config.js';
import { type Gateway, startGateway } from '../peering/gateway/gateway.js';
import { GatewayProbes } from '../peering/gateway/probes.js';
import { FederationCa } from '../peering/identity/federation-ca.js';
import { localIssuer } from '../peering/identity/local-issuer.js';
import { InProcessGatewayClaims } from '../peering/orchestrate/gateway-claims.js';
import { type OrchestratedLink, provisionLink } from '../peering/orchestrate/run-steps.js';
import { vpnLayout } from '../peering/orchestrate/steps.js';
import { newTunnelKey } from '../peering/orchestrate/tunnel-keys.js';
import type { LinkEnd } from '../peering/orchestrate/types.js';
import { verifyThroughGateways } from '../peering/orchestrate/verify-gateways.js';
import type { CloudAdapter } from '../providers/cloud/adapter.js';
import { startAwsEnv } from '../test/providers/aws/fixture.js';
import { startGcpEnv } from '../test/providers/gcp/fixture.js';
import { benchArgs } from './support/bench-args.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    'op-ms': { type: 'string', default: '500' },
    'poll-ms': { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
  },
});
const OP_MS = Number(values['op-ms']);
const POLL_MS = Number(values['poll-ms']);
const ROUNDS = Number(values.rounds);
if (!(OP_MS >= 0) || !(POLL_MS > 0) || !(ROUNDS >= 1))
  throw new Error('--op-ms ≥ 0, --poll-ms > 0, --rounds ≥ 1');

type Kind = 'native same-cloud (AWS↔AWS)' | 'cross-cloud VPN (AWS↔GCP)' | 'cloud↔on-prem VPN (AWS↔site)';
const KINDS: Kind[] = [
  'native same-cloud (AWS↔AWS)',
  'cross-cloud VPN (AWS↔GCP)',
  'cloud↔on-prem VPN (AWS↔site)',
];

interface Run {
  readonly ms: number;
  readonly calls: number;
  readonly steps: number;
  readonly rtt: string;
}

const total = (served: Record<string, number>) => Object.values(served).reduce((a, b) => a + b, 0);

function end(cluster: string, adapter: CloudAdapter, networkId: string, cidrs: string[]): LinkEnd {
  return {
    cluster,
    provider: adapter.provider,
    scope: adapter.scope,
    networkId,
    cidrs,
    asn: { aws: 64512, gcp: 65010, azure: 65515, onprem: 65020 }[adapter.provider],
  };
}

async function echo(cluster: string): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ cluster })));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function runOnce(
  kind: Kind,
  opMs: number,
  redisUrl: string,
  ca: FederationCa,
  n: number,
): Promise<Run> {
  const aws = await startAwsEnv({ operationMs: opMs });
  const gcp = kind.startsWith('cross') ? await startGcpEnv({ operationDelayMs: opMs }) : undefined;
  const prefix = `bench${n}`;
  const redis = new Redis(redisUrl);
  const gateways: Gateway[] = [];
  const conns: Redis[] = [redis];
  const services: { close(): void }[] = [];
  try {
    const a = end('eks-a', aws.adapter, aws.networkId, ['10.10.0.0/16']);
    const b: LinkEnd = kind.startsWith('native')
      ? end('eks-b', aws.peerAdapter!, aws.peerNetworkId!, ['10.20.0.0/16'])
      : gcp
        ? end('gke-b', gcp.peerAdapter!, gcp.peerNetworkId!, ['10.20.0.0/20'])
        : {
            cluster: 'site-b',
            provider: 'onprem',
            scope: { account: 'site-b', region: 'paris' },
            networkId: 'site-lan',
            cidrs: ['192.168.0.0/16'],
            asn: 65020,
            publicIp: '198.51.100.7',
          };
    const link: OrchestratedLink = {
      name: `${a.cluster}--${b.cluster}`,
      kind: kind.startsWith('native') ? 'native-peering' : 'ipsec-vpn',
      a,
      b,
    };
    // A gateway per cluster, each with a service the other calls.
    const config = {
      version: 'v1',
      clusters: {},
      services: Object.fromEntries(
        [a.cluster, b.cluster].map((c) => [
          `demo/svc-${c}`,
          { ...ROUTE_DEFAULTS, namespace: 'demo', name: `svc-${c}`, clusters: [c] },
        ]),
      ),
      authorization: [{ name: 'all', service: `demo/svc-${b.cluster}`, from: [], paths: [], methods: [] }],
      quotas: [],
    };
    for (const c of [a.cluster, b.cluster]) {
      const svc = await echo(c);
      services.push(svc);
      gateways.push(
        await startGateway({
          cluster: c,
          federation: 'bench.local',
          issuer: localIssuer(ca, c),
          configSource: { load: async () => config },
          redis: conns[conns.push(new Redis(redisUrl)) - 1]!,
          redisPrefix: prefix,
          metrics: new Registry(),
          peerListen: { host: '127.0.0.1', port: 0 },
          appListen: { host: '127.0.0.1', port: 0 },
          localEndpoints: { [`demo/svc-${c}`]: [{ url: svc.url }] },
        }),
      );
    }
    // Gateways run long before a Peering is applied: let each see the other in the registry
    // (refreshed every second) before the clock starts.
    await new Promise((r) => setTimeout(r, 1_200));
    const claims = new InProcessGatewayClaims();
    const served = () => total(aws.sim.served()) + (gcp ? total(gcp.sim.served()) : 0);
    const before = served();
    const t0 = performance.now();
    const done = await provisionLink(
      link,
      { phase: 'Provisioning', steps: [] },
      {
        adapters: {
          a: aws.adapter,
          ...(gcp ? { b: gcp.peerAdapter! } : kind.startsWith('native') ? { b: aws.peerAdapter! } : {}),
        },
        tunnelKeys:
          link.kind === 'ipsec-vpn'
            ? Array.from({ length: vpnLayout(link.a, link.b).tunnels }, () => newTunnelKey())
            : [],
        gatewayClaims: claims,
        verify: async (x, y, signal, progress) =>
          verifyThroughGateways(x.cluster, y.cluster, new GatewayProbes(redis, prefix, 20), {
            timeoutMs: 60_000,
            ...(signal ? { signal } : {}),
            ...(progress ? { progress } : {}),
          }),
        onpremConfig: async () => undefined,
        record: async () => undefined,
        pollIntervalMs: POLL_MS,
        waitTimeoutMs: 120_000,
      },
    );
    if (done.phase !== 'Ready') throw new Error(`${link.name}: ${done.message}`);
    // The first app request across: through gateway A to the service behind gateway B.
    for (;;) {
      const r = await request(`${gateways[0]!.appUrl}/`, {
        headers: { host: `svc-${b.cluster}.demo.svc.clusterset.local` },
      });
      const text = await r.body.text();
      if (r.statusCode === 200 && text.includes(b.cluster)) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    const ms = performance.now() - t0;
    const v = done.steps.find((s) => s.id === 'verify/a')?.outputs ?? {};
    return {
      ms,
      calls: served() - before,
      steps: done.steps.length,
      rtt: `${v.rttMsAToB} / ${v.rttMsBToA} ms`,
    };
  } finally {
    for (const g of gateways) await g.close();
    for (const s of services) s.close();
    for (const c of conns) c.disconnect();
    await aws.teardown();
    await gcp?.teardown();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'fedgate-bench-peering-'));
const redisProcess = new RedisProcess({ dataDir: dir, persist: false });
await redisProcess.start();
const ca = await FederationCa.create({ federation: 'bench.local' });
try {
  console.log(
    `peering per kind of pair: apply → first request through the gateways; simulated operation delay ${OP_MS} ms per cloud operation, poll every ${POLL_MS} ms`,
  );
  console.log(
    `${'kind'.padEnd(30)} ${'total'.padStart(9)} ${'clouds'.padStart(9)} ${'fedgate'.padStart(9)} ${'API calls'.padStart(10)} ${'steps'.padStart(6)}  probe RTT a→b / b→a`,
  );
  let n = 0;
  await runOnce(KINDS[0]!, 0, redisProcess.url, ca, n++); // warm-up
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  for (const kind of KINDS) {
    const delayed: Run[] = [];
    const own: Run[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      delayed.push(await runOnce(kind, OP_MS, redisProcess.url, ca, n++));
      own.push(await runOnce(kind, 0, redisProcess.url, ca, n++));
    }
    const t = median(delayed.map((x) => x.ms));
    const o = median(own.map((x) => x.ms));
    console.log(
      `${kind.padEnd(30)} ${`${(t / 1000).toFixed(2)} s`.padStart(9)} ${`${(Math.max(0, t - o) / 1000).toFixed(2)} s`.padStart(9)} ${`${(o / 1000).toFixed(2)} s`.padStart(9)} ${String(median(delayed.map((x) => x.calls))).padStart(10)} ${String(delayed[0]!.steps).padStart(6)}  ${delayed.at(-1)!.rtt}`,
    );
  }
  console.log(
    'total: with the simulated delays; clouds: the delays’ share (total minus the run without delays); fedgate: our own time (the run without delays: API round trips, polling, gateway probes, first request)',
  );
} finally {
  await redisProcess.stop();
  await rm(dir, { recursive: true, force: true });
}
