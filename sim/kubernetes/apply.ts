/**
 * Server-side apply and field-manager bookkeeping, following the apiserver's fieldmanager:
 * - apply (`application/apply-patch+yaml`) merges the applied configuration into the live object,
 *   records the applied field set for the (manager, Apply) entry, refuses with 409 Conflict when a
 *   field it sets to a different value is owned by another manager (unless force, which takes the
 *   field over), and removes fields the manager applied before but omits now when nobody else owns
 *   them;
 * - every other write (create, update, patch) gives its manager ownership of the fields it changed
 *   (operation Update), taking them away from other managers without conflict.
 */
import { itemKey, keyString, listMapKeys } from './list-keys.js';
import type { FieldSet, FieldWalkOptions, ManagerFields } from './managed-fields.js';
import {
  fieldSetOf,
  formatPath,
  readManagedFields,
  removeAt,
  SEP,
  valueAt,
  withAncestors,
  writeManagedFields,
} from './managed-fields.js';
import { ApiError } from './status-errors.js';
import type { JsonObject, KubeObject } from './types.js';
import { cloneJson, deepEqual, isObject } from './types.js';

/** Inputs to an apply. */
export interface ApplyRequest {
  /** Current object, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The applied configuration (parsed body). */
  applied: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  now: string;
  walk: FieldWalkOptions;
}

/** Merges an apply into the live object and returns the new object (metadata.managedFields updated). */
export function serverSideApply(req: ApplyRequest): KubeObject {
  const entries = readManagedFields(req.live);
  const appliedSet = fieldSetOf(req.applied, req.walk);
  const live: JsonObject = req.live ? cloneJson(req.live) : {};

  const conflicts: { manager: string; apiVersion: string; path: string }[] = [];
  for (const entry of entries) {
    if (entry.manager === req.manager) continue;
    for (const path of appliedSet) {
      if (!entry.fields.has(path) || isItemPath(path)) continue;
      if (!deepEqual(valueAt(req.applied, path), valueAt(live, path))) {
        conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion, path });
      }
    }
  }
  if (conflicts.length > 0) {
    if (!req.force) throw applyConflict(conflicts);
    for (const c of conflicts) for (const e of entries) if (e.manager === c.manager) e.fields.delete(c.path);
  }

  let own = entries.find((e) => e.manager === req.manager && e.operation === 'Apply' && !e.subresource);
  const previous = own?.fields ?? new Set<string>();
  const othersCover = withAncestors(
    entries.filter((e) => e !== own && !e.subresource).flatMap((e) => [...e.fields]),
  );
  const appliedCover = withAncestors(appliedSet);
  // Drop what this manager stops applying, unless someone else still owns it (or something below it).
  const dropped = new Set([...previous].filter((p) => !appliedCover.has(p) && !othersCover.has(p)));
  // Remove outermost paths only: a dropped list item goes as a whole (its key fields locate it).
  const outermost = [...dropped].filter((p) => !ancestors(p).some((a) => dropped.has(a)));
  for (const path of outermost) removeAt(live, path);

  const merged = mergeApplied(live, req.applied, [], req.walk.structured) as KubeObject;
  if (!own) {
    own = {
      manager: req.manager,
      operation: 'Apply',
      apiVersion: req.apiVersion,
      time: req.now,
      fields: appliedSet,
    };
    entries.push(own);
  }
  own.fields = appliedSet;
  own.time = req.now;
  own.apiVersion = req.apiVersion;
  merged.metadata.managedFields = writeManagedFields(pruneMissing(entries, merged, req.walk));
  return merged;
}

