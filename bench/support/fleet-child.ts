import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FleetMember, FleetReady } from './fleet-process.js';

/** A simulated fleet running in a child process. */
export interface ChildFleet {
  readonly clusters: readonly FleetMember[];
  readonly pid: number;
  /** The fleet's fault control server. */
  readonly controlUrl: string;
  /** Takes a cluster's API server down (connections refused) or brings it back. */
  down(cluster: string, isDown: boolean): Promise<void>;
  close(): Promise<void>;
}

/** The MemberCluster that registers a simulated cluster of the child fleet (by its server URL), with extra labels. */
export function memberClusterOf(c: FleetMember, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'MemberCluster',
    metadata: { name: c.name, labels: { ...c.labels, ...labels } },
    spec: {
      provider: c.provider,
      region: c.region,
      zone: c.zone,
      connection: { server: c.url, insecureSkipTLSVerify: true },
    },
  };
}

/** Options of the child fleet. */
export interface ChildFleetProps {
  readonly clusters: number;
  readonly podReadyDelayMs?: number;
  readonly nodesPerCluster?: number;
  /** Cluster name prefix. Default `bench`. */
  readonly prefix?: string;
  /** A process to stop should this one die without cleaning up (see fleet-process.ts). */
  readonly guardPid?: number;
  /** A folder to remove in that case. */
  readonly guardDir?: string;
  /** How long to wait for the clusters to listen. Default 60 s. */
  readonly timeoutMs?: number;
}

/** Starts bench/support/fleet-process.ts with `node --import tsx` and waits for its cluster list. */
export async function startChildFleet(props: ChildFleetProps): Promise<ChildFleet> {
  const script = fileURLToPath(new URL('./fleet-process.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      String(props.clusters),
      String(props.podReadyDelayMs ?? 50),
      String(props.nodesPerCluster ?? 20),
      props.prefix ?? 'bench',
      String(props.guardPid ?? 0),
      ...(props.guardDir ? [props.guardDir] : []),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const close = () => stopChild(child);
  try {
    const ready = await firstLine(child, props.timeoutMs ?? 60_000);
    return {
      ...ready,
      pid: child.pid ?? 0,
      close,
      async down(cluster, isDown) {
        const res = await fetch(`${ready.controlUrl}/clusters/${cluster}/faults`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ready.controlToken}` },
          body: JSON.stringify({ down: isDown }),
        });
        if (!res.ok) throw new Error(`fault control: HTTP ${res.status} ${await res.text()}`);
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<FleetReady> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fleet process did not start in time')), timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as FleetReady);
      } catch (err) {
        reject(
          new Error(`fleet process printed something else than its cluster list: ${line}`, { cause: err }),
        );
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fleet process exited with code ${code}`));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
