/**
 * Peering benchmark: a full mesh of N AWS VPCs (N·(N−1)/2 VPC peerings with routes both ways) set
 * up through the peering orchestrator (peering/orchestrate: journaled, idempotent steps over the
 * AWS adapter) against the minimal direct SDK call sequence for the same mesh (the baseline),
 * both with the real @aws-sdk/client-ec2 against a fresh EC2 simulator, measured in the same run.
 * Per link the baseline makes CreateVpcPeeringConnection, AcceptVpcPeeringConnection, polls
 * DescribeVpcPeeringConnections until active, and CreateRoute both ways (the route table ids are
 * looked up once per VPC, outside the timing). The simulator's own operation time (`--op-ms`, the
 * time a peering takes to turn active) is reported separately: both sides wait it out.
 *
 * Usage: npm run bench:peering [-- --clusters 6 --op-ms 100 --poll-ms 25 --rounds 3]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  AcceptVpcPeeringConnectionCommand,
  CreateRouteCommand,
  CreateVpcPeeringConnectionCommand,
  DescribeRouteTablesCommand,
  DescribeVpcPeeringConnectionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { type OrchestratedLink, provisionLink } from '../peering/orchestrate/run-steps.js';
import type { LinkEnd } from '../peering/orchestrate/types.js';
import { createAwsAdapter } from '../providers/aws/index.js';
import { startEc2Sim } from '../sim/ec2/index.js';
import { benchArgs } from './support/bench-args.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    clusters: { type: 'string', default: '6' },
    'op-ms': { type: 'string', default: '100' },
    'poll-ms': { type: 'string', default: '25' },
    rounds: { type: 'string', default: '3' },
  },
});
const N = Number(values.clusters);
const OP_MS = Number(values['op-ms']);
const POLL_MS = Number(values['poll-ms']);
const ROUNDS = Number(values.rounds);
if (!(N >= 2 && N <= 40) || !(OP_MS >= 0) || !(POLL_MS > 0) || !(ROUNDS >= 1))
  throw new Error('--clusters 2..40, --op-ms ≥ 0, --poll-ms > 0, --rounds ≥ 1');

const ACCOUNT = {
  accountId: '111122223333',
  accessKeyId: 'AKIAFEDGATEBENCHAAAA',
  secretAccessKey: 'bench/secret/key/0123456789abcdefABCDEFGH',
};
const REGION = 'eu-west-1';

interface Mesh {
  readonly sim: Awaited<ReturnType<typeof startEc2Sim>>;
  readonly vpcs: { id: string; cidr: string }[];
  readonly pairs: [number, number][];
}

async function startMesh(): Promise<Mesh> {
  const sim = await startEc2Sim({ accounts: [ACCOUNT], operationMs: OP_MS });
  const vpcs = Array.from({ length: N }, (_, i) => {
    const cidr = `10.${100 + i}.0.0/16`;
    const net = sim.seed.network({
      account: ACCOUNT.accountId,
      region: REGION,
      name: `bench-${i}`,
      cidr,
      subnets: [{ cidr: `10.${100 + i}.1.0/24`, zone: `${REGION}a` }],
    });
    return { id: net.vpcId, cidr };
  });
  const pairs: [number, number][] = [];
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) pairs.push([i, j]);
  return { sim, vpcs, pairs };
}

const served = (m: Mesh) => Object.values(m.sim.served()).reduce((a, b) => a + b, 0);

/** The minimal direct SDK sequence for the mesh; returns wall time (ms) and API calls. */
async function baseline(): Promise<{ ms: number; calls: number }> {
  const mesh = await startMesh();
  const ec2 = new EC2Client({
    endpoint: mesh.sim.url,
    region: REGION,
    credentials: { accessKeyId: ACCOUNT.accessKeyId, secretAccessKey: ACCOUNT.secretAccessKey },
  });
  try {
    // Route tables are known up front (not timed, not counted): the baseline's best case.
    const tables = new Map<string, string>();
    for (const v of mesh.vpcs) {
      const out = await ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [v.id] }] }),
      );
      tables.set(v.id, out.RouteTables?.[0]?.RouteTableId ?? '');
    }
    const before = served(mesh);
    const t0 = performance.now();
    await Promise.all(
      mesh.pairs.map(async ([i, j]) => {
        const a = mesh.vpcs[i]!;
        const b = mesh.vpcs[j]!;
        const created = await ec2.send(
          new CreateVpcPeeringConnectionCommand({
            VpcId: a.id,
            PeerVpcId: b.id,
            PeerOwnerId: ACCOUNT.accountId,
            PeerRegion: REGION,
          }),
        );
        const id = created.VpcPeeringConnection?.VpcPeeringConnectionId ?? '';
        await ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }));
        for (;;) {
          const seen = await ec2.send(
            new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }),
          );
          const code = seen.VpcPeeringConnections?.[0]?.Status?.Code;
          if (code === 'active') break;
          if (code === 'failed' || code === 'rejected') throw new Error(`peering ${id} ${code}`);
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
        await ec2.send(
          new CreateRouteCommand({
            RouteTableId: tables.get(a.id),
            DestinationCidrBlock: b.cidr,
            VpcPeeringConnectionId: id,
          }),
        );
        await ec2.send(
          new CreateRouteCommand({
            RouteTableId: tables.get(b.id),
            DestinationCidrBlock: a.cidr,
            VpcPeeringConnectionId: id,
          }),
        );
      }),
    );
    return { ms: performance.now() - t0, calls: served(mesh) - before };
  } finally {
    ec2.destroy();
    await mesh.sim.close();
  }
}

