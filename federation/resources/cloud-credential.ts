import { z } from 'zod';

/** What reads show in place of a stored secret value. */
export const REDACTED = '(set)';

/**
 * A secret field: the placeholder reads show is refused, so a credential read, edited and applied
 * back cannot store `(set)` over its real value.
 */
const secret = (max: number, min = 1) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((v) => v !== REDACTED, {
      message: `"${REDACTED}" is how reads show a stored value: give the value itself`,
    });

/**
 * The spec of a CloudCredential: what reaches one cloud's API. Stored sealed (AES-256-GCM, like
 * Secret data), never logged, and never returned by the API (reads show which fields are set,
 * not their values). MemberClusters name it in `spec.cloud.credentials.secretRef`.
 */
export const cloudCredentialSpecSchema = z.discriminatedUnion('provider', [
  z
    .object({
      provider: z.literal('aws'),
      accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'must be an AWS access key id'),
      secretAccessKey: secret(256, 16),
      sessionToken: secret(4096).optional(),
    })
    .strict(),
  z
    .object({
      provider: z.literal('gcp'),
      /** A service account key file's JSON. */
      serviceAccountKey: secret(16_384, 2).optional(),
      /** A preset OAuth2 access token (short-lived; the simulators accept fixed ones). */
      accessToken: secret(4096).optional(),
    })
    .strict()
    .refine((s) => (s.serviceAccountKey === undefined) !== (s.accessToken === undefined), {
      message: 'give exactly one of serviceAccountKey and accessToken',
    }),
  z
    .object({
      provider: z.literal('azure'),
      tenantId: z.string().min(1).max(64).optional(),
      clientId: z.string().min(1).max(64).optional(),
      clientSecret: secret(1024).optional(),
      /** A preset bearer token for ARM (the simulator accepts a fixed one). */
      token: secret(8192).optional(),
    })
    .strict()
    .refine(
      (s) =>
        s.token !== undefined
          ? s.tenantId === undefined && s.clientId === undefined && s.clientSecret === undefined
          : s.tenantId !== undefined && s.clientId !== undefined && s.clientSecret !== undefined,
      { message: 'give tenantId, clientId and clientSecret, or token alone' },
    ),
]);

/** A validated CloudCredential spec. */
export type CloudCredentialSpec = z.infer<typeof cloudCredentialSpecSchema>;

/** The spec as the API shows it: which fields are set, never their values. */
export function redactCredential(spec: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(spec).map(([k, v]) => [
      k,
      k === 'provider' || k === 'tenantId' || k === 'clientId' ? v : v === undefined ? v : REDACTED,
    ]),
  );
}
