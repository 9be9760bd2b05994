/**
 * Google API errors (GaxiosError from the REST transport, GoogleError from gax, failed
 * Operations) translated into ProviderError, keeping Google's reason (`notFound`,
 * `resourceInUseByAnotherResource`, `QUOTA_EXCEEDED`) and message.
 */
import { ProviderError, type ProviderErrorCode } from '../provider-error.js';

interface GoogleErrorBody {
  readonly code?: number;
  readonly message?: string;
  readonly status?: string;
  readonly errors?: readonly {
    readonly reason?: string;
    readonly message?: string;
    readonly domain?: string;
  }[];
}

/** gRPC status numbers gax puts in `.code` of a GoogleError. */
const GRPC: Record<number, ProviderErrorCode> = {
  3: 'Invalid',
  4: 'Unavailable',
  5: 'NotFound',
  6: 'Conflict',
  7: 'Unauthorized',
  8: 'Throttled',
  9: 'Conflict',
  10: 'Conflict',
  13: 'Internal',
  14: 'Unavailable',
  16: 'Unauthorized',
};

const QUOTA_REASONS = new Set(['quotaExceeded', 'QUOTA_EXCEEDED', 'limitExceeded', 'dailyLimitExceeded']);
const THROTTLE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);
const CONFLICT_REASONS = new Set([
  'resourceInUseByAnotherResource',
  'resourceNotReady',
  'alreadyExists',
  'conflict',
]);

/** The code for an HTTP status and Google's reason word. */
export function codeFor(httpStatus: number | undefined, reason: string | undefined): ProviderErrorCode {
  if (reason && QUOTA_REASONS.has(reason)) return 'Quota';
  if (reason && THROTTLE_REASONS.has(reason)) return 'Throttled';
  if (reason && CONFLICT_REASONS.has(reason)) return 'Conflict';
  if (httpStatus === undefined) return 'Unavailable';
  if (httpStatus === 401 || httpStatus === 403) return 'Unauthorized';
  if (httpStatus === 404) return 'NotFound';
  if (httpStatus === 409 || httpStatus === 412) return 'Conflict';
  if (httpStatus === 429) return 'Throttled';
  if (httpStatus === 500) return 'Internal';
  if (httpStatus >= 500) return 'Unavailable';
  return 'Invalid';
}

/** Google's error body from an SDK error, wherever the transport left it. */
function errorBody(err: Record<string, unknown>): GoogleErrorBody | undefined {
  const response = err.response as { data?: unknown } | undefined;
  for (const candidate of [response?.data, err.message]) {
    let v: unknown = candidate;
    if (typeof v === 'string' && v.trimStart().startsWith('{')) {
      try {
        v = JSON.parse(v);
      } catch {
        continue;
      }
    }
    if (v && typeof v === 'object' && 'error' in v) return (v as { error: GoogleErrorBody }).error;
  }
  return undefined;
}

function retryAfterMs(err: Record<string, unknown>): number | undefined {
  const headers = (err.response as { headers?: unknown } | undefined)?.headers;
  const raw =
    headers instanceof Headers
      ? headers.get('retry-after')
      : (headers as Record<string, string> | undefined)?.['retry-after'];
  const secs = raw === undefined || raw === null ? Number.NaN : Number(raw);
  return Number.isFinite(secs) ? secs * 1000 : undefined;
}

/** Translates whatever a Compute client threw; `what` names the call for the message. */
export function translateGcpError(err: unknown, what: string): ProviderError {
  if (err instanceof ProviderError) return err;
  if (!err || typeof err !== 'object')
    return new ProviderError('Internal', `${what}: ${String(err)}`, { provider: 'gcp' });
  const e = err as Record<string, unknown>;
  const body = errorBody(e);
  const status =
    typeof e.status === 'number' ? e.status : typeof body?.code === 'number' ? body.code : undefined;
  const reason = body?.errors?.[0]?.reason ?? (typeof e.reason === 'string' ? e.reason : undefined);
  let code: ProviderErrorCode;
  if (status !== undefined || reason) code = codeFor(status, reason);
  else if (typeof e.code === 'number' && GRPC[e.code]) code = GRPC[e.code]!;
  else code = 'Unavailable'; // no answer at all: connection refused, reset, timed out
  const message = body?.message ?? (typeof e.message === 'string' ? e.message : String(err));
  const after = retryAfterMs(e);
  return new ProviderError(code, `${what}: ${message}`, {
    cause: err,
    provider: 'gcp',
    ...(status === undefined ? {} : { httpStatus: status }),
    ...(reason ? { providerCode: reason } : body?.status ? { providerCode: body.status } : {}),
    ...(after === undefined ? {} : { retryAfterMs: after }),
  });
}

/** A Compute Operation's `error` (and its HTTP status) as a ProviderError. */
export function operationError(op: {
  readonly error?: {
    readonly errors?: readonly { readonly code?: string | null; readonly message?: string | null }[] | null;
  } | null;
  readonly httpErrorStatusCode?: number | null;
  readonly operationType?: string | null;
  readonly targetLink?: string | null;
}): ProviderError | undefined {
  const first = op.error?.errors?.[0];
  if (!first) return undefined;
  const reason = first.code ?? undefined;
  const byReason: Record<string, ProviderErrorCode> = {
    RESOURCE_NOT_FOUND: 'NotFound',
    RESOURCE_ALREADY_EXISTS: 'Conflict',
    RESOURCE_IN_USE_BY_ANOTHER_RESOURCE: 'Conflict',
    QUOTA_EXCEEDED: 'Quota',
    RATE_LIMIT_EXCEEDED: 'Throttled',
    ZONE_RESOURCE_POOL_EXHAUSTED: 'Quota',
  };
  const code = (reason ? byReason[reason] : undefined) ?? codeFor(op.httpErrorStatusCode ?? 400, undefined);
  const what =
    `${op.operationType ?? 'operation'} ${op.targetLink?.replace(/^.*\/projects\//, 'projects/') ?? ''}`.trim();
  return new ProviderError(code, `${what} failed: ${reason ? `${reason}: ` : ''}${first.message ?? ''}`, {
    provider: 'gcp',
    ...(reason ? { providerCode: reason } : {}),
    ...(op.httpErrorStatusCode ? { httpStatus: op.httpErrorStatusCode } : {}),
  });
}
