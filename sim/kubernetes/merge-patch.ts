/**
 * JSON merge patch (RFC 7386, `application/merge-patch+json`) and the strategic merge patch subset
 * (`application/strategic-merge-patch+json`): maps merge recursively and `null` deletes, like a
 * merge patch, but lists with a merge key (containers by name, env by name, ports by containerPort…)
 * merge item by item, and `$patch: delete|replace` directives are honoured. Both return a new value
 * and never mutate their inputs.
 */
import { itemKey, keyString, listMapKeys } from './list-keys.js';
import { badRequest } from './status-errors.js';
import { isObject } from './types.js';

/** Applies an RFC 7386 merge patch. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** Applies a strategic merge patch; `structured` is false for custom kinds (then it is a merge patch). */
export function applyStrategicMergePatch(target: unknown, patch: unknown, structured = true): unknown {
  return smp(target, patch, [], structured);
}

function smp(target: unknown, patch: unknown, path: string[], structured: boolean): unknown {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return rest;
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    // Directives kubectl adds for ordering and retention; order is not significant here.
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const childPath = [...path, key];
    const keys = Array.isArray(value) ? listMapKeys(childPath, structured) : undefined;
    if (keys && Array.isArray(value)) {
      const current = result[key];
      result[key] = mergeList(Array.isArray(current) ? current : [], value, keys, childPath, structured);
    } else {
      const merged = smp(result[key], value, childPath, structured);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  return result;
}

function mergeList(
  current: unknown[],
  patch: unknown[],
  keys: readonly string[],
  path: string[],
  structured: boolean,
): unknown[] {
  const result = [...current];
  const indexOf = (key: string): number =>
    result.findIndex((item) => {
      const k = itemKey(item, keys);
      return k !== undefined && keyString(k) === key;
    });
  for (const item of patch) {
    const key = itemKey(item, keys);
    if (!key)
      throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${keys[0]}`);
    const index = indexOf(keyString(key));
    if (isObject(item) && item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = smp(result[index], item, path, structured);
    else result.push(smp(undefined, item, path, structured));
  }
  return result;
}
