/**
 * JSON patch (RFC 6902, `application/json-patch+json`): add, remove, replace, move, copy, test over
 * JSON pointers (RFC 6901). Works on a deep copy; any failing operation rejects the whole patch,
 * as the apiserver does (a failed `test` or a missing path is a 422 there; the caller maps it).
 */
import { cloneJson, deepEqual, isObject } from './types.js';

/** Why a JSON patch could not be applied. */
export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(root: unknown, tokens: string[], op: string): { parent: unknown; last: string } {
  let current = root;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else current = undefined;
    if (current === undefined) {
      throw new JsonPatchError(`${op} operation does not apply: doc is missing path: /${tokens.join('/')}`);
    }
  }
  return { parent: current, last: tokens[tokens.length - 1] ?? '' };
}

function getAt(root: unknown, tokens: string[], op: string): unknown {
  if (tokens.length === 0) return root;
  const { parent, last } = parentOf(root, tokens, op);
  const value = Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined;
  if (value === undefined) {
    throw new JsonPatchError(`${op} operation does not apply: doc is missing path: /${tokens.join('/')}`);
  }
  return value;
}

function arrayIndex(parent: unknown[], last: string, allowEnd: boolean, op: string): number {
  if (last === '-' && allowEnd) return parent.length;
  const index = Number(last);
  const max = allowEnd ? parent.length : parent.length - 1;
  if (!/^\d+$/.test(last) || index > max)
    throw new JsonPatchError(`${op} operation: index out of range: ${last}`);
  return index;
}

function addAt(root: unknown, tokens: string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(root, tokens, 'add');
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, 'add'), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw new JsonPatchError(`add operation does not apply: doc is missing path: /${tokens.join('/')}`);
  return root;
}

function removeAt(root: unknown, tokens: string[], op: string): unknown {
  const { parent, last } = parentOf(root, tokens, op);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false, op), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw new JsonPatchError(`${op} operation does not apply: doc is missing path: /${tokens.join('/')}`);
  return root;
}

/** Applies a JSON patch document to a copy of `target` and returns the copy. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new JsonPatchError('json patch must be an array of operations');
  let doc = cloneJson(target);
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      throw new JsonPatchError(`invalid operation ${JSON.stringify(operation)}`);
    }
    const tokens = parsePointer(operation.path);
    const from = typeof operation.from === 'string' ? parsePointer(operation.from) : undefined;
    switch (operation.op) {
      case 'add':
        doc = addAt(doc, tokens, cloneJson(operation.value));
        break;
      case 'remove':
        doc = removeAt(doc, tokens, 'remove');
        break;
      case 'replace':
        getAt(doc, tokens, 'replace');
        doc =
          tokens.length === 0
            ? cloneJson(operation.value)
            : addAt(removeAt(doc, tokens, 'replace'), tokens, cloneJson(operation.value));
        break;
      case 'move': {
        if (!from) throw new JsonPatchError('move operation requires "from"');
        const value = getAt(doc, from, 'move');
        doc = addAt(removeAt(doc, from, 'move'), tokens, value);
        break;
      }
      case 'copy': {
        if (!from) throw new JsonPatchError('copy operation requires "from"');
        doc = addAt(doc, tokens, cloneJson(getAt(doc, from, 'copy')));
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, tokens, 'test'), operation.value)) {
          throw new JsonPatchError(`testing value /${tokens.join('/')} failed`);
        }
        break;
      default:
        throw new JsonPatchError(`Unexpected kind: ${operation.op}`);
    }
  }
  return doc;
}
