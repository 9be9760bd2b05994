/**
 * What every benchmark does around its measurement: a header line, a private redis-server in a
 * temporary folder, and a clean-up that stops everything started, in reverse order, once — on
 * success, on error and on Ctrl-C — giving up on a step that hangs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisProcess } from '../../federation/runtime/redis-process.js';

export const say = (line: string) => process.stderr.write(`${line}\n`);

const STEP_TIMEOUT_MS = 5_000;
const stops: (() => Promise<unknown>)[] = [];
let stopping: Promise<void> | undefined;

/** Registers something to stop at the end (stopped in reverse order of registration). */
export function onCleanUp(stop: () => Promise<unknown>): void {
  stops.push(stop);
}

/** True once clean-up has begun (errors from then on are the benchmark being torn down). */
export function isStopping(): boolean {
  return stopping !== undefined;
}

/** Stops everything registered, once; a step that takes over 5 s is given up. */
export function cleanUp(): Promise<void> {
  stopping ??= (async () => {
    for (const stop of stops.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          say('cleanup: a step did not finish in time; going on');
          resolve();
        }, STEP_TIMEOUT_MS);
      });
      await Promise.race([stop().catch((err: unknown) => say(`cleanup: ${String(err)}`)), timeout]);
      clearTimeout(timer);
    }
  })();
  return stopping;
}

// `on`, not `once`: tsx exits at once on a signal nobody listens to, and Ctrl-C may come twice.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    say(`\n${sig}: stopping everything`);
    void cleanUp().then(() => process.exit(130));
  });
}

/** Prints the header, starts a private redis-server without persistence, and registers its clean-up. */
export async function startBench(name: string): Promise<{ redis: RedisProcess; dir: string }> {
  say(
    `fedgate ${name} bench: node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = await mkdtemp(join(tmpdir(), `fedgate-${name}-`));
  onCleanUp(() => rm(dir, { recursive: true, force: true }));
  const redis = new RedisProcess({ dataDir: dir, persist: false });
  await redis.start();
  onCleanUp(() => redis.stop());
  return { redis, dir };
}

/** Runs the benchmark's main, cleans up, and reports a failure (not one caused by Ctrl-C). */
export function runBench(name: string, main: () => Promise<void>): void {
  main()
    .then(() => cleanUp())
    .catch(async (err: unknown) => {
      if (!isStopping()) say(`${name} bench failed: ${(err as Error).stack ?? String(err)}`);
      await cleanUp();
      process.exitCode = 1;
    });
}
