import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/wait-for.js';
import { exited, withOutput } from '../../support/worker-process.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MAIN = join(ROOT, 'federation', 'cli', 'main.ts');
const TSX = import.meta.resolve('tsx');

type UpChild = ChildProcess & { output: () => string };

/**
 * `fedgate up` as a terminal runs it: the leader of its own process group, so a Ctrl-C (SIGINT to
 * the whole group) can be reproduced with `kill -INT -PGID`.
 */
function startUp(cwd: string): UpChild {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('FEDGATE_') && k !== 'REDIS_URL') env[k] = v;
  }
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'up', '--port', '0', '--no-examples'], {
    cwd,
    env: { ...env, NO_COLOR: '1', FEDGATE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  return withOutput(child);
}

async function untilUp(child: UpChild): Promise<void> {
  await waitFor(
    'fedgate up to report it is up',
    () => {
      if (child.exitCode !== null) throw new Error(`fedgate up exited early:\n${child.output()}`);
      return child.output().includes('Ctrl-C stops everything');
    },
    120_000,
    100,
  );
}

/** Whether the process runs (an exited one its parent has not reaped yet, a zombie, does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const mode = async (p: string) => (await stat(p)).mode & 0o777;

/** The `fedgate gateway` processes a `fedgate up` with this state dir runs (found by their token files). */
function gatewaysOf(state: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('gateway\0--cluster') && cmd.includes(join(state, 'gateways')))
        pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

describe('fedgate up: a protected Redis and state, and Ctrl-C in a terminal', () => {
  let dir: string;
  let state: string;
  let child: UpChild | undefined;
  const leftovers: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedgate-up-signals-'));
    state = join(dir, '.fedgate');
  });
  afterEach(async () => {
    const c = child;
    child = undefined;
    if (c && c.exitCode === null && c.signalCode === null) {
      process.kill(-c.pid!, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-c.pid!, 'SIGKILL'), 20_000);
      await exited(c);
      clearTimeout(timer);
    }
  });
  afterAll(async () => {
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('starts redis-server with a password and keeps the state directory, logs and AOF private', async () => {
    child = startUp(dir);
    await untilUp(child);
    expect(child.output()).toMatch(/✓ redis-server on redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(password in /);

    const port = Number((await readFile(join(state, 'redis.port'), 'utf8')).trim());
    const password = (await readFile(join(state, 'redis.password'), 'utf8')).trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    // Another local user, without the password, is refused.
    const anonymous = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    anonymous.on('error', () => undefined);
    await anonymous.connect().catch(() => undefined);
    await expect(anonymous.get('anything')).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
    const owner = new Redis({ port, host: '127.0.0.1', password, maxRetriesPerRequest: 0 });
    expect(await owner.ping()).toBe('PONG');
    // The password is not on redis-server's command line, where `ps` would show it to anyone.
    const redisPid = Number((await readFile(join(state, 'redis.pid'), 'utf8')).trim());
    expect(await readFile(`/proc/${redisPid}/cmdline`, 'utf8')).not.toContain(password);
    owner.disconnect();

    expect(await mode(state)).toBe(0o700);
    for (const file of ['config.json', 'fedgate.log', 'kubeconfig', 'redis.password'])
      expect([file, await mode(join(state, file))]).toEqual([file, 0o600]);
    expect(await mode(join(state, 'redis'))).toBe(0o700);
    await waitFor('the AOF to exist', () => existsSync(join(state, 'redis', 'appendonlydir')), 20_000);
    const aofDir = join(state, 'redis', 'appendonlydir');
    expect(await mode(aofDir)).toBe(0o700);
    const { readdir } = await import('node:fs/promises');
    for (const f of await readdir(aofDir)) expect([f, await mode(join(aofDir, f))]).toEqual([f, 0o600]);
  }, 180_000);

  it('stops cleanly when Ctrl-C reaches its whole process group, and starts again cleanly', async () => {
    // The previous test left it running: Ctrl-C as a terminal sends it.
    const first = child ?? startUp(dir);
    child = first;
    await untilUp(first);
    const redisPid = Number((await readFile(join(state, 'redis.pid'), 'utf8')).trim());
    process.kill(-first.pid!, 'SIGINT');
    expect(await exited(first)).toBe(0);
    const out = first.output();
    expect(out).toContain('stopped.');
    expect(out).not.toMatch(/^\s+at /m); // no stack trace
    expect(out).not.toContain('ECONNREFUSED');
    expect(out).not.toContain('killed by timeout');
    expect(existsSync(join(state, 'up.pid'))).toBe(false);
    expect(alive(redisPid)).toBe(false);
    expect(gatewaysOf(state)).toEqual([]);

    child = startUp(dir);
    await untilUp(child);
    expect(child.output()).not.toMatch(/^\s+at /m);
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited(child)).toBe(0);
  }, 240_000);

  it('stops the redis-server a killed run left behind before starting its own', async () => {
    const killed = startUp(dir);
    child = killed;
    await untilUp(killed);
    const orphan = Number((await readFile(join(state, 'redis.pid'), 'utf8')).trim());
    leftovers.push(orphan);
    const gatewayPids = gatewaysOf(state);
    expect(gatewayPids).toHaveLength(7);
    killed.kill('SIGKILL'); // only fedgate: its redis-server lives in a session of its own
    await exited(killed);
    expect(alive(orphan)).toBe(true);
    // Its gateway processes notice their supervisor is gone (the IPC channel closes) and exit.
    await waitFor('no gateway process left', () => gatewayPids.every((pid) => !alive(pid)), 20_000, 100);

    child = startUp(dir);
    await untilUp(child);
    expect(alive(orphan)).toBe(false);
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited(child)).toBe(0);
  }, 240_000);
});
