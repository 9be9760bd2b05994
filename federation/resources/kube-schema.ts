import { createRequire } from 'node:module';
import type { FieldIssue } from '../errors/fedgate-error.js';
import type { ResourceType } from './resource-type.js';

/**
 * Validation of built-in Kubernetes kinds against the Kubernetes OpenAPI schema, as carried by the
 * `kubernetes-models` package (precompiled validators, one module per kind). Modules are loaded
 * lazily and synchronously (its CommonJS build), so validating a Deployment loads the Deployment
 * schema only, once per process.
 */
const require = createRequire(import.meta.url);

/**
 * The API groups Kubernetes itself serves: every object of these groups must be a kind the schema
 * knows. Any other group is a custom resource, stored as is (its schema lives in a CRD in the cluster).
 */
export const BUILTIN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'apps',
  'autoscaling',
  'batch',
  'policy',
  'extensions',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'rbac.authorization.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

/** True when the group is one Kubernetes serves itself (not a CRD group). */
export function isBuiltinGroup(group: string): boolean {
  return BUILTIN_GROUPS.has(group);
}

/** One error of a precompiled (ajv) validator. */
interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

interface KindModel {
  readonly kind?: string;
  readonly apiVersion?: string;
  new (data: unknown): { validate(): void };
}

const models = new Map<string, KindModel | null>();

function modelOf(t: ResourceType): KindModel | null {
  const key = `${t.group}/${t.version}/${t.kind}`;
  const known = models.get(key);
  if (known !== undefined) return known;
  let model: KindModel | null = null;
  try {
    // group, version and kind were checked by resourceTypeOf: no '..' or '/' can reach the specifier.
    const mod = require(
      `kubernetes-models/${t.group === '' ? '' : `${t.group}/`}${t.version}/${t.kind}`,
    ) as Record<string, KindModel>;
    const candidate = mod[t.kind];
    // DeploymentSpec and the like are modules too, but not kinds: only a model with a kind is one.
    model = candidate?.kind === t.kind ? candidate : null;
  } catch {
    model = null;
  }
  models.set(key, model);
  return model;
}

/** True when Kubernetes serves this kind in this group and version. */
export function isKnownBuiltinKind(t: ResourceType): boolean {
  return modelOf(t) !== null;
}

/**
 * Integer fields Kubernetes' own validation keeps non-negative (the OpenAPI schema only says int32):
 * `spec.replicas` of the workload kinds, a Job's counts.
 */
const NON_NEGATIVE_SPEC_FIELDS = [
  'replicas',
  'minReadySeconds',
  'revisionHistoryLimit',
  'parallelism',
  'completions',
  'backoffLimit',
];

/**
 * The problems of a built-in kind's object against the Kubernetes schema, with paths like
 * `spec.template.spec.containers[0].image`; [] when valid. An unknown kind of a built-in group is
 * one problem at `kind`.
 */
export function kubeSchemaIssues(t: ResourceType, object: Record<string, unknown>): FieldIssue[] {
  const model = modelOf(t);
  if (model === null) {
    const apiVersion = t.group === '' ? t.version : `${t.group}/${t.version}`;
    return [{ path: 'kind', message: `Kubernetes serves no kind ${t.kind} in ${apiVersion}` }];
  }
  const out: FieldIssue[] = [];
  try {
    new model(object).validate();
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) throw err;
    out.push(...collapse(errors));
  }
  const spec = object.spec;
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    for (const f of NON_NEGATIVE_SPEC_FIELDS) {
      const v = (spec as Record<string, unknown>)[f];
      if (typeof v === 'number' && v < 0 && !out.some((i) => i.path === `spec.${f}`)) {
        out.push({ path: `spec.${f}`, message: 'must be greater than or equal to 0' });
      }
    }
  }
  return out;
}

/**
 * One issue per field: alternatives of a oneOf (int-or-string, quantity) each report their own
 * failure, so a field with a oneOf error reports its format (or the oneOf) instead.
 */
function collapse(errors: readonly SchemaError[]): FieldIssue[] {
  const byPath = new Map<string, SchemaError[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const out: FieldIssue[] = [];
  for (const [pointer, list] of byPath) {
    const oneOf = list.some((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
    const chosen = oneOf
      ? (list.find((e) => e.keyword === 'format') ?? list.find((e) => e.keyword === 'oneOf') ?? list[0]!)
      : list[0]!;
    out.push({ path: pathOf(pointer, chosen), message: messageOf(chosen) });
  }
  return out;
}

function messageOf(e: SchemaError): string {
  const p = e.params ?? {};
  switch (e.keyword) {
    case 'type':
      return `must be ${article(String(p.type))}`;
    case 'format':
      return p.format === 'int32' || p.format === 'int64'
        ? `must be an integer that fits in ${p.format === 'int32' ? '32' : '64'} bits`
        : `must be a valid ${String(p.format)}`;
    case 'required':
      return 'required';
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[] | undefined)?.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return e.message ?? `fails the schema (${e.keyword})`;
  }
}

function article(type: string): string {
  return type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`;
}

/** `/spec/containers/0/image` → `spec.containers[0].image`; a missing property is named in the path. */
function pathOf(pointer: string, e: SchemaError): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required' && typeof e.params?.missingProperty === 'string') {
    segments.push(e.params.missingProperty);
  }
  let out = '';
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : `${out ? '.' : ''}${s}`;
  return out || '.';
}
