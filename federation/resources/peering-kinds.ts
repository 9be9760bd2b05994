import { z } from 'zod';
import { labelNameSchema } from './names.js';

/**
 * The east-west gateway's kinds (fedgate.dev/v1alpha1, namespaced). ServiceExport follows the
 * Kubernetes Multi-Cluster Services API (KEP-1645: a ServiceExport named like the Service, in its
 * namespace, makes it callable as `<name>.<ns>.svc.clusterset.local`), with one difference: it
 * lives in fedgate's store rather than in each member cluster, so `spec.clusters` says which
 * clusters serve it. Every other kind names its service (same namespace) in `spec.service`.
 */

/** A duration such as `250ms`, `15s` or `2m`. */
export const durationSchema = z
  .string()
  .regex(/^[0-9]{1,7}(ms|s|m)$/, 'must be a duration such as 250ms, 15s or 2m');

/** Milliseconds of a validated duration. */
export function durationMs(d: string): number {
  const m = /^([0-9]+)(ms|s|m)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

const clusterName = labelNameSchema;

/** ServiceExport spec: the clusters that serve the Service and its ports. */
export const serviceExportSpecSchema = z
  .object({
    clusters: z.array(clusterName).min(1).max(256),
    ports: z
      .array(
        z
          .object({
            name: labelNameSchema.optional(),
            port: z.number().int().min(1).max(65_535),
            protocol: z.enum(['HTTP', 'HTTP2', 'GRPC', 'TCP']).default('HTTP'),
          })
          .strict(),
      )
      .max(32)
      .default([]),
  })
  .strict();

/** TrafficPolicy spec: load balancing, weighted splits, timeouts, retries, outlier detection, circuit breaking. */
export const trafficPolicySpecSchema = z
  .object({
    service: labelNameSchema,
    loadBalancer: z
      .object({
        algorithm: z.enum(['RoundRobin', 'LeastRequest']).default('RoundRobin'),
        localityAware: z.boolean().default(true),
      })
      .strict()
      .optional(),
    weights: z
      .array(z.object({ cluster: clusterName, weight: z.number().int().min(0).max(1000) }).strict())
      .max(256)
      .optional(),
    timeout: durationSchema.optional(),
    retries: z
      .object({
        attempts: z.number().int().min(0).max(10).default(2),
        perTryTimeout: durationSchema.optional(),
        budgetPercent: z.number().min(0).max(100).default(20),
      })
      .strict()
      .optional(),
    outlierDetection: z
      .object({
        consecutiveErrors: z.number().int().min(1).max(1000).default(3),
        baseEjectionTime: durationSchema.default('5s'),
      })
      .strict()
      .optional(),
    circuitBreaker: z
      .object({ maxPendingRequests: z.number().int().min(1).max(1_000_000) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((s) => s.weights === undefined || s.weights.some((w) => w.weight > 0), {
    message: 'at least one weight must be above 0',
    path: ['weights'],
  });

const sourceSchema = z
  .object({
    cluster: clusterName.optional(),
    namespace: labelNameSchema.optional(),
    serviceAccount: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, 'must be a service account name')
      .optional(),
  })
  .strict();

/** AuthorizationPolicy spec: who (cluster, namespace, service account) may call which paths and methods of a service. */
export const authorizationPolicySpecSchema = z
  .object({
    service: labelNameSchema,
    rules: z
      .array(
        z
          .object({
            from: z.array(sourceSchema).max(64).default([]),
            to: z
              .object({
                paths: z.array(z.string().startsWith('/', 'must start with /').max(1024)).max(64).default([]),
                methods: z
                  .array(
                    z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']),
                  )
                  .max(9)
                  .default([]),
              })
              .strict()
              .default({ paths: [], methods: [] }),
          })
          .strict(),
      )
      .min(1)
      .max(128),
  })
  .strict();

const limitSchema = z
  .object({ requests: z.number().int().min(1).max(100_000_000), period: durationSchema })
  .strict()
  .refine((l) => durationMs(l.period) >= 1000, { message: 'must be at least 1s', path: ['period'] });

/** QuotaPolicy spec: rate limits per caller identity and per service. */
export const quotaPolicySpecSchema = z
  .object({ service: labelNameSchema, perCaller: limitSchema.optional(), perService: limitSchema.optional() })
  .strict()
  .refine((q) => q.perCaller !== undefined || q.perService !== undefined, {
    message: 'give perCaller or perService',
  });

/** Validated specs. */
export type ServiceExportSpec = z.infer<typeof serviceExportSpecSchema>;
export type TrafficPolicySpec = z.infer<typeof trafficPolicySpecSchema>;
export type AuthorizationPolicySpec = z.infer<typeof authorizationPolicySpecSchema>;
export type QuotaPolicySpec = z.infer<typeof quotaPolicySpecSchema>;
