/**
 * A simulated fleet in its own process, so the simulators' CPU is not charged to the control plane
 * measured by a benchmark. Started as
 * `node --import tsx bench/support/fleet-process.ts <clusters> <podReadyDelayMs> <nodesPerCluster> <prefix> [guardPid guardDir]`;
 * prints one JSON line `{"controlUrl", "clusters":[{name, provider, region, zone, labels, url}]}` on
 * stdout once every cluster listens, and stops when stdin closes (its parent exited) or on
 * SIGTERM/SIGINT. Faults: PUT {controlUrl}/clusters/{name}/faults {"down": true|false} with
 * `Authorization: Bearer {controlToken}`.
 * When the parent dies without cleaning up (SIGKILL), the stdin close also stops `guardPid` (the
 * parent's private redis-server) and removes `guardDir` (its data folder), so nothing the
 * benchmark started outlives it.
 */
import { rmSync } from 'node:fs';
import { startFleet, syntheticFleet } from '../../sim/fleet/index.js';

/** One cluster of the fleet as the parent receives it. */
export interface FleetMember {
  readonly name: string;
  readonly provider: 'aws' | 'gcp' | 'azure' | 'onprem';
  readonly region: string;
  readonly zone: string;
  readonly labels: Record<string, string>;
  readonly url: string;
}

/** The line the process prints once it listens. */
export interface FleetReady {
  readonly controlUrl: string;
  /** Bearer token of the control server. */
  readonly controlToken: string;
  readonly clusters: FleetMember[];
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? '20');
  const podReadyDelayMs = Number(process.argv[3] ?? '50');
  const nodesPerCluster = Number(process.argv[4] ?? '20');
  const prefix = process.argv[5] ?? 'bench';
  const guardPid = Number(process.argv[6] ?? '0');
  const guardDir = process.argv[7];
  // Nodes enough for every pod of a run; events off: they are load the benchmark does not measure.
  const fleet = await startFleet(syntheticFleet(count, { prefix, nodesPerCluster }), {
    podReadyDelayMs,
    events: false,
    controlPort: 0,
    // The benchmark's workers reach the clusters by URL alone, without a kubeconfig to carry tokens.
    clusterTokens: false,
  });
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await fleet.close().catch(() => undefined);
    process.exit(0);
  };
  const orphaned = () => {
    if (guardPid > 0) {
      try {
        process.kill(guardPid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (guardDir) rmSync(guardDir, { recursive: true, force: true });
    void stop();
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', orphaned);
  process.stdin.on('close', orphaned);
  process.stdin.resume();
  const clusters: FleetMember[] = fleet.members().map((c) => ({
    name: c.name,
    provider: c.provider,
    region: c.region,
    zone: c.zone,
    labels: c.labels,
    url: c.url,
  }));
  const ready: FleetReady = {
    controlUrl: fleet.controlUrl ?? '',
    controlToken: fleet.controlToken,
    clusters,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`fleet process failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
