import { chmodSync, existsSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { API_LOG_REDACT_PATHS } from '../api/server.js';

/**
 * The process logger: JSON lines to stderr (or a file, readable by its owner only), with
 * credentials redacted everywhere.
 */
export function createLogger(opts: { level?: string; file?: string } = {}): Logger {
  const level = opts.level ?? process.env.FEDGATE_LOG_LEVEL ?? 'info';
  const redact = { paths: [...API_LOG_REDACT_PATHS], censor: '[redacted]' };
  if (opts.file) {
    // Logs name objects, clusters and errors: 0600, also for a file an earlier version made 0644.
    if (existsSync(opts.file)) chmodSync(opts.file, 0o600);
    return pino(
      { level, redact },
      pino.destination({ dest: opts.file, mkdir: true, sync: false, mode: 0o600 }),
    );
  }
  // Synchronous, as Node writes stderr itself. An asynchronous destination flushes what it still
  // holds when the process exits, and sonic-boom 4's flushSync retries a failed write forever:
  // with the reader of stderr gone (EPIPE: the supervisor was killed), the process never exits.
  // Synchronous writes report EPIPE at once, and pino then stops logging to the closed pipe.
  return pino({ level, redact }, pino.destination({ dest: 2, sync: true }));
}
