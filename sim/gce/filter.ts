/**
 * The list filter expressions GCE accepts, the subset clients use: `field = "value"`,
 * `field != value`, `field eq regex`, `field ne regex`, on dotted paths (`labels.goog-k8s-cluster-name`),
 * joined by `AND` or written as parenthesized groups `(a) (b)`.
 */
import { invalid } from './errors.js';

type Clause = { path: string[]; op: '=' | '!=' | 'eq' | 'ne'; value: string };

/** Compiles a filter into a predicate; a filter it cannot read is a 400 naming `filter`. */
export function compileFilter(filter: string | null): (item: Record<string, unknown>) => boolean {
  if (!filter?.trim()) return () => true;
  const parts = /^\s*\(/.test(filter)
    ? [...filter.matchAll(/\(([^()]*)\)/g)].map((m) => m[1]!)
    : filter.split(/\s+AND\s+/i);
  const clauses = parts.map((p) => parseClause(p.trim()));
  return (item) => clauses.every((c) => matches(item, c));
}

function parseClause(text: string): Clause {
  const m = /^([A-Za-z0-9_.-]+)\s*(!=|=|\beq\b|\bne\b)\s*(.+)$/.exec(text);
  if (!m) throw invalid('filter', `Invalid list filter expression '${text}'.`);
  const raw = m[3]!.trim();
  const value = /^".*"$|^'.*'$/.test(raw) ? raw.slice(1, -1) : raw;
  return { path: m[1]!.split('.'), op: m[2] as Clause['op'], value };
}

function matches(item: Record<string, unknown>, c: Clause): boolean {
  let v: unknown = item;
  for (const key of c.path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  const actual = v === undefined || v === null ? '' : String(v);
  switch (c.op) {
    case '=':
      return actual === c.value;
    case '!=':
      return actual !== c.value;
    case 'eq':
      return new RegExp(`^(?:${c.value})$`).test(actual);
    case 'ne':
      return !new RegExp(`^(?:${c.value})$`).test(actual);
  }
}
