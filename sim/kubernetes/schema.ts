/**
 * The OpenAPI schema check the apiserver makes of built-in kinds, from the schema the
 * `kubernetes-models` package carries (precompiled validators, one CommonJS module per kind,
 * loaded on first use). A field of the wrong type is refused with 422 Invalid and one cause per
 * field, as the real server refuses it, instead of being stored and reported applied.
 */
import { createRequire } from 'node:module';
import type { StatusCause } from './status-errors.js';
import type { KubeObject } from './types.js';

const require = createRequire(import.meta.url);

/** One error of a precompiled (ajv) validator. */
interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params?: Record<string, unknown>;
  readonly message?: string;
}

interface KindModel {
  readonly kind?: string;
  new (data: unknown): { validate(): void };
}

const models = new Map<string, KindModel | null>();

function modelOf(group: string, version: string, kind: string): KindModel | null {
  const key = `${group}/${version}/${kind}`;
  const known = models.get(key);
  if (known !== undefined) return known;
  let model: KindModel | null = null;
  // Only names the router already accepted reach here; refuse anything that could walk the package.
  if (/^[A-Za-z0-9.-]*$/.test(group) && /^v[0-9a-z]+$/.test(version) && /^[A-Za-z0-9]+$/.test(kind)) {
    try {
      const mod = require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`) as Record<
        string,
        KindModel
      >;
      const candidate = mod[kind];
      model = candidate?.kind === kind ? candidate : null;
    } catch {
      model = null;
    }
  }
  models.set(key, model);
  return model;
}

/**
 * The causes for which the schema refuses `obj` (a built-in kind), [] when it passes or the schema
 * has no such kind. Server-written parts (status, managedFields) are not the client's to get wrong.
 */
export function schemaCauses(group: string, version: string, obj: KubeObject): StatusCause[] {
  const model = modelOf(group, version, obj.kind);
  if (model === null) return [];
  const { status: _status, ...rest } = obj;
  const { managedFields: _mf, ...metadata } = obj.metadata;
  try {
    new model({ ...rest, metadata }).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) throw err;
    return causesOf(errors, obj);
  }
}

// Alternatives of a oneOf (int-or-string, quantity) each report a failure: keep one cause per field.
function causesOf(errors: readonly SchemaError[], obj: KubeObject): StatusCause[] {
  const byPath = new Map<string, SchemaError[]>();
  for (const e of errors) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  return [...byPath].map(([pointer, list]) => {
    const oneOf = list.some((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
    const e = oneOf ? (list.find((x) => x.keyword === 'format') ?? list[0]!) : list[0]!;
    const field = fieldOf(pointer, e);
    if (e.keyword === 'required') return { reason: 'FieldValueRequired', message: 'Required value', field };
    if (e.keyword === 'type') {
      return {
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: ${JSON.stringify(typeName(at(obj, pointer)))}: must be of type ${String(e.params?.type)}`,
        field,
      };
    }
    const detail =
      e.keyword === 'format' ? `must be a valid ${String(e.params?.format)}` : (e.message ?? e.keyword);
    return { reason: 'FieldValueInvalid', message: `Invalid value: ${detail}`, field };
  });
}

// As the apiserver words it: `Invalid value: "string": must be of type integer`.
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function at(root: unknown, pointer: string): unknown {
  let node = root;
  for (const s of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[s.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

// '/spec/containers/0/image' → 'spec.containers[0].image', as the apiserver names fields.
function fieldOf(pointer: string, e: SchemaError): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required' && typeof e.params?.missingProperty === 'string') {
    segments.push(e.params.missingProperty);
  }
  let out = '';
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : `${out ? '.' : ''}${s}`;
  return out;
}
