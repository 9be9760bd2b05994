/**
 * Launches the fault-injecting simulated fleet (fault-fleet-process.ts) in a child process for a
 * benchmark, and takes its clusters down and up through the fleet's control server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FaultFleetReady } from './fault-fleet-process.js';

/** A fleet with fault control running in a child process. */
export interface ChildFleet extends FaultFleetReady {
  /** Takes a cluster's API server down (connections refused) or brings it back. */
  down(cluster: string, isDown: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Starts bench/support/fault-fleet-process.ts with `node --import tsx` and waits until it listens. */
export async function startChildFleet(clusters: number, podReadyDelayMs: number): Promise<ChildFleet> {
  const script = fileURLToPath(new URL('./fault-fleet-process.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, String(clusters), String(podReadyDelayMs), '3'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const close = () => stopChild(child);
  try {
    const ready = await new Promise<FaultFleetReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fleet process did not start in time')), 60_000);
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as FaultFleetReady);
        } catch (err) {
          reject(new Error(`fleet process printed something else: ${line}`, { cause: err }));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`fleet process exited with code ${code}`));
      });
    });
    return {
      ...ready,
      close,
      async down(cluster, isDown) {
        const res = await fetch(`${ready.controlUrl}/clusters/${cluster}/faults`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
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

/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