/** Records a non-apply write by `manager`: it owns what it changed; others lose those fields. */
export function trackUpdate(
  previous: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  apiVersion: string,
  now: string,
  walk: FieldWalkOptions,
  subresource?: string,
): void {
  const entries = readManagedFields(previous);
  const nextSet = fieldSetOf(next, walk);
  const changed: FieldSet = new Set();
  for (const path of nextSet) {
    if (!previous || !deepEqual(valueAt(previous, path), valueAt(next, path))) changed.add(path);
  }
  if (changed.size > 0) {
    for (const e of entries) for (const p of changed) e.fields.delete(p);
    let own = entries.find(
      (e) => e.manager === manager && e.operation === 'Update' && e.subresource === subresource,
    );
    if (!own) {
      own = { manager, operation: 'Update', apiVersion, time: now, fields: new Set() };
      if (subresource) own.subresource = subresource;
      entries.push(own);
    }
    for (const p of changed) own.fields.add(p);
    own.time = now;
  }
  next.metadata.managedFields = writeManagedFields(pruneMissing(entries, next, walk));
}

// Forget ownership of fields that no longer exist in the object.
function pruneMissing(entries: ManagerFields[], object: KubeObject, walk: FieldWalkOptions): ManagerFields[] {
  const present = withAncestors(fieldSetOf(object, { ...walk, excludeStatus: false }));
  for (const e of entries) for (const p of e.fields) if (!present.has(p)) e.fields.delete(p);
  return entries;
}

function applyConflict(conflicts: { manager: string; apiVersion: string; path: string }[]): ApiError {
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const label = `"${c.manager}" using ${c.apiVersion}`;
    byManager.set(label, [...(byManager.get(label) ?? []), formatPath(c.path)]);
  }
  const n = conflicts.length;
  let message: string;
  if (n === 1 && conflicts[0]) {
    message = `Apply failed with 1 conflict: conflict with "${conflicts[0].manager}" using ${conflicts[0].apiVersion}: ${formatPath(conflicts[0].path)}`;
  } else {
    const lines = [...byManager.entries()].map(
      ([label, paths]) => `conflicts with ${label}:\n${paths.map((p) => `- ${p}`).join('\n')}`,
    );
    message = `Apply failed with ${n} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager}" using ${c.apiVersion}`,
      field: formatPath(c.path),
    })),
  });
}

// Applied values win; maps merge; associative lists merge by key; anything else is replaced.
function mergeApplied(live: unknown, applied: unknown, fieldPath: string[], structured: boolean): unknown {
  if (!isObject(applied)) return cloneJson(applied);
  const result: JsonObject = isObject(live) ? live : {};
  for (const [key, value] of Object.entries(applied)) {
    if (value === null || value === undefined) continue;
    const childPath = [...fieldPath, key];
    const keys = Array.isArray(value) ? listMapKeys(childPath, structured) : undefined;
    const current = result[key];
    if (keys && Array.isArray(value) && Array.isArray(current)) {
      result[key] = mergeList(current, value, keys, childPath, structured);
    } else {
      result[key] = mergeApplied(current, value, childPath, structured);
    }
  }
  return result;
}

function mergeList(
  live: unknown[],
  applied: unknown[],
  keys: readonly string[],
  fieldPath: string[],
  structured: boolean,
): unknown[] {
  const keyOf = (item: unknown): string | undefined => {
    const k = itemKey(item, keys);
    return k ? keyString(k) : undefined;
  };
  const appliedKeys = new Set(applied.map(keyOf));
  // Applied items in applied order, each merged over its live counterpart; then live-only items.
  const merged = applied.map((item) => {
    const k = keyOf(item);
    const current = k === undefined ? undefined : live.find((l) => keyOf(l) === k);
    return mergeApplied(current, item, fieldPath, structured);
  });
  for (const item of live) if (!appliedKeys.has(keyOf(item))) merged.push(item);
  return merged;
}

// Proper ancestors of a path, at element boundaries.
function ancestors(path: string): string[] {
  const out: string[] = [];
  let end = path.lastIndexOf(SEP);
  while (end > 0) {
    out.push(path.slice(0, end));
    end = path.lastIndexOf(SEP, end - 1);
  }
  return out;
}

/** True when `path` names a list item node (`k:` element last). */
export function isItemPath(path: string): boolean {
  const last = path.slice(path.lastIndexOf(SEP) + 1);
  return last.startsWith('k:');
}
