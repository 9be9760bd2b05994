import { ApiException } from '@kubernetes/client-node';
import { ProviderError, type ProviderErrorCode } from '../provider-error.js';

/** Translates whatever client-node threw into a ProviderError (HTTP status, Status body, Retry-After). */
export function translateKubeError(err: unknown, what: string): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof ApiException) {
    const code = codeForStatus(err.code);
    const reason = statusMessage(err.body);
    const statusReason = statusField(err.body, 'reason');
    const retryAfter = Number(err.headers?.['retry-after']);
    return new ProviderError(code, `${what}: ${err.code} ${reason}`.trim(), {
      cause: err,
      httpStatus: err.code,
      provider: 'kubernetes',
      // The Status reason (`NotFound`, `AlreadyExists`, `TooManyRequests`), else the HTTP status.
      providerCode: statusReason ?? String(err.code),
      ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  // Connection refused/reset, DNS or TLS failures: the cluster is not reachable right now.
  return new ProviderError('Unavailable', `${what}: ${message}`, { cause: err });
}

function codeForStatus(status: number): ProviderErrorCode {
  if (status === 404 || status === 410) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 429) return 'Throttled';
  if (status === 401 || status === 403) return 'Unauthorized';
  if (status === 400 || status === 415 || status === 422) return 'Invalid';
  if (status === 503 || status === 504 || status === 502) return 'Unavailable';
  return 'Internal';
}

function statusMessage(body: unknown): string {
  return statusField(body, 'message') ?? (typeof body === 'string' ? body.slice(0, 300) : '');
}

/** A string field of a Status body, which client-node hands over parsed or as text. */
function statusField(body: unknown, field: 'message' | 'reason'): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const value = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' && value ? value : undefined;
}
