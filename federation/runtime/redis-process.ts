import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** Options for a child `redis-server` owned by this process. */
export interface RedisProcessProps {
  /** Folder for the AOF/RDB files. */
  readonly dataDir: string;
  /** Port to listen on; a free one when omitted. */
  readonly port?: number;
  /** Keep data on disk (AOF, fsync every second). Default true. */
  readonly persist?: boolean;
  /** Path of the redis-server binary. */
  readonly binary?: string;
  /**
   * Require this password (AUTH) of every client. It goes into a 0600 config file in the data
   * folder, never onto the command line, where any local user could read it (ps, /proc).
   */
  readonly password?: string;
  /**
   * Run the server in a session of its own, so the SIGINT a terminal sends its foreground
   * process group on Ctrl-C does not reach it: its owner stops it, last, once nothing uses it.
   */
  readonly ownSession?: boolean;
}

/**
 * The settings fedgate recommends for its Redis: AOF persistence so desired state survives a
 * restart, and no eviction so the store and the queues are never silently dropped.
 */
export const RECOMMENDED_REDIS_ARGS = [
  '--appendonly',
  'yes',
  '--appendfsync',
  'everysec',
  '--maxmemory-policy',
  'noeviction',
];

/** A real `redis-server` child process on 127.0.0.1, restartable on the same port and data. */
export class RedisProcess {
  private child: ChildProcess | undefined;
  private portValue = 0;

  constructor(private readonly props: RedisProcessProps) {}

  /** The port it listens on (valid after start). */
  get port(): number {
    return this.portValue;
  }

  /** The redis:// URL clients connect to, with the password when one is required. */
  get url(): string {
    const auth = this.props.password ? `:${encodeURIComponent(this.props.password)}@` : '';
    return `redis://${auth}127.0.0.1:${this.portValue}`;
  }

  /** The process id of the running server, if any. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Starts the server and resolves once it answers PING. */
  async start(): Promise<void> {
    // The data (AOF, RDB) is the desired state, Secrets included: for the owner's eyes only.
    await mkdir(this.props.dataDir, { recursive: true, mode: 0o700 });
    await chmod(this.props.dataDir, 0o700);
    this.portValue ||= this.props.port ?? (await freePort());
    const persist = this.props.persist ?? true;
    const config = this.props.password ? [await this.writeConfig(this.props.password)] : [];
    const args = [
      ...config,
      '--port',
      String(this.portValue),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.props.dataDir,
      '--save',
      '',
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      '--loglevel',
      'warning',
      ...(persist ? RECOMMENDED_REDIS_ARGS : ['--appendonly', 'no', '--maxmemory-policy', 'noeviction']),
    ];
    // Through sh for `umask 077`: the files Redis creates (AOF, RDB) are then readable by the owner
    // only; `exec` keeps the pid, so signals reach redis-server itself.
    const child = spawn(
      '/bin/sh',
      ['-c', 'umask 077 && exec "$0" "$@"', this.props.binary ?? 'redis-server', ...args],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: this.props.ownSession ?? false },
    );
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err) =>
        reject(
          new Error(
            `cannot start redis-server (${err.message}); install it: apt-get install -y redis-server`,
          ),
        ),
      );
      child.once('exit', (code) =>
        reject(
          new Error(
            code === 127
              ? 'cannot start redis-server (not found); install it: apt-get install -y redis-server'
              : `redis-server exited with code ${code}: ${stderr.trim()}`,
          ),
        ),
      );
    });
    await Promise.race([waitForPing(this.portValue, 10_000, this.props.password), exited]);
    exited.catch(() => undefined);
  }

  private async writeConfig(password: string): Promise<string> {
    const file = join(this.props.dataDir, 'redis-auth.conf');
    await writeFile(file, `requirepass "${password.replace(/["\\]/g, '\\$&')}"\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return file;
  }

  /** Stops the server: SIGTERM (Redis flushes the AOF), SIGKILL when `hard`. */
  async stop(hard = false): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await done;
  }

  /** Stops and starts again on the same port and data folder. */
  async restart(hard = false): Promise<void> {
    await this.stop(hard);
    await this.start();
  }
}

async function waitForPing(port: number, timeoutMs: number, password?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ping(port, password)) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** PING in the Redis protocol (after AUTH when a password is given): true once +PONG comes back. */
function ping(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.setTimeout(500);
    const command = (...words: string[]) =>
      `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join('')}`;
    sock.once('connect', () => sock.write(`${password ? command('AUTH', password) : ''}${command('PING')}`));
    let answer = '';
    sock.on('data', (d) => {
      answer += d.toString();
      if (!answer.includes('PONG') && !answer.includes('-')) return;
      sock.destroy();
      resolve(answer.includes('+PONG'));
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}
