/**
 * diffManaged: where an object in a member cluster differs from the manifest fedgate applied to
 * it, looking only at the fields fedgate manages — the desired manifest's own fields, as
 * server-side apply would own them. Fields the cluster adds (defaults, status, managedFields,
 * resourceVersion, another manager's labels or list items) are never drift.
 *
 * Comparison rules, following the apiserver:
 * - objects: every key of the desired object is compared; extra live keys are someone else's;
 * - lists of objects with a merge key (containers by name, ports by port+protocol, …) are
 *   matched by key, other lists of objects by position; extra live items are not drift;
 * - lists of scalars (args, command, finalizers…) are atomic: compared whole;
 * - a desired zero value (null, '', 0, false, {}, []) equals an absent live field (omitempty);
 * - resource quantities compare by value ('0.5' = '500m', '1Gi' = '1024Mi');
 * - a Secret's stringData compares against its base64 data, as the apiserver folds it in.
 *
 * Cost: one visit per field of the desired manifest and one per item of each live list (keyed
 * lists are indexed once, not searched per item), so a diff is linear in the size of the two
 * objects. What one object may cost is bounded by what the API accepts: a body of at most 4 MiB
 * nested at most 100 levels deep (federation/resources/nesting.ts), so a path copy per field costs
 * at most 100 segments.
 */
import { parseQuantity } from '../template/quantity.js';
import { escapePointerSegment, pointerMatches } from './pointer.js';

/** One field whose live value is not the one fedgate applied. */
export interface DriftedField {
  /** JSON pointer into the desired manifest (list items by their index there). */
  readonly path: string;
  readonly desired: unknown;
  /** undefined when the live object lacks the field. */
  readonly live: unknown;
}

/** Options of a diff. */
export interface DiffOptions {
  /** JSON pointers never reported (with everything below them); `*` matches any one segment. */
  readonly ignoreFields?: readonly string[];
}

/** A path segment: the key or list index, and for keyed list items the item's key value too. */
interface Segment {
  readonly key: string;
  readonly alias?: string;
}

/** Merge keys of the associative lists of the Kubernetes built-in kinds, by field name. */
const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  imagePullSecrets: ['name'],
  resourceClaims: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
};

/** Ancestors under which string values are resource quantities. */
const QUANTITY_PARENTS = new Set(['requests', 'limits', 'hard', 'capacity', 'overhead', 'allocatable']);

/** One difference, with its path as segments. */
interface Difference {
  readonly segments: Segment[];
  readonly desired: unknown;
  readonly live: unknown;
}

