import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueueErrorReporter } from '../../../federation/queue/error-reports.js';
import { kubernetesClientFactory } from '../../../federation/runtime/kube-client-factory.js';
import { RedisProcess } from '../../../federation/runtime/redis-process.js';
import { type ControlPlaneWorker, startWorker } from '../../../federation/runtime/worker.js';

/** A logger whose lines are kept, parsed. */
function recordingLog() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { log, lines };
}

const OUTAGE = 'Redis unreachable for the job queues; BullMQ reconnects, jobs wait';
const refused = () => new Error('connect ECONNREFUSED 127.0.0.1:6390');

describe('QueueErrorReporter', () => {
  it('logs a Redis outage once, whichever queue or worker reports it, and the next outage again', () => {
    const { log, lines } = recordingLog();
    let now = 1_000;
    const r = new QueueErrorReporter({ log, quietMs: 5_000, now: () => now });
    for (let i = 0; i < 50; i++) {
      r.report(refused(), { queue: i % 2 ? 'placement' : 'propagation', role: i % 3 ? 'worker' : 'queue' });
      now += 200; // reconnects every 200 ms: the outage goes on
    }
    expect(lines.filter((l) => l.msg === OUTAGE)).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      queue: 'propagation',
      role: 'queue',
      err: refused().message,
    });
    now += 5_000; // quiet for quietMs: over
    r.report(refused(), { queue: 'placement', role: 'worker' });
    expect(lines.filter((l) => l.msg === OUTAGE)).toHaveLength(2);
    expect(lines[1]).toMatchObject({ suppressedLastOutage: 49 });
  });

  it('logs any other error once per message per period, then with how many were left out', () => {
    const { log, lines } = recordingLog();
    let now = 0;
    const r = new QueueErrorReporter({ log, repeatMs: 10_000, now: () => now });
    const src = { queue: 'propagation', role: 'worker' } as const;
    for (let i = 0; i < 5; i++) r.report(new Error('Missing lock for job x'), src);
    r.report(new Error('something else'), src);
    expect(lines.map((l) => l.msg)).toEqual(['queue error', 'queue error']);
    now += 10_000;
    r.report(new Error('Missing lock for job x'), src);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ level: 50, err: 'Missing lock for job x', repeated: 4 });
  });
});

describe('a worker while its Redis is killed', () => {
  let dir: string | undefined;
  let redis: RedisProcess | undefined;
  let worker: ControlPlaneWorker | undefined;
  afterEach(async () => {
    await worker?.close();
    await redis?.stop(true);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('logs the outage once through its logger: no unhandled error, nothing on the console', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedgate-queue-errors-'));
    redis = new RedisProcess({ dataDir: dir, persist: false });
    await redis.start();
    const { log, lines } = recordingLog();
    worker = await startWorker({
      redisUrl: redis.url,
      clientFactory: kubernetesClientFactory(),
      log,
      probeIntervalMs: 60_000,
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await redis.stop(true);
      // Long enough for every connection (queues' producer, workers' blocking ones) to fail reconnects several times.
      await new Promise((r) => setTimeout(r, 5_000));
      // A producer's command fails too while Redis is away (the queue emits its connection's error).
      await worker.queues.placement.getJobCounts('wait').catch(() => undefined);
      expect(unhandled).toEqual([]);
      expect(consoleError).not.toHaveBeenCalled();
      const outage = lines.filter((l) => l.msg === OUTAGE);
      expect(outage).toHaveLength(1);
      expect(outage[0]!.err).toMatch(/ECONNREFUSED|ECONNRESET|EPIPE|Connection is closed/);
      expect(lines.filter((l) => l.msg === 'queue error')).toEqual([]);
    } finally {
      // Redis back: the worker goes on (and closes).
      if (redis.pid === undefined) await redis.start();
      consoleError.mockRestore();
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUnhandled);
    }
  }, 60_000);
});
