/**
 * A simulated fleet with its fault control server, in its own process, so the simulators' CPU is
 * not charged to the control plane a benchmark measures, and a cluster can be taken down while the
 * others keep serving. Started as
 *   node --import tsx bench/support/fault-fleet-process.ts <clusters> <podReadyDelayMs> <nodesPerCluster>
 * prints one JSON line `{"controlUrl", "clusters":[{name, provider, region, zone, labels, url}]}`
 * once everything listens, and stops when stdin closes (its parent exited) or on SIGTERM/SIGINT.
 * Faults: PUT {controlUrl}/clusters/{name}/faults {"down": true|false}.
 */
import { startFleet, syntheticFleet } from '../../sim/fleet/index.js';

/** One cluster of the fleet as the parent receives it. */
export interface FaultFleetMember {
  readonly name: string;
  readonly provider: 'aws' | 'gcp' | 'azure' | 'onprem';
  readonly region: string;
  readonly zone: string;
  readonly labels: Record<string, string>;
  readonly url: string;
}

/** The line the process prints once it listens. */
export interface FaultFleetReady {
  readonly controlUrl: string;
  readonly clusters: FaultFleetMember[];
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? '6');
  const podReadyDelayMs = Number(process.argv[3] ?? '50');
  const nodesPerCluster = Number(process.argv[4] ?? '3');
  const fleet = await startFleet(syntheticFleet(count, { prefix: 'fo', nodesPerCluster }), {
    podReadyDelayMs,
    events: false,
    controlPort: 0,
  });
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await fleet.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
  const ready: FaultFleetReady = {
    controlUrl: fleet.controlUrl ?? '',
    clusters: fleet.members().map((c) => ({
      name: c.name,
      provider: c.provider,
      region: c.region,
      zone: c.zone,
      labels: c.labels,
      url: c.url,
    })),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`fault fleet process failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
