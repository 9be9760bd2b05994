/**
 * The fault switches every cloud simulator offers (EC2, GCE, ARM): throttle or fail the next n
 * requests, throttle a fraction of them, slow long-running operations down, and make the next ones
 * end in failure. Each simulator answers a fault in its provider's own error format; this holds
 * the settings, decides per request, and validates the control route's JSON body.
 */

/** The switches, as the conformance suite and tests use them. */
export interface CloudFaultSwitches {
  /** The next `n` API requests are throttled. */
  throttleNext(n: number): void;
  /** The next `n` API requests fail with the provider's 5xx. */
  failNext(n: number): void;
  /** Throttles this fraction (0..1) of requests from now on. */
  throttleRate(p: number): void;
  /** Long-running operations take this long before they complete. */
  operationDelayMs(ms: number): void;
  /** The next long-running operation ends in failure with this reason. */
  failNextOperation(reason: string): void;
  /** Clears every fault. */
  reset(): void;
}

/** What happens to one request. */
export type FaultVerdict = 'pass' | 'throttle' | 'fail';

/** The settings, as GET /_sim/faults reports them. */
export interface FaultSettings {
  throttleNext: number;
  failNext: number;
  throttleRate: number;
  operationDelayMs: number;
  pendingOperationFailures: number;
}

const NUMBER_FIELDS = ['throttleNext', 'failNext', 'throttleRate', 'operationDelayMs'] as const;
const KNOWN_FIELDS = new Set<string>([...NUMBER_FIELDS, 'failNextOperation', 'reset']);

/** Holds the settings and decides per request and per operation. */
export class FaultSwitches implements CloudFaultSwitches {
  #throttleNext = 0;
  #failNext = 0;
  #throttleRate = 0;
  #operationDelayMs: number;
  readonly #operationFailures: string[] = [];

  constructor(
    readonly defaultOperationDelayMs: number,
    private readonly random: () => number = Math.random,
  ) {
    this.#operationDelayMs = defaultOperationDelayMs;
  }

  throttleNext(n: number): void {
    this.#throttleNext = count(n);
  }
  failNext(n: number): void {
    this.#failNext = count(n);
  }
  throttleRate(p: number): void {
    this.#throttleRate = Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0));
  }
  operationDelayMs(ms: number): void {
    this.#operationDelayMs = Math.max(0, Number.isFinite(ms) ? ms : 0);
  }
  failNextOperation(reason: string): void {
    this.#operationFailures.push(reason);
  }
  reset(): void {
    this.#throttleNext = 0;
    this.#failNext = 0;
    this.#throttleRate = 0;
    this.#operationDelayMs = this.defaultOperationDelayMs;
    this.#operationFailures.length = 0;
  }

  /** The fate of the next API request (consumes one of the "next n"). */
  verdict(): FaultVerdict {
    if (this.#throttleNext > 0) {
      this.#throttleNext--;
      return 'throttle';
    }
    if (this.#failNext > 0) {
      this.#failNext--;
      return 'fail';
    }
    return this.#throttleRate > 0 && this.random() < this.#throttleRate ? 'throttle' : 'pass';
  }

  /** How long a long-running operation started now takes. */
  operationDelay(): number {
    return this.#operationDelayMs;
  }

  /** The failure reason for the next operation, if one was asked for (consumed). */
  takeOperationFailure(): string | undefined {
    return this.#operationFailures.shift();
  }

  /** A copy of the settings. */
  settings(): FaultSettings {
    return {
      throttleNext: this.#throttleNext,
      failNext: this.#failNext,
      throttleRate: this.#throttleRate,
      operationDelayMs: this.#operationDelayMs,
      pendingOperationFailures: this.#operationFailures.length,
    };
  }

  /**
   * Applies a control-route body (`{reset, throttleNext, failNext, throttleRate, operationDelayMs,
   * failNextOperation}`). Everything is checked first: a bad or unknown field throws the error
   * `invalid` builds (the simulator's own 400) and changes nothing.
   */
  apply(body: unknown, invalid: (field: string, why: string) => Error): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw invalid('body', 'expected a JSON object');
    const b = body as Record<string, unknown>;
    for (const k of Object.keys(b)) if (!KNOWN_FIELDS.has(k)) throw invalid(k, 'unknown fault');
    for (const k of NUMBER_FIELDS)
      if (b[k] !== undefined && (typeof b[k] !== 'number' || !Number.isFinite(b[k])))
        throw invalid(k, 'expected a number');
    if (b.failNextOperation !== undefined && typeof b.failNextOperation !== 'string')
      throw invalid('failNextOperation', 'expected a string');
    if (b.reset !== undefined && typeof b.reset !== 'boolean') throw invalid('reset', 'expected a boolean');
    if (b.reset === true) this.reset();
    if (typeof b.throttleNext === 'number') this.throttleNext(b.throttleNext);
    if (typeof b.failNext === 'number') this.failNext(b.failNext);
    if (typeof b.throttleRate === 'number') this.throttleRate(b.throttleRate);
    if (typeof b.operationDelayMs === 'number') this.operationDelayMs(b.operationDelayMs);
    if (typeof b.failNextOperation === 'string') this.failNextOperation(b.failNextOperation);
  }
}

function count(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0;
}
