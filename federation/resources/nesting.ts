import { FedgateError } from '../errors/fedgate-error.js';

/**
 * The deepest nesting of objects and arrays accepted in one object. Real manifests stay far below
 * (a Deployment nests about 12 levels, a CRD's openAPIV3Schema a few dozen); much deeper values
 * break recursive code downstream (cloning, diffing, YAML output) with "Maximum call stack size
 * exceeded", so they are refused at the door.
 */
export const MAX_NESTING_DEPTH = 100;

/**
 * Throws `Invalid` naming the path where `value` nests deeper than `maxDepth` levels, and
 * `BadRequest` for a `__proto__` key (JSON.parse makes it an own property; merging it elsewhere
 * would reach the prototype). Iterative, so no depth can overflow the stack here.
 */
export function checkNesting(value: unknown, maxDepth = MAX_NESTING_DEPTH, root = ''): void {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: root }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) {
      const where = path || '.';
      throw new FedgateError('Invalid', `${where}: nested deeper than ${maxDepth} levels`, [
        { path: where, message: `nested deeper than ${maxDepth} levels (objects and lists)` },
      ]);
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], depth: depth + 1, path: `${path}[${i}]` });
      continue;
    }
    for (const key of Object.keys(v)) {
      if (key === '__proto__') {
        throw new FedgateError('BadRequest', 'malformed JSON body: "__proto__" keys are not accepted');
      }
      stack.push({
        v: (v as Record<string, unknown>)[key],
        depth: depth + 1,
        path: path ? `${path}.${key}` : key,
      });
    }
  }
}
