import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberCluster } from '../api/harness.js';
import { type CliHarness, cliHarness } from './harness.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
/** What a clone holds that the CLI needs; never dist/, which only `npm run build` makes. */
const CHECKOUT = [
  'package.json',
  'tsconfig.json',
  'bin',
  'federation',
  'placement',
  'providers',
  'sim',
  'examples',
];

describe('bin/fedgate.js in a fresh checkout, before any build', () => {
  let clone: string;
  let h: CliHarness;
  beforeAll(async () => {
    clone = await mkdtemp(join(tmpdir(), 'fedgate-clone-'));
    for (const entry of CHECKOUT) await cp(join(ROOT, entry), join(clone, entry), { recursive: true });
    // As after `npm ci`: the dependencies are there, nothing is compiled.
    await symlink(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    h = await cliHarness();
    await h.store.apply(
      { type: 'MemberCluster.v1alpha1.fedgate.dev', namespace: '', name: 'aws-fresh' },
      memberCluster('aws-fresh'),
    );
  });
  afterAll(async () => {
    await h?.close();
    await rm(clone, { recursive: true, force: true });
  });

  const env = () => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FEDGATE_'))),
    ...h.env,
  });

  it('runs the CLI from the sources (node bin/fedgate.js and npx fedgate)', async () => {
    const version = await run(process.execPath, ['bin/fedgate.js', '--version'], { cwd: clone, env: env() });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const get = await run(process.execPath, ['bin/fedgate.js', 'get', 'clusters', '-o', 'name'], {
      cwd: clone,
      env: env(),
    });
    expect(get.stdout).toContain('aws-fresh');
    const npx = await run('npx', ['--no-install', 'fedgate', 'get', 'mc', 'aws-fresh', '-o', 'json'], {
      cwd: clone,
      env: env(),
    });
    expect((JSON.parse(npx.stdout) as { metadata: { name: string } }).metadata.name).toBe('aws-fresh');
  }, 120_000);
});
