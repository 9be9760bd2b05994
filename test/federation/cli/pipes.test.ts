import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, cliHarness } from './harness.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MAIN = join(ROOT, 'federation', 'cli', 'main.ts');
const TSX = import.meta.resolve('tsx');

/**
 * Runs the CLI with its stdout piped into a reader slower than the CLI writes (it pauses after
 * every chunk), as `fedgate get … | slow-consumer` would be.
 */
function runIntoSlowReader(
  args: readonly string[],
  env: Record<string, string>,
  opts: { stopAfterFirstChunk?: boolean } = {},
): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FEDGATE_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd: ROOT,
      env: { ...base, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      if (opts.stopAfterFirstChunk) {
        child.stdout.destroy(); // as `| head -c 100` does
        return;
      }
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 20);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(chunks), stderr }));
  });
}

describe('CLI output through a pipe', () => {
  let h: CliHarness;
  beforeAll(async () => {
    h = await cliHarness();
    // Eight ConfigMaps of 400 KB each: a list of ~3.2 MB, far more than a pipe buffers.
    for (let i = 0; i < 8; i++) {
      const object = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `big-${i}`, namespace: 'pipes' },
        data: { blob: `${i}`.repeat(400_000) },
      };
      await h.store.apply({ type: 'ConfigMap.v1', namespace: 'pipes', name: `big-${i}` }, object);
    }
  });
  afterAll(async () => {
    await h.close();
  });

  it('delivers a multi-MB list whole to a slow reader, and a single large object', async () => {
    const list = await runIntoSlowReader(['get', 'cm', '-n', 'pipes', '-o', 'json'], h.env);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout.length).toBeGreaterThan(3_200_000);
    const parsed = JSON.parse(list.stdout.toString('utf8')) as { items: { data: { blob: string } }[] };
    expect(parsed.items).toHaveLength(8);
    expect(parsed.items.map((i) => i.data.blob.length)).toEqual(Array(8).fill(400_000));

    const yaml = await runIntoSlowReader(['get', 'cm', 'big-3', '-n', 'pipes', '-o', 'yaml'], h.env);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout.toString('utf8')).toContain('3'.repeat(400_000));
  }, 120_000);

  it('stops quietly when the reader closes the pipe early', async () => {
    const cut = await runIntoSlowReader(['get', 'cm', '-n', 'pipes', '-o', 'json'], h.env, {
      stopAfterFirstChunk: true,
    });
    expect(cut.stderr).toBe('');
    expect(cut.code).toBe(0);
  }, 120_000);
});
