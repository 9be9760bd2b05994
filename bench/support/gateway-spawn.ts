// Starts bench/support/gateway-child.ts as its own process (so it can be SIGKILLed or SIGSTOPped
// like a crashed or hung cluster) and watches a gateway's tries to a cluster, for the bench and
// the dead-cluster test.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { GatewayConfig } from '../../peering/gateway/config.js';
import type { LocalEndpoint } from '../../peering/gateway/gateway.js';
import type { GatewayTelemetry } from '../../peering/gateway/telemetry.js';
import type { SealedFederationCa } from '../../peering/identity/federation-ca.js';

/** What the child needs. */
export interface GatewayChildInput {
  readonly cluster: string;
  readonly federation: string;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly sealedCa: SealedFederationCa;
  readonly operatorKey: string;
  readonly config: GatewayConfig;
  readonly endpoints: Record<string, readonly LocalEndpoint[]>;
}

/** A gateway process. */
export interface GatewayChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly peerUrl: string;
  readonly appUrl: string;
}

/**
 * Bundles gateway-child.ts into plain JavaScript (dist/bench/, packages left external) and gives
 * its path: the gateway then runs as production runs it (compiled, `node dist/...`), not through
 * tsx's loader, whose esbuild transform wraps every closure in a naming call and turns on source
 * maps — per-request costs a built gateway does not pay.
 */
export async function buildGatewayChild(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(process.cwd(), 'dist', 'bench', 'gateway-child.mjs');
  await build({
    entryPoints: [join(process.cwd(), 'bench', 'support', 'gateway-child.ts')],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * Spawns a gateway process and waits until it listens. `nodeArgs` go before the script (e.g.
 * --cpu-prof); `script` is a built child (buildGatewayChild), else the sources run through tsx.
 */
export async function spawnGateway(
  input: GatewayChildInput,
  nodeArgs: string[] = [],
  script?: string,
): Promise<GatewayChild> {
  const entry = script === undefined ? ['--import', 'tsx', 'bench/support/gateway-child.ts'] : [script];
  const child = spawn(process.execPath, [...nodeArgs, ...entry], {
    env: { ...process.env, FG_BENCH_GATEWAY: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`gateway ${input.cluster} exited with ${String(code)} before listening`);
    }),
  ])) as [string];
  return { process: child, pid: child.pid!, ...(JSON.parse(line) as { peerUrl: string; appUrl: string }) };
}

/** Stops a gateway process (SIGTERM, then SIGKILL after 3 s) and waits for it. */
export async function stopGateway(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = once(c, 'exit');
  c.kill('SIGTERM');
  c.kill('SIGCONT'); // a stopped process handles SIGTERM only once continued
  const t = setTimeout(() => c.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

/** Tries the gateway has sent to `cluster` so far (fedgate_gateway_upstream_requests_total). */
export async function triesTo(telemetry: GatewayTelemetry, cluster: string): Promise<number> {
  const m = await telemetry.upstreamRequests.get();
  return m.values.find((v) => v.labels.destination_cluster === cluster)?.value ?? 0;
}

/**
 * Watches the tries a gateway sends to `cluster`: `lastTryAt` is the last time (performance.now())
 * the count went up, sampled every `everyMs`.
 */
export function watchTries(telemetry: GatewayTelemetry, cluster: string, everyMs = 5) {
  const state = { count: 0, lastTryAt: 0 };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const n = await triesTo(telemetry, cluster);
      if (n > state.count) {
        state.count = n;
        state.lastTryAt = performance.now();
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    state,
    async stop() {
      stopped = true;
      await loop;
      return state;
    },
  };
}
