import { ProviderError } from '../provider-error.js';
import { sleep } from './retry.js';

/** What one look at a long-running thing found. */
export type PollResult<T> =
  | { readonly done: true; readonly value: T }
  | {
      readonly done: false;
      /** The provider's state words, for progress and for the timeout's message. */
      readonly state: string;
      readonly percent?: number;
      /** The provider asked to wait this long before the next look (Retry-After). */
      readonly retryAfterMs?: number;
    };

/** How long and how often to poll. */
export interface PollOptions {
  /** Interval between looks, ms; grows ×1.5 per look up to `maxIntervalMs`. Default 1,000. */
  readonly intervalMs?: number;
  readonly maxIntervalMs?: number;
  /** Give up after this long, ms; default 10 minutes. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { readonly percent?: number; readonly state: string }) => void;
  /** Names what is awaited, for the timeout's message. */
  readonly what: string;
}

/**
 * Polls `look` until it reports done, bounded in time and cancellable, waiting at least what the
 * provider asked (Retry-After). A look that throws ends the poll with that error (wrap `look` in
 * withRetry for transient errors). On timeout throws ProviderError `Unavailable` naming the last state.
 */
export async function pollUntil<T>(look: () => Promise<PollResult<T>>, opts: PollOptions): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  let interval = opts.intervalMs ?? 1_000;
  const maxInterval = opts.maxIntervalMs ?? Math.max(interval, 15_000);
  for (;;) {
    opts.signal?.throwIfAborted();
    const result = await look();
    if (result.done) return result.value;
    opts.onProgress?.({
      state: result.state,
      ...(result.percent === undefined ? {} : { percent: result.percent }),
    });
    const wait = Math.max(interval, result.retryAfterMs ?? 0);
    if (Date.now() + wait > deadline)
      throw new ProviderError(
        'Unavailable',
        `timed out waiting for ${opts.what} (last state: ${result.state})`,
      );
    await sleep(wait, opts.signal);
    interval = Math.min(maxInterval, interval * 1.5);
  }
}
