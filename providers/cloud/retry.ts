import { isProviderError, type ProviderError } from '../provider-error.js';

/** How a call is retried on throttling and transient failures. */
export interface RetryPolicy {
  /** Attempts including the first; default 5. */
  readonly maxAttempts?: number;
  /** First backoff, ms; doubles each attempt (full jitter); default 200. */
  readonly baseDelayMs?: number;
  /** Cap of one backoff, ms; default 10,000. */
  readonly maxDelayMs?: number;
  readonly signal?: AbortSignal;
  /** Random source in [0, 1), for tests. */
  readonly random?: () => number;
  /** Hears each retry before its wait. */
  readonly onRetry?: (info: {
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: ProviderError;
  }) => void;
}

/**
 * Runs `call` (which throws ProviderErrors), retrying retryable ones (throttled, unavailable,
 * internal) with exponential backoff and full jitter, never sooner than the provider's Retry-After.
 * A non-retryable error, or the last attempt's, is thrown as it is. Conflict is not retried here:
 * for cloud calls it means "exists" or "in use", which the caller decides about.
 */
export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  policy: RetryPolicy = {},
): Promise<T> {
  const maxAttempts = Math.max(1, policy.maxAttempts ?? 5);
  const base = policy.baseDelayMs ?? 200;
  const cap = policy.maxDelayMs ?? 10_000;
  const random = policy.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    policy.signal?.throwIfAborted();
    try {
      return await call(attempt);
    } catch (err) {
      if (!isRetryable(err) || attempt >= maxAttempts) throw err;
      const backoff = random() * Math.min(cap, base * 2 ** (attempt - 1));
      const delayMs = Math.max(backoff, err.retryAfterMs ?? 0);
      policy.onRetry?.({ attempt, delayMs, error: err });
      await sleep(delayMs, policy.signal);
    }
  }
}

function isRetryable(err: unknown): err is ProviderError {
  return isProviderError(err) && err.retryable && err.code !== 'Conflict';
}

/** Waits `ms`, rejecting with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
