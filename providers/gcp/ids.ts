/** Names, links and idempotency keys of Compute Engine resources. */
import { createHash } from 'node:crypto';

const API_BASE = 'https://www.googleapis.com/compute/v1/';
/** A fixed namespace for fedgate's requestIds (UUIDv5). */
const NAMESPACE = Buffer.from('6f0d1c52a3b94e5e9b7f2c4d8e1a3b5c', 'hex');

/**
 * A UUIDv5 of `key`: the requestId of one logical create, stable across retries and restarts, so
 * GCE answers a repeated insert with the first one's operation instead of doing it twice.
 */
export function requestIdFor(key: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(key).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The last path segment of a link (`…/networks/net1` → `net1`), or the name itself. */
export function nameOf(link: string): string {
  return link.slice(link.lastIndexOf('/') + 1);
}

/** The value after `/segment/` in a link (`zones`, `regions`, `projects`). */
export function segmentOf(link: string, segment: string): string | undefined {
  return new RegExp(`(?:^|/)${segment}/([^/]+)`).exec(link)?.[1];
}

/** The canonical selfLink of a global resource of a project, from a name or any link form. */
export function globalLink(project: string, collection: string, idOrName: string): string {
  if (idOrName.includes('/')) return API_BASE + idOrName.slice(Math.max(0, idOrName.indexOf('projects/')));
  return `${API_BASE}projects/${project}/global/${collection}/${idOrName}`;
}

/** The canonical selfLink of a regional or zonal resource. */
export function scopedLink(
  project: string,
  kind: 'regions' | 'zones',
  where: string,
  collection: string,
  name: string,
): string {
  return `${API_BASE}projects/${project}/${kind}/${where}/${collection}/${name}`;
}

/** GCE labels from tags: lowercase keys and values of [a-z0-9_-], at most 63 characters. */
export function toLabels(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, '-')
      .slice(0, 63);
  for (const [k, v] of Object.entries(tags ?? {})) {
    const key = clean(k).replace(/^[^a-z]+/, '');
    if (key) out[key] = clean(v);
  }
  return out;
}
