import pino, { type Logger } from 'pino';
import { API_LOG_REDACT_PATHS } from '../api/server.js';

/** The process logger: JSON lines to stderr (or a file), with credentials redacted everywhere. */
export function createLogger(opts: { level?: string; file?: string } = {}): Logger {
  const level = opts.level ?? process.env.FEDGATE_LOG_LEVEL ?? 'info';
  const redact = { paths: [...API_LOG_REDACT_PATHS], censor: '[redacted]' };
  if (opts.file)
    return pino({ level, redact }, pino.destination({ dest: opts.file, mkdir: true, sync: false }));
  return pino({ level, redact }, pino.destination(2));
}
