import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../federation/runtime/free-port.js';
import { RedisProcess } from '../../federation/runtime/redis-process.js';
import { waitFor } from './wait-for.js';

/** The name the Sentinels know the primary by. */
export const PRIMARY_NAME = 'fedgate';

/**
 * A real Sentinel-managed Redis on 127.0.0.1: a primary, one replica and three `redis-sentinel`
 * processes (quorum 2) that fail over within seconds of the primary going down.
 */
export class SentinelTopology {
  readonly primary: RedisProcess;
  readonly replica: RedisProcess;
  private readonly sentinels: ChildProcess[] = [];
  private readonly sentinelPorts: number[] = [];

  constructor(private readonly dir: string) {
    this.primary = new RedisProcess({ dataDir: join(dir, 'primary'), persist: true });
    this.replica = new RedisProcess({ dataDir: join(dir, 'replica'), persist: true });
  }

  /** The `redis+sentinel://` URL of the primary. */
  get url(): string {
    return `redis+sentinel://${this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${PRIMARY_NAME}`;
  }

  /** Starts everything and resolves once the replica is in sync and every Sentinel knows the others. */
  async start(): Promise<void> {
    await this.primary.start();
    await this.replica.start();
    const replica = new Redis(this.replica.port, '127.0.0.1');
    try {
      await replica.replicaof('127.0.0.1', this.primary.port);
      await waitFor(
        'the replica in sync',
        async () => /master_link_status:up/.test(await replica.info('replication')),
        30_000,
        100,
      );
    } finally {
      replica.disconnect();
    }
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = join(this.dir, `sentinel-${i}`);
      await mkdir(dir, { recursive: true });
      const conf = join(dir, 'sentinel.conf');
      await writeFile(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${PRIMARY_NAME} 127.0.0.1 ${this.primary.port} 2`,
          `sentinel down-after-milliseconds ${PRIMARY_NAME} 1000`,
          `sentinel failover-timeout ${PRIMARY_NAME} 5000`,
          `sentinel parallel-syncs ${PRIMARY_NAME} 1`,
          '',
        ].join('\n'),
      );
      const child = spawn('redis-sentinel', [conf, '--loglevel', 'warning'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.once('error', (err) => {
        throw new Error(
          `cannot start redis-sentinel (${err.message}); install it: apt-get install -y redis-sentinel`,
        );
      });
      this.sentinels.push(child);
      this.sentinelPorts.push(port);
    }
    await waitFor(
      'every Sentinel to know the replica and the two other Sentinels',
      async () => {
        for (const port of this.sentinelPorts) {
          const m = await this.sentinelMaster(port);
          if (m['num-slaves'] !== '1' || m['num-other-sentinels'] !== '2') return false;
        }
        return true;
      },
      30_000,
      200,
    );
  }

  /** The port the Sentinels currently name as the primary's. */
  async primaryPort(): Promise<number> {
    const s = new Redis(this.sentinelPorts[0]!, '127.0.0.1');
    try {
      const [, port] = (await s.call('SENTINEL', 'get-master-addr-by-name', PRIMARY_NAME)) as [
        string,
        string,
      ];
      return Number(port);
    } finally {
      s.disconnect();
    }
  }

  /** Stops the Sentinels and both servers. */
  async stop(): Promise<void> {
    await Promise.all(
      this.sentinels.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    await this.primary.stop();
    await this.replica.stop();
  }

  private async sentinelMaster(port: number): Promise<Record<string, string>> {
    const s = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    s.on('error', () => undefined);
    try {
      const flat = (await s.call('SENTINEL', 'master', PRIMARY_NAME)) as string[];
      const out: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
      return out;
    } finally {
      s.disconnect();
    }
  }
}
