import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const TSX = fileURLToPath(import.meta.resolve('tsx'));
const LOGGER = fileURLToPath(new URL('../../../federation/runtime/logger.ts', import.meta.url));

/**
 * A process whose stderr reader is gone (its supervisor was killed) must still be able to exit. An
 * asynchronous pino destination flushed at exit retried the write that failed with EPIPE every
 * 100 ms, forever: a gateway of a killed `fedgate up` stayed alive for good.
 */
describe('the process logger', () => {
  it('lets the process exit when nobody reads its stderr any more', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        '--input-type=module',
        '-e',
        `const { createLogger } = await import(${JSON.stringify(LOGGER)});
         const log = createLogger();
         process.stdin.once('data', () => {
           for (let i = 0; i < 2000; i++) log.info({ i, pad: 'x'.repeat(200) }, 'a line nobody reads');
           process.exit(0);
         });
         process.stdout.write('ready\\n');`,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    try {
      await once(createInterface({ input: child.stdout! }), 'line');
      child.stderr!.destroy(); // the reader goes away, as when `fedgate up` is killed
      await new Promise((r) => setTimeout(r, 200));
      const exited = once(child, 'exit');
      child.stdin!.write('go\n');
      const outcome = await Promise.race([
        exited.then(([code]) => `exit ${String(code)}`),
        new Promise<string>((r) => setTimeout(() => r('still running 10 s after process.exit'), 10_000)),
      ]);
      expect(outcome).toBe('exit 0');
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
