/** The simulator's state: every resource as the JSON GCE answers with, keyed by its path. */
import type { ResourcePath, Scope } from './links.js';
import { relativePath, scopePath } from './links.js';

/** A resource as GCE serializes it. */
export type GceResource = Record<string, unknown>;

/** Resources of all projects, in insertion order. */
export class GceStore {
  readonly #items = new Map<string, { path: ResourcePath; value: GceResource }>();
  #nextId = 1_000_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)) * 1000n;

  /** A fresh numeric id, as GCE's uint64 ids (serialized as strings). */
  newId(): string {
    this.#nextId += 7919n;
    return this.#nextId.toString();
  }

  get(path: ResourcePath): GceResource | undefined {
    return this.#items.get(relativePath(path))?.value;
  }

  put(path: ResourcePath, value: GceResource): void {
    this.#items.set(relativePath(path), { path, value });
  }

  delete(path: ResourcePath): boolean {
    return this.#items.delete(relativePath(path));
  }

  /** Resources of one collection in every project. */
  all(collection: string): { path: ResourcePath; value: GceResource }[] {
    return [...this.#items.values()].filter((i) => i.path.collection === collection);
  }

  /** Resources of one collection, in one scope or (scope undefined) in all. */
  list(project: string, collection: string, scope?: Scope): { path: ResourcePath; value: GceResource }[] {
    const out: { path: ResourcePath; value: GceResource }[] = [];
    for (const item of this.#items.values()) {
      const p = item.path;
      if (p.project !== project || p.collection !== collection) continue;
      if (scope && scopePath(p.scope) !== scopePath(scope)) continue;
      out.push(item);
    }
    return out;
  }
}

/** One page of a list and the token of the next one. */
export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken?: string;
}

/** Cuts `items` into pages of `maxResults` (default and cap 500, as GCE); the token is opaque. */
export function paginate<T>(
  items: readonly T[],
  maxResults: string | null,
  pageToken: string | null,
): Page<T> {
  const size = Math.min(500, Math.max(1, Number(maxResults ?? 500) || 500));
  let offset = 0;
  if (pageToken) {
    const decoded = Number(Buffer.from(pageToken, 'base64url').toString('utf8').replace(/^o:/, ''));
    offset = Number.isInteger(decoded) && decoded >= 0 ? decoded : 0;
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length
    ? { items: slice, nextPageToken: Buffer.from(`o:${next}`).toString('base64url') }
    : { items: slice };
}
