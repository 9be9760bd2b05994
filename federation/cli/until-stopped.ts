import closeWithGrace from 'close-with-grace';

/**
 * Keeps a long-running command (server, worker, up) in the foreground until SIGINT/SIGTERM or an
 * uncaught error, then runs `stop` (bounded by `graceMs`) and resolves. A second Ctrl-C, or a stop
 * that overruns, exits at once with status 1.
 */
export function untilStopped(
  stop: (why: { signal?: string; err?: Error }) => Promise<void>,
  graceMs = 10_000,
): Promise<void> {
  return new Promise((resolve) => {
    closeWithGrace({ delay: graceMs }, async ({ signal, err }) => {
      await stop({ ...(signal ? { signal } : {}), ...(err ? { err } : {}) });
      resolve();
    });
  });
}
