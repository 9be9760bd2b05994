/**
 * The apiserver's error vocabulary: every failure is answered with a meta/v1 `Status` body whose
 * `reason` and `code` match what the real server sends, so clients (client-node's ApiException,
 * kubectl's error printer) behave exactly as against a real cluster.
 */

/** StatusReason values the simulator emits. */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Expired'
  | 'Gone'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'ServiceUnavailable';

/** One field-level cause in an Invalid or Conflict Status. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** details of a Status body. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A meta/v1 Status object. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** A failure to be answered as a Status body with its HTTP code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  /** The wire body. */
  toStatus(): StatusBody {
    const body: StatusBody = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) body.details = this.details;
    return body;
  }
}

/** Identifies the object an error is about: `resource` is the plural ('deployments'), `group` may be ''. */
export interface ErrorTarget {
  group: string;
  resource: string;
  kind: string;
  name: string;
}

// The real server qualifies resources with their group: 'deployments.apps "web" not found'.
function qualified(target: Pick<ErrorTarget, 'group' | 'resource'>): string {
  return target.group ? `${target.resource}.${target.group}` : target.resource;
}

function details(target: ErrorTarget): StatusDetails {
  const d: StatusDetails = { name: target.name, kind: target.resource };
  if (target.group) d.group = target.group;
  return d;
}

/** 404: `deployments.apps "web" not found`. */
export function notFound(target: ErrorTarget): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(target)} "${target.name}" not found`, details(target));
}

/** 409 on create of an existing object. */
export function alreadyExists(target: ErrorTarget): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualified(target)} "${target.name}" already exists`,
    details(target),
  );
}

/** 409 for a stale resourceVersion or an apply conflict. */
export function conflict(target: ErrorTarget, why: string, causes?: StatusCause[]): ApiError {
  const d = details(target);
  if (causes) d.causes = causes;
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(target)} "${target.name}": ${why}`,
    d,
  );
}

/** 422 with field causes: `Deployment.apps "x" is invalid: spec.selector: Required value`. */
export function invalid(target: ErrorTarget, causes: StatusCause[]): ApiError {
  const kindQualified = target.group ? `${target.kind}.${target.group}` : target.kind;
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  // The real server brackets the list when there is more than one cause.
  const summary = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
  const d: StatusDetails = { name: target.name, kind: target.kind, causes };
  if (target.group) d.group = target.group;
  return new ApiError(422, 'Invalid', `${kindQualified} "${target.name}" is invalid: ${summary}`, d);
}

/** 400 for malformed requests. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 405 for a verb the resource does not support. */
export function methodNotAllowed(
  message = 'the server does not allow this method on the requested resource',
): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}

/** 415 for an unsupported patch or body content type. */
export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType})`,
  );
}

/** 429 with a retry hint (also sent as the Retry-After header). */
export function tooManyRequests(retryAfterSeconds = 1): ApiError {
  return new ApiError(
    429,
    'TooManyRequests',
    'the server has received too many requests and has asked us to try again later',
    { retryAfterSeconds },
  );
}

/** 500 for injected or unexpected failures. */
export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

/** 410 for a watch or continue token older than the retained history. */
export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

/** A Success Status, as returned by DELETE for most resources. */
export function successStatus(target: ErrorTarget & { uid?: string }): StatusBody {
  const d = details(target);
  if (target.uid) d.uid = target.uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: d, code: 200 };
}
