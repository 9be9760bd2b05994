/**
 * Compute Engine resource paths and selfLinks. Answers carry canonical selfLinks on
 * https://www.googleapis.com/compute/v1/ as the real API does; references in requests are accepted
 * as full URLs (any host), partial paths (`projects/p/global/networks/n`, `global/networks/n`) or names.
 */

/** Where a resource lives: global, a region or a zone. */
export type Scope =
  | { readonly kind: 'global' }
  | { readonly kind: 'regions'; readonly name: string }
  | { readonly kind: 'zones'; readonly name: string };

/** A resource's full address. */
export interface ResourcePath {
  readonly project: string;
  readonly scope: Scope;
  readonly collection: string;
  readonly name: string;
}

export const API_BASE = 'https://www.googleapis.com/compute/v1/';

/** `global`, `regions/r` or `zones/z`. */
export function scopePath(scope: Scope): string {
  return scope.kind === 'global' ? 'global' : `${scope.kind}/${scope.name}`;
}

/** `projects/p/regions/r/subnetworks/s` (the form GCE error messages use). */
export function relativePath(p: ResourcePath): string {
  return `projects/${p.project}/${scopePath(p.scope)}/${p.collection}/${p.name}`;
}

/** The canonical selfLink. */
export function selfLink(p: ResourcePath): string {
  return API_BASE + relativePath(p);
}

/** The selfLink of a region or zone (`…/projects/p/regions/r`). */
export function locationLink(project: string, scope: Scope): string {
  return `${API_BASE}projects/${project}/${scopePath(scope)}`;
}

/** The region a zone belongs to (`europe-west1-b` → `europe-west1`). */
export function regionOfZone(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
}

/**
 * Resolves a reference in a request body to a resource path; `collection` and `scope` apply when
 * the reference is a bare name. Undefined when it cannot be a reference of that collection.
 */
export function parseReference(
  ref: string,
  project: string,
  collection: string,
  scope: Scope,
): ResourcePath | undefined {
  if (/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(ref)) return { project, scope, collection, name: ref };
  const idx = ref.indexOf('projects/');
  const rest = idx >= 0 ? ref.slice(idx) : `projects/${project}/${ref}`;
  const m = /^projects\/([^/]+)\/(global|regions\/[^/]+|zones\/[^/]+)\/([^/]+)\/([^/?]+)$/.exec(rest);
  if (!m || m[3] !== collection) return undefined;
  const [kind, name] = m[2]!.split('/');
  const s: Scope =
    kind === 'global' ? { kind: 'global' } : { kind: kind as 'regions' | 'zones', name: name! };
  return { project: m[1]!, scope: s, collection, name: m[4]! };
}
