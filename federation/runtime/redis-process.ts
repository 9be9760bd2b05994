import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
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

  /** The redis:// URL clients connect to. */
  get url(): string {
    return `redis://127.0.0.1:${this.portValue}`;
  }

  /** Starts the server and resolves once it answers PING. */
  async start(): Promise<void> {
    await mkdir(this.props.dataDir, { recursive: true });
    this.portValue ||= this.props.port ?? (await freePort());
    const persist = this.props.persist ?? true;
    const args = [
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
    const child = spawn(this.props.binary ?? 'redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
        reject(new Error(`redis-server exited with code ${code}: ${stderr.trim()}`)),
      );
    });
    await Promise.race([waitForPing(this.portValue, 10_000), exited]);
    exited.catch(() => undefined);
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

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.setTimeout(500);
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => {
      sock.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}
