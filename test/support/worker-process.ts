import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Settings of a `fedgate worker` child process. */
export interface WorkerProcessProps {
  readonly redisUrl: string;
  readonly storePrefix: string;
  readonly queuePrefix: string;
  readonly extraArgs?: readonly string[];
}

/** A `fedgate worker` process run from source, as an operator would run it, so it can be SIGKILLed. */
export function spawnWorker(p: WorkerProcessProps): ChildProcess & { output: () => string } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'federation/cli/main.ts',
      'worker',
      '--store-prefix',
      p.storePrefix,
      '--queue-prefix',
      p.queuePrefix,
      '--probe-interval',
      '300',
      '--resync-interval',
      '3000',
      '--lock-duration',
      '2000',
      '--stalled-interval',
      '1000',
      ...(p.extraArgs ?? []),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        REDIS_URL: p.redisUrl,
        FEDGATE_LOG_LEVEL: process.env.FEDGATE_TEST_LOG ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return withOutput(child);
}

/** Collects a child's stdout and stderr so a test can read what it printed so far. */
export function withOutput(child: ChildProcess): ChildProcess & { output: () => string } {
  let out = '';
  const collect = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return Object.assign(child, { output: () => out });
}

/** Waits for a child to exit. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
