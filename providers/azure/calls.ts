/**
 * How the Azure adapter makes a call: translated errors, retries with backoff (withRetry is the one
 * retry layer; the SDK pipelines are built with maxRetries 0), cancellation, and long-running
 * operations waited out through the SDK's own pollers with a bounded, cancellable wait.
 */
import type { CallOptions, WaitOptions } from '../cloud/adapter.js';
import type { AdapterLogger } from '../cloud/registry.js';
import { withRetry } from '../cloud/retry.js';
import { isProviderError, ProviderError } from '../provider-error.js';
import { operationFailure, translateAzureError } from './translate-error.js';

/** What the SDK pollers of both generations offer. */
export interface SdkPoller<T> {
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<T>;
  onProgress?(callback: (state: { status: string }) => void): unknown;
}

/** Options every SDK operation takes. */
export interface SdkCallOptions {
  abortSignal?: AbortSignal;
  updateIntervalInMs?: number;
}

/** A failed operation is Azure's answer, not a transient failure: carried through withRetry unretried. */
class FinalAnswer extends Error {
  constructor(readonly error: ProviderError) {
    super(error.message);
  }
}

/** Runs SDK calls for one adapter. */
export class AzureCalls {
  constructor(
    private readonly policy: {
      readonly maxAttempts: number;
      readonly pollIntervalMs: number;
      readonly defaultTimeoutMs: number;
      readonly logger?: AdapterLogger;
      /** Resolves once no request is on the wire: a cancelled wait returns only then. */
      readonly settle?: () => Promise<void>;
    },
  ) {}

  /** One call, retried while Azure throttles or fails transiently. */
  async call<T>(what: string, fn: (sdk: SdkCallOptions) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await fn(opts.signal ? { abortSignal: opts.signal } : {});
        } catch (err) {
          opts.signal?.throwIfAborted();
          throw translateAzureError(err, what);
        }
      },
      {
        maxAttempts: this.policy.maxAttempts,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onRetry: (r) => this.#logRetry(what, r),
      },
    );
  }

  /** A GET that answers undefined when the resource does not exist. */
  async find<T>(
    what: string,
    fn: (sdk: SdkCallOptions) => Promise<T>,
    opts: CallOptions = {},
  ): Promise<T | undefined> {
    try {
      return await this.call(what, fn, opts);
    } catch (err) {
      if (isProviderError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  /**
   * A long-running operation: `start` sends the first request and returns the SDK's poller, which
   * polls the Azure-AsyncOperation / Location monitors (honouring Retry-After) until done. A
   * transient error anywhere starts over (the PUT or DELETE is idempotent); an operation that ends
   * Failed is thrown as Azure's answer. Bounded by `timeoutMs`, cancelled by `signal`.
   */
  async wait<T>(
    what: string,
    start: (sdk: SdkCallOptions) => Promise<SdkPoller<T>>,
    opts: WaitOptions = {},
  ): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? this.policy.defaultTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const sdk: SdkCallOptions = { abortSignal: signal, updateIntervalInMs: this.policy.pollIntervalMs };
    try {
      return await withRetry(
        async () => {
          try {
            const poller = await start(sdk);
            poller.onProgress?.((state) => opts.onProgress?.({ state: state.status }));
            return await poller.pollUntilDone({ abortSignal: signal });
          } catch (err) {
            signal.throwIfAborted();
            const failed = operationFailure(err, what);
            // A known transient reason starts over like any transient error; any other is the answer.
            if (failed) throw failed.retryable ? failed : new FinalAnswer(failed);
            throw translateAzureError(err, what);
          }
        },
        { maxAttempts: this.policy.maxAttempts, signal, onRetry: (r) => this.#logRetry(what, r) },
      );
    } catch (err) {
      if (err instanceof FinalAnswer) throw err.error;
      if (signal.aborted) await this.policy.settle?.();
      opts.signal?.throwIfAborted();
      if (timeout.aborted)
        throw new ProviderError('Unavailable', `timed out after ${timeoutMs} ms waiting for ${what}`, {
          provider: 'azure',
        });
      throw err;
    }
  }

  /** A long-running delete; a resource (or parent) that is already gone counts as deleted. */
  async remove(
    what: string,
    start: (sdk: SdkCallOptions) => Promise<SdkPoller<unknown>>,
    opts: WaitOptions = {},
  ): Promise<void> {
    try {
      await this.wait(what, start, opts);
    } catch (err) {
      if (!isProviderError(err, 'NotFound')) throw err;
    }
  }

  #logRetry(what: string, r: { attempt: number; delayMs: number; error: ProviderError }): void {
    this.policy.logger?.warn(
      {
        provider: 'azure',
        operation: what,
        attempt: r.attempt,
        delayMs: Math.round(r.delayMs),
        code: r.error.code,
        providerCode: r.error.providerCode,
      },
      'azure call failed transiently; retrying',
    );
  }
}
