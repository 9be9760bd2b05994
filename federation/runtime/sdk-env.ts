/**
 * Keeps the cloud SDKs from probing the instance-metadata address (169.254.169.254) when they look
 * for credentials: fedgate always hands them explicit credentials, so the probe is never needed.
 */
export function keepSdksOffTheNetwork(): void {
  process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
