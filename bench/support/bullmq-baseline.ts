import { performance } from 'node:perf_hooks';
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import { DEFAULT_JOB_OPTIONS } from '../../federation/queue/queues.js';
import { connectRedis, redisOptions } from '../../federation/runtime/redis-connection.js';
import { commandCalls, redisCpuSeconds } from './redis-stats.js';

/** One queue of the baseline: its share of the jobs and its worker concurrency. */
export interface BaselineQueue {
  readonly name: string;
  readonly jobs: number;
  readonly concurrency: number;
  /** What each job does (default nothing); job `i` of the queue gets data `{ index: i }`. */
  readonly process?: (index: number) => Promise<unknown>;
}

/** What the baseline measured. */
export interface BaselineResult {
  readonly jobs: number;
  readonly seconds: number;
  readonly jobsPerSecond: number;
  /** CPU time of this process per job while draining, in ms. */
  readonly cpuMsPerJob: number;
  /** Redis commands from filling the queues to the last completion (INFO commandstats, scripts' inner calls included). */
  readonly redisCommands: number;
  /** CPU seconds redis-server used over the same span. */
  readonly redisCpuSeconds: number;
}

/**
 * Raw BullMQ with a no-op processor and fedgate's settings: the producer on a connection opened
 * like the store's, workers on blocking connection options, the same prefix style, job options,
 * lock settings and concurrency. The queues are filled with addBulk first, then `workers` workers
 * (each with one BullMQ Worker per queue, as a fedgate worker has) drain them; the rate is jobs
 * completed over the time from the workers' start to the last completion.
 */
export async function bullmqBaseline(
  redisUrl: string,
  queues: readonly BaselineQueue[],
  workers: number,
): Promise<BaselineResult> {
  const prefix = '{bench}';
  const producer = connectRedis(redisUrl);
  const opened = queues.map(
    (q) => new Queue(q.name, { connection: producer, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
  );
  const running: Worker[] = [];
  try {
    const sum = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const commandsBefore = sum(await commandCalls(producer));
    const redisCpuBefore = await redisCpuSeconds(producer);
    for (const [i, q] of queues.entries()) {
      for (let n = 0; n < q.jobs; n += 1_000) {
        const count = Math.min(1_000, q.jobs - n);
        await opened[i]!.addBulk(
          Array.from({ length: count }, (_, j) => ({
            name: 'noop',
            data: { namespace: 'bench', binding: `t${n + j}-deployment`, cluster: 'c', index: n + j },
            opts: { jobId: `bench/t${n + j}@c1g1` },
          })),
        );
      }
    }
    const total = queues.reduce((s, q) => s + q.jobs, 0);
    let done = 0;
    let started = 0;
    let ended = 0;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    for (let w = 0; w < workers; w++) {
      for (const q of queues) {
        const work = q.process;
        const processor = work
          ? async (job: Job<{ index: number }>) => work(job.data.index)
          : async () => undefined;
        const worker = new Worker(q.name, processor, {
          connection: redisOptions(redisUrl, true) as ConnectionOptions,
          prefix,
          concurrency: q.concurrency,
          lockDuration: 30_000,
          stalledInterval: 15_000,
          maxStalledCount: 5,
          autorun: false,
        });
        worker.on('completed', () => {
          done++;
          if (done === total) {
            ended = performance.now();
            finish();
          }
        });
        running.push(worker);
      }
    }
    // Connections are made before the clock starts: the rate is the drain rate alone.
    await Promise.all(running.map((w) => w.waitUntilReady()));
    started = performance.now();
    const cpu = process.cpuUsage();
    for (const w of running) void w.run();
    await finished;
    const used = process.cpuUsage(cpu);
    const seconds = (ended - started) / 1000;
    // Two INFO commands of this measurement are counted too: next to nothing beside the jobs'.
    const redisCommands = sum(await commandCalls(producer)) - commandsBefore;
    return {
      jobs: total,
      seconds,
      jobsPerSecond: total / seconds,
      cpuMsPerJob: (used.user + used.system) / 1000 / total,
      redisCommands,
      redisCpuSeconds: (await redisCpuSeconds(producer)) - redisCpuBefore,
    };
  } finally {
    await Promise.all(running.map((w) => w.close()));
    await Promise.all(opened.map((q) => q.obliterate({ force: true }).then(() => q.close())));
    producer.disconnect();
  }
}
