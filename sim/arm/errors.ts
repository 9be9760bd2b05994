/**
 * ARM's error body (`{"error":{"code","message"}}`, arm-rpc common-api-details) as a throwable,
 * with the HTTP status and extra headers (Retry-After, WWW-Authenticate) it is answered with.
 */

/** An error the simulator answers with. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly target?: string,
  ) {
    super(message);
  }

  /** The ARM error body. */
  body(): { error: { code: string; message: string; target?: string } } {
    return {
      error: { code: this.code, message: this.message, ...(this.target ? { target: this.target } : {}) },
    };
  }
}

/** 404 ResourceNotFound, worded as ARM words it. */
export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** 404 ResourceGroupNotFound. */
export function resourceGroupNotFound(resourceGroup: string): ArmError {
  return new ArmError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
}

/** 400 InvalidRequestContent naming the field. */
export function invalidField(field: string, message: string): ArmError {
  return new ArmError(400, 'InvalidRequestContent', `${field}: ${message}`, {}, field);
}

/** 401 InvalidAuthenticationToken with the WWW-Authenticate challenge ARM sends. */
export function invalidToken(message: string): ArmError {
  return new ArmError(401, 'InvalidAuthenticationToken', message, {
    'www-authenticate':
      'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token is invalid."',
  });
}

/** 429 TooManyRequests with Retry-After (seconds). */
export function tooManyRequests(retryAfterSeconds: number): ArmError {
  return new ArmError(
    429,
    'TooManyRequests',
    'The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits',
    { 'retry-after': String(retryAfterSeconds) },
  );
}

/** 500 InternalServerError. */
export function internalServerError(): ArmError {
  return new ArmError(
    500,
    'InternalServerError',
    'Encountered internal server error. Diagnostic information: timestamp, subscription id, tracking id.',
  );
}