/** Compares the desired manifest with the live object; returns the drifted fields, sorted by path. */
export function diffManaged(desired: unknown, live: unknown, opts: DiffOptions = {}): DriftedField[] {
  const ignore = opts.ignoreFields ?? [];
  return differences(desired, live)
    .filter((d) => !ignore.some((p) => pointerMatches(p, d.segments)))
    .map((d) => ({ path: toPointer(d.segments), desired: d.desired, live: d.live }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The manifest to apply over an existing object when some fields are ignored: each ignored field
 * that differs keeps its live value (or is left out when the live object lacks it), so applying
 * never takes back what the cluster owns there, such as the replicas an HPA set.
 */
export function retainIgnored<T>(desired: T, live: unknown, ignoreFields: readonly string[]): T {
  if (ignoreFields.length === 0) return desired;
  const ignored = differences(desired, live).filter((d) =>
    ignoreFields.some((p) => pointerMatches(p, d.segments)),
  );
  if (ignored.length === 0) return desired;
  const out = structuredClone(desired);
  // Deepest and highest indices first, so removing a list item does not shift the ones still to do.
  const byPath = ignored.map((d) => ({ keys: d.segments.map((s) => s.key), live: d.live }));
  byPath.sort((a, b) => comparePaths(b.keys, a.keys));
  for (const d of byPath) setAt(out, d.keys, d.live);
  return out;
}

function differences(desired: unknown, live: unknown): Difference[] {
  const out: Difference[] = [];
  walk(normalizeDesired(desired), live, [], out);
  return out;
}

/** Sets (or, for undefined, removes) the value at a path of existing containers; a missing parent is left alone. */
function setAt(root: unknown, keys: readonly string[], value: unknown): void {
  if (keys.length === 0) return;
  let node: unknown = root;
  for (const k of keys.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(k)] : isPlainObject(node) ? node[k] : undefined;
    if (node === undefined || node === null) return;
  }
  const last = keys.at(-1)!;
  if (Array.isArray(node)) {
    const i = Number(last);
    if (value === undefined) node.splice(i, 1);
    else node[i] = structuredClone(value);
  } else if (isPlainObject(node)) {
    if (value === undefined) delete node[last];
    else node[last] = structuredClone(value);
  }
}

/** Orders paths segment by segment, list indices numerically. */
function comparePaths(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const nx = Number(x);
    const ny = Number(y);
    if (Number.isInteger(nx) && Number.isInteger(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function walk(d: unknown, l: unknown, path: Segment[], out: Difference[]): void {
  if (isZero(d) && (l === undefined || l === null)) return;
  if (d === null || d === undefined) return; // no opinion: nothing fedgate owns here
  if (isPlainObject(d)) {
    if (!isPlainObject(l)) {
      out.push({ segments: path, desired: d, live: l });
      return;
    }
    for (const [k, v] of Object.entries(d)) walk(v, l[k], [...path, { key: k }], out);
    return;
  }
  if (Array.isArray(d)) {
    if (!Array.isArray(l)) {
      out.push({ segments: path, desired: d, live: l });
      return;
    }
    walkList(d, l, path, out);
    return;
  }
  if (!scalarEqual(d, l, path)) out.push({ segments: path, desired: d, live: l });
}

function walkList(d: unknown[], l: unknown[], path: Segment[], out: Difference[]): void {
  if (!d.every(isPlainObject)) {
    if (!deepEqual(d, l)) out.push({ segments: path, desired: d, live: l });
    return;
  }
  const keyOf = mergeKeyFor(path.at(-1)?.key ?? '', d);
  // Live items by merge key, first one winning as the apiserver's merge does: one pass over each
  // list, so a list of n items costs O(n), not O(n²) (10,000 containers once took minutes).
  const live = keyOf ? indexByKey(l, keyOf) : undefined;
  d.forEach((item, i) => {
    const key = keyOf?.(item);
    const match = live && key !== undefined ? live.get(key) : l[i];
    const seg: Segment = { key: String(i), ...(key !== undefined ? { alias: key } : {}) };
    if (match === undefined) out.push({ segments: [...path, seg], desired: item, live: undefined });
    else walk(item, match, [...path, seg], out);
  });
}

function indexByKey(
  items: readonly unknown[],
  keyOf: (item: Record<string, unknown>) => string,
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const x of items) {
    if (!isPlainObject(x)) continue;
    const k = keyOf(x);
    if (!out.has(k)) out.set(k, x);
  }
  return out;
}

/** How items of a list of objects are identified, or undefined to match them by position. */
function mergeKeyFor(
  field: string,
  items: readonly Record<string, unknown>[],
): ((item: Record<string, unknown>) => string) | undefined {
  if (field === 'ports') {
    // Container ports are keyed by containerPort, Service ports by port; both with protocol (default TCP).
    const by = items.every((p) => p.containerPort !== undefined) ? 'containerPort' : 'port';
    if (!items.every((p) => p[by] !== undefined)) return undefined;
    return (p) => `${String(p[by])}/${typeof p.protocol === 'string' ? p.protocol : 'TCP'}`;
  }
  const keys = MERGE_KEYS[field] ?? (items.every((i) => typeof i.name === 'string') ? ['name'] : undefined);
  if (!keys || !items.every((i) => keys.every((k) => i[k] !== undefined))) return undefined;
  return (item) => keys.map((k) => String(item[k])).join('/');
}

function scalarEqual(d: unknown, l: unknown, path: readonly Segment[]): boolean {
  if (d === l) return true;
  const quantity =
    (typeof d === 'string' || typeof d === 'number') &&
    (typeof l === 'string' || typeof l === 'number') &&
    (path.at(-1)?.key === 'sizeLimit' || path.some((s) => QUANTITY_PARENTS.has(s.key)));
  if (!quantity) return false;
  try {
    return parseQuantity(d) === parseQuantity(l);
  } catch {
    return false;
  }
}

/** Zero values are omitted by the apiserver (omitempty), so they equal an absent field. */
function isZero(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isPlainObject(v) && Object.keys(v).length === 0;
}

/** What the apiserver stores for the desired manifest: a Secret's stringData folded into data. */
function normalizeDesired(desired: unknown): unknown {
  if (!isPlainObject(desired) || desired.kind !== 'Secret' || !isPlainObject(desired.stringData)) {
    return desired;
  }
  const { stringData, ...rest } = desired;
  const data: Record<string, unknown> = { ...(isPlainObject(rest.data) ? rest.data : {}) };
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  return { ...rest, data };
}

function toPointer(segments: readonly Segment[]): string {
  return segments.map((s) => `/${escapePointerSegment(s.key)}`).join('');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
