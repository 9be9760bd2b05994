/**
 * Translates what the Azure SDKs throw into ProviderErrors: a RestError by HTTP status and ARM
 * error code (keeping both and the ARM message), a long-running operation that ended Failed or
 * Canceled by the `{code, message}` the SDK folds into its message, anything else as Unavailable.
 */
import { ProviderError, type ProviderErrorCode } from '../provider-error.js';

const QUOTA_CODES = new Set([
  'QuotaExceeded',
  'SubscriptionQuotaExceeded',
  'OperationNotAllowedQuota',
  'ResourceQuotaExceeded',
]);
const CONFLICT_CODES = new Set([
  'InUseSubnetCannotBeDeleted',
  'InUseRouteTableCannotBeDeleted',
  'ReferencedResourceCannotBeDeleted',
  'PublicIPAddressInUse',
  'AnotherOperationInProgress',
  'OperationNotAllowed',
  'Conflict',
]);

/**
 * Reasons a long-running operation ends Failed with that Azure documents as passing (its own
 * transient faults, throttling, a concurrent operation on the resource): worth starting again.
 * Any other reason, known or not, is Azure's answer about this request and is not retried.
 */
const TRANSIENT_OPERATION_CODES = new Set([
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'ServerBusy',
  'ServerTimeout',
  'GatewayTimeout',
  'TooManyRequests',
  'RetryableError',
  'OperationPreempted',
  'NetworkingInternalOperationError',
  'VmssGatewayDeploymentFailed',
  'AnotherOperationInProgress',
]);

/** What the Azure SDKs' RestError carries (matched by shape: core-rest-pipeline is not a direct dependency). */
interface RestErrorLike extends Error {
  readonly statusCode?: number;
  readonly code?: string;
  readonly details?: unknown;
  readonly response?: {
    readonly headers: { get(name: string): string | undefined };
    readonly bodyAsText?: string | null;
  };
}

/** ARM's own message: the paging helpers of the modular SDK replace it with a generic one. */
function armMessage(err: RestErrorLike): string {
  const fromDetails = (err.details as { error?: { message?: unknown } } | undefined)?.error?.message;
  if (typeof fromDetails === 'string') return fromDetails;
  try {
    const body = JSON.parse(err.response?.bodyAsText ?? '') as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: keep the SDK's message
  }
  return err.message;
}

/**
 * The SDK error stripped to what is safe to keep: a RestError holds the request, whose headers
 * carry the bearer token and whose body may carry a VPN shared key.
 */
function safeCause(err: RestErrorLike, message: string): Error {
  return Object.assign(new Error(message), { name: 'RestError', code: err.code, statusCode: err.statusCode });
}

function isRestError(err: unknown): err is RestErrorLike {
  return err instanceof Error && err.name === 'RestError';
}

/** The ProviderError code for an HTTP status and ARM error code. */
export function codeFor(status: number | undefined, armCode: string | undefined): ProviderErrorCode {
  if (armCode && QUOTA_CODES.has(armCode)) return 'Quota';
  if (status === 401 || status === 403) return 'Unauthorized';
  if (status === 404) return 'NotFound';
  if (status === 429) return 'Throttled';
  if (armCode && CONFLICT_CODES.has(armCode)) return 'Conflict';
  if (status === 409) return 'Conflict';
  if (status !== undefined && status >= 400 && status < 500) return 'Invalid';
  if (status === 500) return 'Internal';
  return 'Unavailable';
}

/** Translates an SDK error met while doing `what`. */
export function translateAzureError(err: unknown, what: string): ProviderError {
  if (err instanceof ProviderError) return err;
  if (isRestError(err)) {
    const status = err.statusCode;
    const code = err.code;
    const retryAfter = Number(err.response?.headers.get('retry-after'));
    const message = armMessage(err);
    return new ProviderError(codeFor(status, code), `${what}: ${code ?? status ?? 'error'}: ${message}`, {
      cause: safeCause(err, message),
      provider: 'azure',
      ...(status === undefined ? {} : { httpStatus: status }),
      ...(code ? { providerCode: code } : {}),
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError('Unavailable', `${what}: ${message}`, { cause: err, provider: 'azure' });
}

/**
 * The ARM error of a long-running operation that ended Failed or Canceled, from the SDK poller's
 * error (`The long-running operation has failed. <code>. <message>`); undefined for other errors.
 */
export function operationFailure(err: unknown, what: string): ProviderError | undefined {
  if (!(err instanceof Error) || isRestError(err)) return undefined;
  const failed = /^The long-running operation has failed(?:\. ([^.\s]+)\. ([\s\S]*))?$/.exec(err.message);
  if (failed) {
    const code = failed[1] ?? 'OperationFailed';
    const message = failed[2] ?? err.message;
    const transient = TRANSIENT_OPERATION_CODES.has(code);
    const mapped = codeFor(undefined, code);
    return new ProviderError(
      transient ? 'Unavailable' : mapped === 'Unavailable' ? 'Internal' : mapped,
      `${what} failed: ${code}: ${message}`,
      {
        cause: err,
        provider: 'azure',
        providerCode: code,
        // Only a known transient reason is worth another try; an unknown one is Azure's answer.
        retryable: transient,
      },
    );
  }
  if (
    /^(The long-running operation has been canceled|Operation was canceled)/.test(err.message) &&
    !/aborted/i.test(err.message)
  )
    return new ProviderError('Conflict', `${what} was canceled by Azure: ${err.message}`, {
      cause: err,
      provider: 'azure',
      providerCode: 'Canceled',
    });
  return undefined;
}
