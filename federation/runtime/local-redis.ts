import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, portIsFree } from './free-port.js';
import { privateSecret } from './private-files.js';
import { RedisProcess } from './redis-process.js';

/** The redis-server `fedgate up` runs for itself. */
export interface LocalRedis {
  /** redis://:PASSWORD@127.0.0.1:PORT */
  readonly url: string;
  readonly dataDir: string;
  /** The file holding the password (0600). */
  readonly passwordFile: string;
  stop(): Promise<void>;
}

/**
 * Starts the redis-server of `fedgate up` with its data under `stateDir/redis`: on the port of the
 * previous run when free (so the same URL keeps working), requiring the password kept in
 * `stateDir/redis.password` (0600, made on first use), and in a session of its own so a terminal's
 * Ctrl-C reaches only fedgate, which stops Redis last. A server left running by a previous run that
 * was killed (its pid in `redis.pid`) is stopped first: two servers must never share one AOF.
 */
export async function startLocalRedis(stateDir: string): Promise<LocalRedis> {
  const dataDir = join(stateDir, 'redis');
  const pidFile = join(stateDir, 'redis.pid');
  const passwordFile = join(stateDir, 'redis.password');
  await stopStaleRedis(pidFile);
  const password = await privateSecret(passwordFile, () => randomBytes(24).toString('base64url'));
  const redis = new RedisProcess({ dataDir, port: await savedPort(stateDir), password, ownSession: true });
  await redis.start();
  await writeFile(join(stateDir, 'redis.port'), `${redis.port}\n`);
  await writeFile(pidFile, `${redis.pid ?? ''}\n`);
  return {
    url: redis.url,
    dataDir,
    passwordFile,
    async stop() {
      await redis.stop();
      await rm(pidFile, { force: true });
    },
  };
}

/** Reuse the Redis port of the previous run when it is free, so the same URL keeps working. */
async function savedPort(stateDir: string): Promise<number> {
  const saved = Number((await readFile(join(stateDir, 'redis.port'), 'utf8').catch(() => '')).trim());
  if (!saved) return freePort();
  return (await portIsFree(saved)) ? saved : freePort();
}

/** Stops the redis-server a killed run left behind, if `pidFile` names a live one. */
async function stopStaleRedis(pidFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!pid || !(await isRedisServer(pid))) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function isRedisServer(pid: number): Promise<boolean> {
  if (!alive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('redis-server');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