/** The same mesh through the orchestrator; returns wall time (ms) and API calls. */
async function orchestrated(): Promise<{ ms: number; calls: number; steps: number }> {
  const mesh = await startMesh();
  const adapter = await createAwsAdapter({
    scope: { account: ACCOUNT.accountId, region: REGION },
    endpoint: mesh.sim.url,
    credentials: {
      kind: 'aws',
      accessKeyId: ACCOUNT.accessKeyId,
      secretAccessKey: ACCOUNT.secretAccessKey,
    },
    pollIntervalMs: POLL_MS,
  });
  try {
    const end = (i: number): LinkEnd => ({
      cluster: `c${i}`,
      provider: 'aws',
      scope: adapter.scope,
      networkId: mesh.vpcs[i]!.id,
      cidrs: [mesh.vpcs[i]!.cidr],
    });
    const before = served(mesh);
    let steps = 0;
    const t0 = performance.now();
    await Promise.all(
      mesh.pairs.map(async ([i, j]) => {
        const link: OrchestratedLink = { name: `c${i}--c${j}`, kind: 'native-peering', a: end(i), b: end(j) };
        const done = await provisionLink(
          link,
          { phase: 'Provisioning', steps: [] },
          {
            adapters: { a: adapter, b: adapter },
            tunnelKeys: [],
            verify: async () => 'peering active',
            onpremConfig: async () => undefined,
            record: async () => undefined,
            pollIntervalMs: POLL_MS,
          },
        );
        if (done.phase !== 'Ready') throw new Error(`${link.name}: ${done.message}`);
        steps += done.steps.length;
      }),
    );
    return { ms: performance.now() - t0, calls: served(mesh) - before, steps };
  } finally {
    await adapter.close();
    await mesh.sim.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const links = (N * (N - 1)) / 2;
console.log(
  `peering mesh: ${N} VPCs, ${links} links; simulated operation time ${OP_MS} ms per peering, poll every ${POLL_MS} ms; median of ${ROUNDS}`,
);
const base: { ms: number; calls: number }[] = [];
const orch: { ms: number; calls: number; steps: number }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  base.push(await baseline());
  orch.push(await orchestrated());
}
const bMs = median(base.map((x) => x.ms));
const oMs = median(orch.map((x) => x.ms));
const bCalls = median(base.map((x) => x.calls));
const oCalls = median(orch.map((x) => x.calls));
const row = (label: string, ms: number, calls: number) =>
  console.log(
    `${label.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms  ${(ms / links).toFixed(1).padStart(7)} ms/link  ${String(calls).padStart(6)} API calls  ${(calls / links).toFixed(1).padStart(5)} calls/link`,
  );
row('baseline (direct SDK sequence)', bMs, bCalls);
row('orchestrator (journaled steps)', oMs, oCalls);
console.log(
  `ratio orchestrator/baseline: time ×${(oMs / bMs).toFixed(2)}, API calls ×${(oCalls / bCalls).toFixed(2)}; our own time on top of the simulated ${OP_MS} ms per peering: ${Math.max(0, oMs - OP_MS).toFixed(0)} ms for the mesh (baseline ${Math.max(0, bMs - OP_MS).toFixed(0)} ms)`,
);
