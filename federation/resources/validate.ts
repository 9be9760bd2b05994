import { z } from 'zod';
import { SERVER_OWNED_METADATA } from '../../placement/index.js';
import { FedgateError, type FieldIssue } from '../errors/fedgate-error.js';
import { CLUSTER_SCOPED_KUBE_KINDS, FEDGATE_KINDS } from './kinds.js';
import type { KubeObject, ObjectKey } from './kube-object.js';
import { isBuiltinGroup, kubeSchemaIssues } from './kube-schema.js';
import { annotationsSchema, labelNameSchema, labelsSchema, objectNameSchema } from './names.js';
import { checkNesting } from './nesting.js';
import { apiVersionOf, isFedgateType, resourceTypeOf, typeKey } from './resource-type.js';

const userMetaSchema = z
  .object({
    name: objectNameSchema,
    namespace: labelNameSchema.optional(),
    labels: labelsSchema.optional(),
    annotations: annotationsSchema.optional(),
  })
  .passthrough();

/** A validated, normalised object ready for the store, with the key it is stored under. */
export interface ValidatedObject {
  readonly key: ObjectKey;
  readonly object: KubeObject;
  /** Whether the object is a workload template (any non-fedgate kind). */
  readonly isTemplate: boolean;
}

/**
 * Validates one user-supplied object (a fedgate resource or any Kubernetes manifest) and returns
 * it normalised: server-owned metadata and `status` dropped, namespace defaulted for namespaced
 * kinds and removed for cluster-scoped ones. Every problem is reported with its field path.
 * `index` prefixes paths when validating one document of many (`[2].spec.region`).
 */
export function validateObject(input: unknown, index?: number): ValidatedObject {
  const prefix = index === undefined ? '' : `[${index}].`;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FedgateError(
      'Invalid',
      `${prefix || 'object'}: must be a mapping with apiVersion, kind and metadata`,
      [
        {
          path: prefix.replace(/\.$/, '') || '.',
          message: 'must be a mapping with apiVersion, kind and metadata',
        },
      ],
    );
  }
  const raw = input as Record<string, unknown>;
  try {
    checkNesting(raw);
  } catch (err) {
    throw prefixed(err, prefix);
  }
  let type: ReturnType<typeof resourceTypeOf>;
  try {
    type = resourceTypeOf(raw.apiVersion, raw.kind);
  } catch (err) {
    throw prefixed(err, prefix);
  }
  const fedgate = isFedgateType(type);
  const kindInfo = fedgate ? FEDGATE_KINDS.get(type.kind) : undefined;
  if (fedgate && (kindInfo === undefined || type.version !== 'v1alpha1')) {
    throw issues(prefix, [
      {
        path: 'kind',
        message: `${apiVersionOf(type)} has no kind ${type.kind} (known: ${[...FEDGATE_KINDS.keys()].join(', ')})`,
      },
    ]);
  }
  if (kindInfo?.systemOwned) {
    throw new FedgateError(
      'Forbidden',
      `${prefix}kind: ${type.kind} objects are written by the control plane only`,
    );
  }
  const fieldIssues: FieldIssue[] = [];
  const metaResult = userMetaSchema.safeParse(raw.metadata ?? {});
  if (!metaResult.success) fieldIssues.push(...zodIssues(metaResult.error, 'metadata'));
  let spec: unknown = raw.spec;
  if (kindInfo?.specSchema) {
    const extra = Object.keys(raw).filter(
      (k) => !['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(k),
    );
    for (const k of extra) fieldIssues.push({ path: k, message: 'unknown field' });
    const specResult = kindInfo.specSchema.safeParse(raw.spec);
    if (specResult.success) spec = specResult.data;
    else fieldIssues.push(...zodIssues(specResult.error, 'spec'));
  }
  // Built-in kinds are checked as a Kubernetes API server would before anything is stored;
  // custom resources are stored as is (their schema is a CRD in the member cluster).
  if (!fedgate && isBuiltinGroup(type.group)) fieldIssues.push(...kubeSchemaIssues(type, raw));
  if (fieldIssues.length > 0 || !metaResult.success) throw issues(prefix, dedupe(fieldIssues));

  const clusterScoped = kindInfo ? kindInfo.scope === 'Cluster' : CLUSTER_SCOPED_KUBE_KINDS.has(type.kind);
  const metadata: Record<string, unknown> = { ...metaResult.data };
  // Server-owned metadata fields: ignored on input, set by the store.
  for (const f of SERVER_OWNED_METADATA) delete metadata[f];
  if (clusterScoped) delete metadata.namespace;
  else metadata.namespace ??= 'default';

  const { status: _ignored, ...rest } = raw;
  const object = { ...rest, metadata, ...(kindInfo?.specSchema ? { spec } : {}) } as KubeObject;
  return {
    key: {
      type: typeKey(type),
      namespace: (metadata.namespace as string | undefined) ?? '',
      name: metaResult.data.name,
    },
    object,
    isTemplate: !fedgate,
  };
}

/** Converts a zod error into field issues, with paths like `spec.taints[0].effect`. */
export function zodIssues(error: z.ZodError, root: string): FieldIssue[] {
  return error.issues.map((i) => ({ path: joinPath(root, i.path), message: i.message }));
}

function joinPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '.';
}

/** One issue per path and message: metadata.name may be refused by both our schema and Kubernetes'. */
function dedupe(list: readonly FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return list.filter((i) => {
    const k = `${i.path}\0${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function issues(prefix: string, list: FieldIssue[]): FedgateError {
  const withPrefix = list.map((i) => ({ path: `${prefix}${i.path}`, message: i.message }));
  const summary = withPrefix.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new FedgateError('Invalid', summary || `${prefix}invalid object`, withPrefix);
}

function prefixed(err: unknown, prefix: string): unknown {
  if (!(err instanceof FedgateError) || prefix === '') return err;
  return issues(prefix, err.fields.length > 0 ? [...err.fields] : [{ path: '.', message: err.message }]);
}
