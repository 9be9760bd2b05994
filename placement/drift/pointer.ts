/**
 * JSON pointers (RFC 6901) as drift reports and `drift.ignoreFields` use them: `/spec/replicas`,
 * `/metadata/labels/app.kubernetes.io~1name`, `/spec/template/spec/containers/0/image`. In an
 * ignore pattern a segment may also be `*` (any key or index) or, for an item of a keyed list,
 * its key (`/spec/template/spec/containers/web/image`).
 */

/** Escapes one segment: `~` → `~0`, `/` → `~1`. */
export function escapePointerSegment(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Splits a pointer into unescaped segments ('' is the whole document: no segments). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * Whether an ignore pattern covers a path: the pattern is a prefix of it, segment by segment,
 * where `*` matches anything and a list item also matches by its key.
 */
export function pointerMatches(
  pattern: string,
  path: readonly { readonly key: string; readonly alias?: string }[],
): boolean {
  const p = parsePointer(pattern);
  if (p.length > path.length) return false;
  return p.every((seg, i) => {
    const s = path[i]!;
    return seg === '*' || seg === s.key || (s.alias !== undefined && seg === s.alias);
  });
}
