import type { RetryPolicy } from './config.js';

/**
 * Limits retries so that an outage does not multiply the load: a retry may start only while the
 * retries in flight stay under `budgetPercent` of the requests in flight (or under the minimum
 * concurrency). One budget per service, shared by every call to it.
 */
export class RetryBudget {
  private requests = 0;
  private retries = 0;

  /** A request to the service started; call `done()` when it ends. */
  requestStarted(): void {
    this.requests++;
  }

  /** A request ended. */
  requestDone(): void {
    this.requests--;
  }

  /** Requests in flight (for maxPendingRequests). */
  get pending(): number {
    return this.requests;
  }

  /** Takes a retry token if the budget allows; give it back with `retryDone()`. */
  tryRetry(policy: RetryPolicy): boolean {
    const allowed = Math.max(policy.minRetryConcurrency, (this.requests * policy.budgetPercent) / 100);
    if (this.retries >= allowed) return false;
    this.retries++;
    return true;
  }

  /** A retry ended. */
  retryDone(): void {
    this.retries--;
  }
}
