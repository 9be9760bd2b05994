/**
 * Field ownership for server-side apply, in the apiserver's own notation. A field set is a set of
 * paths; each path is a list of FieldsV1 elements — `f:name` for a map member, `k:{"name":"app"}`
 * for an item of an associative list — joined with '\n' (which no element can contain, since `k:`
 * keys are JSON-escaped). Sets serialize to and from the nested `fieldsV1` trees seen in
 * metadata.managedFields, where `".": {}` marks a node that is owned itself and has owned children.
 */
import { itemKey, keyString, listMapKeys } from './list-keys.js';
import type { JsonObject, KubeObject, ManagedFieldsEntry } from './types.js';
import { isObject } from './types.js';

/** A set of owned paths. */
export type FieldSet = Set<string>;

/** Separator between path elements. */
export const SEP = '\n';

// Members the apiserver never attributes to a manager.
const IGNORED_TOP = new Set(['apiVersion', 'kind']);
const IGNORED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
]);

/** Options for walking an object into a field set. */
export interface FieldWalkOptions {
  /** Built-in kinds have associative lists; custom kinds have atomic lists only. */
  structured: boolean;
  /** Leave out `status` (main resource of a kind with a status subresource). */
  excludeStatus: boolean;
}

/** The set of leaf (and list item) paths an object sets. */
export function fieldSetOf(object: JsonObject, options: FieldWalkOptions): FieldSet {
  const out: FieldSet = new Set();
  for (const [key, value] of Object.entries(object)) {
    if (IGNORED_TOP.has(key) || value === undefined || value === null) continue;
    if (key === 'status' && options.excludeStatus) continue;
    if (key === 'metadata' && isObject(value)) {
      for (const [metaKey, metaValue] of Object.entries(value)) {
        if (IGNORED_META.has(metaKey) || metaValue === undefined || metaValue === null) continue;
        walk(metaValue, [`f:metadata`, `f:${metaKey}`], ['metadata', metaKey], out, options.structured);
      }
      continue;
    }
    walk(value, [`f:${key}`], [key], out, options.structured);
  }
  return out;
}

function walk(value: unknown, path: string[], fieldPath: string[], out: FieldSet, structured: boolean): void {
  if (isObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    if (entries.length === 0) {
      out.add(path.join(SEP));
      return;
    }
    for (const [key, child] of entries)
      walk(child, [...path, `f:${key}`], [...fieldPath, key], out, structured);
    return;
  }
  if (Array.isArray(value) && value.length > 0) {
    const keys = listMapKeys(fieldPath, structured);
    if (keys && value.every((item) => itemKey(item, keys) !== undefined)) {
      for (const item of value) {
        const key = itemKey(item, keys);
        if (!key) continue;
        const itemPath = [...path, `k:${keyString(key)}`];
        out.add(itemPath.join(SEP));
        if (isObject(item)) {
          for (const [k, v] of Object.entries(item)) {
            if (v !== undefined && v !== null)
              walk(v, [...itemPath, `f:${k}`], [...fieldPath, k], out, structured);
          }
        }
      }
      return;
    }
  }
  out.add(path.join(SEP));
}

