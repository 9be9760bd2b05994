/** Shapes shared across the simulator: JSON values, Kubernetes objects and their metadata. */

/** A parsed JSON object with unknown member types; narrow before use. */
export type JsonObject = { [key: string]: unknown };

/** One entry of metadata.managedFields (FieldsV1 is the nested `f:`/`k:` tree). */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

/** metadata.ownerReferences item. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** ObjectMeta as stored; unknown extra members are kept. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  finalizers?: string[];
  deletionTimestamp?: string;
  [key: string]: unknown;
}

/** A stored Kubernetes object. Stored objects are never mutated in place: writers clone first. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Group/version/resource triple; group '' is the core group. */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a nested member by path, or undefined when any step is missing. */
export function getPath(value: unknown, path: readonly string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Returns the nested object at path, creating empty objects along the way. */
export function ensureObject(root: JsonObject, path: readonly string[]): JsonObject {
  let current = root;
  for (const key of path) {
    const next = current[key];
    if (isObject(next)) current = next;
    else {
      const created: JsonObject = {};
      current[key] = created;
      current = created;
    }
  }
  return current;
}

/** Structural equality over JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keysA = Object.keys(a);
    if (keysA.length !== Object.keys(b).length) return false;
    return keysA.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** Deep copy of a JSON value (faster than structuredClone for plain JSON trees). */
export function cloneJson<T>(value: T): T {
  if (value === undefined) return value;
  return JSON.parse(JSON.stringify(value)) as T;
}
