/**
 * Google's JSON error body, as Compute Engine answers a failed request:
 * `{"error":{"code":404,"message":…,"errors":[{"message","domain","reason"}],"status":"NOT_FOUND"}}`.
 */

/** One failed request: HTTP status, Google's reason word (`notFound`) and its RPC status (`NOT_FOUND`). */
export class GceApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly reason: string,
    message: string,
    readonly status: string,
    readonly domain = 'global',
  ) {
    super(message);
  }

  /** The response body Google sends. */
  body(): object {
    return {
      error: {
        code: this.httpStatus,
        message: this.message,
        errors: [{ message: this.message, domain: this.domain, reason: this.reason }],
        status: this.status,
      },
    };
  }
}

/** 404 notFound for a resource path (`projects/p/global/networks/n`). */
export function notFound(path: string): GceApiError {
  return new GceApiError(404, 'notFound', `The resource '${path}' was not found`, 'NOT_FOUND');
}

/** 409 alreadyExists. */
export function alreadyExists(path: string): GceApiError {
  return new GceApiError(409, 'alreadyExists', `The resource '${path}' already exists`, 'ALREADY_EXISTS');
}

/** 400 resourceInUseByAnotherResource, as GCE answers deleting something still referenced. */
export function inUse(kind: string, path: string, user: string): GceApiError {
  return new GceApiError(
    400,
    'resourceInUseByAnotherResource',
    `The ${kind} resource '${path}' is already being used by '${user}'`,
    'FAILED_PRECONDITION',
  );
}

/** 400 invalid, naming the field. */
export function invalid(field: string, message: string): GceApiError {
  return new GceApiError(
    400,
    'invalid',
    `Invalid value for field '${field}': ${message}`,
    'INVALID_ARGUMENT',
  );
}

/** 400 required: a field the request must carry is missing. */
export function required(field: string): GceApiError {
  return new GceApiError(400, 'required', `Required field '${field}' not specified`, 'INVALID_ARGUMENT');
}

/** 401 authError with Google's UNAUTHENTICATED status. */
export function unauthenticated(): GceApiError {
  return new GceApiError(
    401,
    'authError',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    'UNAUTHENTICATED',
  );
}

/** 429 rateLimitExceeded (RESOURCE_EXHAUSTED). */
export function rateLimited(): GceApiError {
  return new GceApiError(
    429,
    'rateLimitExceeded',
    'Rate Limit Exceeded',
    'RESOURCE_EXHAUSTED',
    'usageLimits',
  );
}

/** 503 backendError (UNAVAILABLE). */
export function backendError(): GceApiError {
  return new GceApiError(503, 'backendError', 'The service is currently unavailable.', 'UNAVAILABLE');
}

/** 404 for a path the API does not have. */
export function noSuchMethod(method: string, path: string): GceApiError {
  return new GceApiError(404, 'notFound', `No such method: ${method} ${path}`, 'NOT_FOUND');
}
