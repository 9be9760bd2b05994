import { FedgateError, type FieldIssue } from '../errors/fedgate-error.js';

/** Exit codes of the `fedgate` CLI. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** A request failed: not found, conflict, server error, a wait that timed out… */
  failed: 1,
  /** Bad usage or invalid input: a wrong flag, unknown kind, bad YAML, or the API refused the input (400/403/413/415/422). */
  usage: 2,
  /** Cannot reach the API, or the CLI is not configured (no server/token, token refused). */
  unreachable: 3,
} as const;

/** The help text that documents the exit codes. */
export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  a request failed (not found, conflict, server error, --wait timed out)
  2  bad usage or invalid input (unknown kind, bad flag, YAML error, 400/403/413/415/422 from the API)
  3  cannot reach the API, or not configured (no server or token, token refused)`;

/** An error the CLI reports and exits with. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: number,
    message: string,
    readonly fields: readonly FieldIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Invalid input or usage (exit 2). */
export function usageError(message: string, fields: readonly FieldIssue[] = []): CliError {
  return new CliError(EXIT.usage, message, fields);
}

/** The exit code for an error answered by the API. */
export function exitCodeForApiError(err: FedgateError): number {
  switch (err.code) {
    case 'BadRequest':
    case 'Invalid':
    case 'Forbidden':
    case 'PayloadTooLarge':
    case 'UnsupportedMediaType':
      return EXIT.usage;
    case 'Unauthorized':
      return EXIT.unreachable;
    default:
      return EXIT.failed;
  }
}

/** Prints an error as `error: <message>` and one line per field, and gives the exit code. */
export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  let code: number = EXIT.failed;
  let message: string;
  let fields: readonly FieldIssue[] = [];
  if (err instanceof CliError) {
    code = err.exitCode;
    message = err.message;
    fields = err.fields;
  } else if (err instanceof FedgateError) {
    code = exitCodeForApiError(err);
    message = err.message;
    fields = err.fields;
  } else {
    message = err instanceof Error ? err.message : String(err);
  }
  if (message === '' && fields.length === 0) return code; // already reported
  const lines = [`error: ${message}`];
  for (const f of fields) lines.push(`  ${f.path}: ${f.message}`);
  stderr.write(`${lines.join('\n')}\n`);
  return code;
}
