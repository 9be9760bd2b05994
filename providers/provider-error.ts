/** What went wrong talking to a provider, independent of the SDK that said it. */
export type ProviderErrorCode =
  | 'NotFound'
  | 'Conflict'
  | 'Throttled'
  | 'Unauthorized'
  | 'Quota'
  | 'Invalid'
  | 'Unavailable'
  | 'Internal';

const RETRYABLE: ReadonlySet<ProviderErrorCode> = new Set([
  'Conflict',
  'Throttled',
  'Unavailable',
  'Internal',
]);

/**
 * An SDK error translated at the adapter boundary: a stable code, whether retrying can help, how
 * long the provider asked us to wait, and the SDK's error as `cause`.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly retryable: boolean;

  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly options: { cause?: unknown; retryAfterMs?: number; httpStatus?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = RETRYABLE.has(code);
  }

  /** The delay the provider asked for (Retry-After), if any. */
  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}

/** True when `err` is a ProviderError, optionally of one code. */
export function isProviderError(err: unknown, code?: ProviderErrorCode): err is ProviderError {
  return err instanceof ProviderError && (code === undefined || err.code === code);
}
