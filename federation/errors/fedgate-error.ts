/** Stable error codes of the control plane, each with its HTTP status and whether a retry may help. */
export const ERROR_CODES = {
  Invalid: { status: 422, retryable: false },
  BadRequest: { status: 400, retryable: false },
  NotFound: { status: 404, retryable: false },
  AlreadyExists: { status: 409, retryable: false },
  Conflict: { status: 409, retryable: true },
  Unauthorized: { status: 401, retryable: false },
  Forbidden: { status: 403, retryable: false },
  PayloadTooLarge: { status: 413, retryable: false },
  UnsupportedMediaType: { status: 415, retryable: false },
  Throttled: { status: 429, retryable: true },
  Unavailable: { status: 503, retryable: true },
  Expired: { status: 410, retryable: false },
  Internal: { status: 500, retryable: true },
} as const;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** A problem with one field of an input, named by its path (e.g. `spec.replicaScheduling.weights[0].weight`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * The one error type of fedgate: a stable `code`, the HTTP status it maps to, whether retrying can
 * help, the offending fields when input was bad, and the underlying `cause`.
 */
export class FedgateError extends Error {
  override readonly name = 'FedgateError';
  readonly status: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields: readonly FieldIssue[] = [],
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = ERROR_CODES[code].status;
    this.retryable = options?.retryable ?? ERROR_CODES[code].retryable;
  }

  /** The JSON body the API answers with. */
  toJSON(): { code: ErrorCode; message: string; fields?: readonly FieldIssue[] } {
    return this.fields.length > 0
      ? { code: this.code, message: this.message, fields: this.fields }
      : { code: this.code, message: this.message };
  }
}

/** True when `err` is a FedgateError with the given code. */
export function isFedgateError(err: unknown, code?: ErrorCode): err is FedgateError {
  return err instanceof FedgateError && (code === undefined || err.code === code);
}

/** Shorthand for an `Invalid` error about a single field. */
export function invalidField(path: string, message: string): FedgateError {
  return new FedgateError('Invalid', `${path}: ${message}`, [{ path, message }]);
}
