/**
 * RFC 6902 JSON Patch over plain JSON values, applied in place on a private copy. Paths are
 * RFC 6901 JSON pointers (`~1` is '/', `~0` is '~'; '-' appends to an array).
 */

/** One patch operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** A patch that cannot be applied; `index` is the failing operation. */
export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(`jsonPatch[${index}]: ${message}`);
  }
}

type Container = Record<string, unknown> | unknown[];

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid pointer ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`invalid array index ${token}`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new Error(`index ${i} out of range`);
  return i;
}

/** Resolves the parent container and last token of a pointer. */
function parentOf(doc: unknown, pointer: string): { parent: Container; key: string } {
  const ts = tokens(pointer);
  const key = ts.pop();
  if (key === undefined) throw new Error('the root cannot be patched');
  let cur: unknown = doc;
  for (const t of ts) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false)];
    else if (isContainer(cur) && Object.hasOwn(cur, t)) cur = (cur as Record<string, unknown>)[t];
    else throw new Error(`path ${pointer} does not exist`);
  }
  if (!isContainer(cur)) throw new Error(`path ${pointer} does not exist`);
  return { parent: cur, key };
}

function get(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const t of tokens(pointer)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false)];
    else if (isContainer(cur) && Object.hasOwn(cur, t)) cur = (cur as Record<string, unknown>)[t];
    else throw new Error(`path ${pointer} does not exist`);
  }
  return cur;
}

function add(doc: unknown, pointer: string, value: unknown): void {
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else parent[key] = value;
}

function remove(doc: unknown, pointer: string): unknown {
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false), 1)[0];
  if (!Object.hasOwn(parent, key)) throw new Error(`path ${pointer} does not exist`);
  const old = parent[key];
  delete parent[key];
  return old;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isContainer(a) && isContainer(b) && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return false;
}

/** Applies a patch to `doc` in place (pass a copy). Throws JsonPatchError. */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOperation[]): void {
  ops.forEach((op, i) => {
    try {
      switch (op.op) {
        case 'add':
          add(doc, op.path, structuredClone(op.value));
          break;
        case 'remove':
          remove(doc, op.path);
          break;
        case 'replace':
          remove(doc, op.path);
          add(doc, op.path, structuredClone(op.value));
          break;
        case 'move': {
          const from = op.from ?? '';
          if (op.path.startsWith(`${from}/`)) throw new Error('cannot move a value into itself');
          add(doc, op.path, remove(doc, from));
          break;
        }
        case 'copy':
          add(doc, op.path, structuredClone(get(doc, op.from ?? '')));
          break;
        case 'test':
          if (!equal(get(doc, op.path), op.value)) throw new Error(`test failed at ${op.path}`);
          break;
      }
    } catch (err) {
      if (err instanceof JsonPatchError) throw err;
      throw new JsonPatchError(i, err instanceof Error ? err.message : String(err));
    }
  });
}
