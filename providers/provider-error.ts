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

/** What a ProviderError carries besides its code and message. */
export interface ProviderErrorOptions {
  readonly cause?: unknown;
  /** The delay the provider asked for (Retry-After, or a throttling hint), in ms. */
  readonly retryAfterMs?: number;
  readonly httpStatus?: number;
  /** The provider's own error code, kept as it said it (`InvalidVpcID.NotFound`, `RESOURCE_NOT_FOUND`, `ResourceNotFound`). */
  readonly providerCode?: string;
  /** Which provider said it (`aws`, `gcp`, `azure`, `onprem`, `kubernetes`). */
  readonly provider?: string;
  /**
   * Overrides whether retrying can help, when the provider's code says more than the class does (a
   * failed operation with an unknown reason is `Internal` but not worth repeating).
   */
  readonly retryable?: boolean;
}

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
    readonly options: ProviderErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? RETRYABLE.has(code);
  }

  /** The provider's own error code, if it gave one. */
  get providerCode(): string | undefined {
    return this.options.providerCode;
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
