/** Stable codes for bad input to the model; callers map them to HTTP 400 / CLI exit 2. */
export type CostModelErrorCode =
  | 'UNKNOWN_PROVIDER'
  | 'UNKNOWN_REGION'
  | 'UNKNOWN_LOCATION'
  | 'INVALID_COORDINATES'
  | 'INVALID_REQUESTS'
  | 'INVALID_OVERRIDE'
  | 'INVALID_INVENTORY'
  | 'INVALID_MODEL_DATA';

/** Bad input to the cost/latency model. Never retryable: the same input fails the same way. */
export class CostModelError extends Error {
  override readonly name = 'CostModelError';
  readonly retryable = false;

  constructor(
    readonly code: CostModelErrorCode,
    message: string,
    /** Dotted path of the offending field, when there is one (e.g. `overrides.compute.vcpuHour`). */
    readonly field?: string,
  ) {
    super(message);
  }
}
