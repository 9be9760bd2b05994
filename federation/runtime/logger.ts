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
  return pino({ level, redact }, pino.destination(2));
}
