import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ApiHarness, apiHarness } from '../api/harness.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MAIN = join(ROOT, 'federation', 'cli', 'main.ts');
/** tsx's loader by absolute URL, so the CLI can run from any working directory. */
const TSX = import.meta.resolve('tsx');

/** What one CLI run printed and how it exited. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one CLI run. */
export interface CliRunOptions {
  readonly env?: Record<string, string>;
  readonly input?: string;
  readonly cwd?: string;
}

/**
 * Runs `fedgate` from source (`node --import tsx federation/cli/main.ts`) as a child process,
 * asynchronously so the API server in this process keeps answering.
 */
export function runCli(args: readonly string[], opts: CliRunOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('FEDGATE_')) env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...env, NO_COLOR: '1', ...(opts.env ?? {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A listening API server and the environment that points the CLI at it. */
export interface CliHarness extends ApiHarness {
  readonly url: string;
  readonly env: Record<string, string>;
}

/** Starts an API server on 127.0.0.1:0 for CLI tests. */
export async function cliHarness(): Promise<CliHarness> {
  const h = await apiHarness();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  return Object.assign(h, {
    url,
    env: { FEDGATE_SERVER: url, FEDGATE_TOKEN: (await import('../api/harness.js')).TOKEN },
  });
}
