/**
 * Translates what the EC2 client threw into a ProviderError that keeps EC2's own code
 * (`InvalidVpcID.NotFound`, `RequestLimitExceeded`, `DependencyViolation`) and message.
 */
import { ProviderError, type ProviderErrorCode } from '../provider-error.js';

const UNAUTHORIZED = new Set([
  'AuthFailure',
  'SignatureDoesNotMatch',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
  'IncompleteSignature',
  'RequestExpired',
  'ExpiredToken',
  'OptInRequired',
  'Blocked',
  'PendingVerification',
  'CredentialsProviderError',
]);
const THROTTLED = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'SlowDown',
  'TooManyRequestsException',
]);
const CONFLICT = new Set([
  'DependencyViolation',
  'IncorrectState',
  'IncorrectInstanceState',
  'InvalidStateTransition',
  'RouteAlreadyExists',
  'VolumeInUse',
  'InvalidSnapshot.InUse',
  'IdempotentParameterMismatch',
  'VpnGatewayAttachmentLimitExceeded',
  'DuplicateTransitGatewayAttachment',
  'OperationNotPermitted',
]);
const UNAVAILABLE = new Set([
  'Unavailable',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const INTERNAL = new Set(['InternalError', 'InternalFailure', 'ServerInternal']);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
]);

/** The stable code for an EC2 error code (and HTTP status when the code is unknown). */
export function codeForEc2Error(providerCode: string, httpStatus?: number): ProviderErrorCode {
  if (UNAUTHORIZED.has(providerCode)) return 'Unauthorized';
  if (THROTTLED.has(providerCode)) return 'Throttled';
  if (providerCode.endsWith('.NotFound')) return 'NotFound';
  if (CONFLICT.has(providerCode) || providerCode.endsWith('.Duplicate') || providerCode.endsWith('.InUse'))
    return 'Conflict';
  if (UNAVAILABLE.has(providerCode)) return 'Unavailable';
  if (INTERNAL.has(providerCode)) return 'Internal';
  if (providerCode.endsWith('LimitExceeded') || providerCode.startsWith('Insufficient')) return 'Quota';
  if (
    providerCode.startsWith('Invalid') ||
    providerCode.startsWith('Missing') ||
    providerCode.endsWith('.Malformed') ||
    providerCode === 'UnknownParameter'
  )
    return 'Invalid';
  if (httpStatus === 401 || httpStatus === 403) return 'Unauthorized';
  if (httpStatus === 503 || httpStatus === 502 || httpStatus === 504) return 'Unavailable';
  if (httpStatus !== undefined && httpStatus >= 500) return 'Internal';
  return 'Invalid';
}

/** Translates an error thrown by `EC2Client.send` for `action`. */
export function translateEc2Error(err: unknown, action: string): ProviderError {
  if (err instanceof ProviderError) return err;
  if (!(err instanceof Error))
    return new ProviderError('Internal', `EC2 ${action}: ${String(err)}`, { provider: 'aws' });
  const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const httpStatus = meta?.httpStatusCode;
  const sysCode = (err as { code?: unknown }).code;
  if (typeof sysCode === 'string' && NETWORK.has(sysCode))
    return new ProviderError('Unavailable', `EC2 ${action}: cannot reach the endpoint (${sysCode})`, {
      cause: err,
      provider: 'aws',
      providerCode: sysCode,
    });
  if (err.name === 'CredentialsProviderError')
    return new ProviderError(
      'Unauthorized',
      `aws: no credentials for EC2 ${action}: ${err.message}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a role (web identity, instance profile), or give the cluster a stored credential`,
      { cause: err, provider: 'aws', providerCode: err.name },
    );
  const providerCode = err.name && err.name !== 'Error' ? err.name : 'UnknownError';
  const code = codeForEc2Error(providerCode, httpStatus);
  return new ProviderError(code, `EC2 ${action}: ${providerCode}: ${err.message}`, {
    cause: err,
    provider: 'aws',
    providerCode,
    ...(httpStatus === undefined ? {} : { httpStatus }),
  });
}