/** Navigates to the value at a path; undefined when absent. */
export function valueAt(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const element of path.split(SEP)) {
    if (element.startsWith('f:')) {
      if (!isObject(current)) return undefined;
      current = current[element.slice(2)];
    } else if (element.startsWith('k:')) {
      if (!Array.isArray(current)) return undefined;
      current = findItem(current, element.slice(2));
    } else return undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

function findItem(list: unknown[], keyJson: string): unknown {
  const wanted = JSON.parse(keyJson) as Record<string, unknown>;
  const keys = Object.keys(wanted);
  const target = keyString(wanted);
  return list.find((item) => {
    const k = itemKey(item, keys);
    return k !== undefined && keyString(k) === target;
  });
}

/**
 * Removes the value at a path from a mutable object, then drops maps that the removal left empty
 * (below the top level), so a label removed by its last owner does not leave `labels: {}` behind.
 */
export function removeAt(root: JsonObject, path: string): void {
  const elements = path.split(SEP);
  const chain: unknown[] = [root];
  let current: unknown = root;
  for (const element of elements.slice(0, -1)) {
    current = element.startsWith('f:')
      ? isObject(current)
        ? current[element.slice(2)]
        : undefined
      : Array.isArray(current)
        ? findItem(current, element.slice(2))
        : undefined;
    if (current === undefined) return;
    chain.push(current);
  }
  const last = elements[elements.length - 1] ?? '';
  if (last.startsWith('f:') && isObject(current)) delete current[last.slice(2)];
  else if (last.startsWith('k:') && Array.isArray(current)) {
    const item = findItem(current, last.slice(2));
    const index = current.indexOf(item);
    if (index >= 0) current.splice(index, 1);
  }
  for (let depth = chain.length - 1; depth >= 2; depth--) {
    const node = chain[depth];
    const parent = chain[depth - 1];
    const element = elements[depth - 1] ?? '';
    const empty =
      (isObject(node) && Object.keys(node).length === 0) || (Array.isArray(node) && node.length === 0);
    if (!empty) break;
    if (element.startsWith('f:') && isObject(parent)) delete parent[element.slice(2)];
    else break;
  }
}

/** Every path of the set plus all of their ancestors: what "owns something at or below p" looks up. */
export function withAncestors(set: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const path of set) {
    let end = path.length;
    while (end > 0) {
      const prefix = path.slice(0, end);
      if (out.has(prefix)) break;
      out.add(prefix);
      end = prefix.lastIndexOf(SEP);
    }
  }
  return out;
}

/** Serializes a field set into a FieldsV1 tree. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  const owned = new Set<JsonObject>();
  for (const path of [...set].sort()) {
    let node = root;
    for (const element of path.split(SEP)) {
      const next = node[element];
      if (isObject(next)) node = next;
      else {
        const created: JsonObject = {};
        node[element] = created;
        node = created;
      }
    }
    owned.add(node);
  }
  // A node that is owned and also has owned children gets the "." marker.
  for (const node of owned) if (Object.keys(node).length > 0) node['.'] = {};
  return root;
}

/** Parses a FieldsV1 tree back into a field set. */
export function fromFieldsV1(tree: unknown): FieldSet {
  const out: FieldSet = new Set();
  const visit = (node: unknown, path: string[]): void => {
    if (!isObject(node)) return;
    const children = Object.keys(node).filter((k) => k !== '.');
    if (path.length > 0 && (children.length === 0 || Object.hasOwn(node, '.'))) out.add(path.join(SEP));
    for (const child of children) visit(node[child], [...path, child]);
  };
  visit(tree, []);
  return out;
}

/** A managedFields entry with its set parsed. */
export interface ManagerFields {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  fields: FieldSet;
}

/** Reads metadata.managedFields of a stored object. */
export function readManagedFields(object: KubeObject | undefined): ManagerFields[] {
  const entries = object?.metadata.managedFields ?? [];
  return entries.map((e) => {
    const m: ManagerFields = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fields: fromFieldsV1(e.fieldsV1),
    };
    if (e.subresource) m.subresource = e.subresource;
    return m;
  });
}

/** Writes parsed entries back as metadata.managedFields (empty sets dropped). */
export function writeManagedFields(entries: readonly ManagerFields[]): ManagedFieldsEntry[] {
  return entries
    .filter((e) => e.fields.size > 0)
    .map((e) => {
      const out: ManagedFieldsEntry = {
        manager: e.manager,
        operation: e.operation,
        apiVersion: e.apiVersion,
        time: e.time,
        fieldsType: 'FieldsV1',
        fieldsV1: toFieldsV1(e.fields),
      };
      if (e.subresource) out.subresource = e.subresource;
      return out;
    });
}

/** Renders a path the way apply conflict messages do: `.spec.containers[name="app"].image`. */
export function formatPath(path: string): string {
  return path
    .split(SEP)
    .map((element) => {
      if (element.startsWith('f:')) return `.${element.slice(2)}`;
      const key = JSON.parse(element.slice(2)) as Record<string, unknown>;
      const parts = Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      return `[${parts.join(',')}]`;
    })
    .join('');
}
