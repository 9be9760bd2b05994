import { z } from 'zod';
import { labelNameSchema, objectNameSchema } from '../resources/names.js';

/**
 * A Kubernetes-style object as the API takes and gives it. Validation proper is `validateObject()`
 * (one schema per kind, with field paths); this loose schema only documents the shape and makes
 * sure the body is a JSON object.
 */
export const kubeObjectSchema = z.record(z.string(), z.unknown()).meta({
  id: 'Object',
  description:
    'A Kubernetes-style object: apiVersion, kind, metadata {name, namespace?, labels?, annotations?, resourceVersion?}, spec, status. fedgate kinds use apiVersion fedgate.dev/v1alpha1; any other apiVersion is a workload template stored as is.',
});

/** A list answer, like a Kubernetes `List`. */
export const listSchema = z
  .object({
    apiVersion: z.literal('v1'),
    kind: z.literal('List'),
    metadata: z.object({ resourceVersion: z.string() }),
    items: z.array(kubeObjectSchema),
  })
  .meta({ id: 'List' });

/** Path parameter: a type key. */
export const typeParam = z
  .string()
  .describe(
    'type key Kind.version[.group], e.g. Deployment.v1.apps, ConfigMap.v1, MemberCluster.v1alpha1.fedgate.dev',
  );

/** Path parameter: a namespace. */
export const namespaceParam = labelNameSchema.describe('namespace');

/** Path parameter: an object name. */
export const nameParam = objectNameSchema.describe('object name');

/** Query of list routes. */
export const listQuery = z.object({
  labelSelector: z
    .string()
    .max(4096)
    .refine((s) => !EMPTY_SET_TERM.test(s), {
      message: "for 'in', 'notin' operators, values set can't be empty",
    })
    .optional()
    .describe('Kubernetes label selector, e.g. app=web,tier!=db'),
});

/** A set-based term with no value, `env in ()` or `env notin ( , )`: Kubernetes refuses it. */
const EMPTY_SET_TERM = /(^|,)\s*\S+\s+(in|notin)\s+\(\s*(,\s*)*\)\s*(,|$)/;

/** `?dryRun=` as a boolean. */
export const booleanQuery = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === '');
