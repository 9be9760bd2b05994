import { stringify } from 'yaml';

/** A column of a table: its header and how to get a cell from an object. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
}

/** Renders rows as a kubectl-like table: upper-case headers, columns padded, three spaces apart. */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((r) => columns.map((c) => oneLine(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: readonly string[]) =>
    vals
      .map((v, i) => (i === vals.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return `${[line(columns.map((c) => c.header)), ...cells.map(line)].join('\n')}\n`;
}

/** kubectl-like age of a timestamp: `45s`, `12m`, `5h`, `3d`; `<unknown>` when absent. */
export function age(timestamp: unknown, now: number = Date.now()): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** Objects as pretty JSON. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Objects as YAML. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

/** Reads a nested field without throwing (`get(o, 'status', 'nodes')`). */
export function field(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** A value as a table cell: `<none>` when absent. */
export function cell(v: unknown): string {
  if (v === undefined || v === null || v === '') return '<none>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Labels as `a=b,c=d`. */
export function formatLabels(labels: unknown): string {
  if (typeof labels !== 'object' || labels === null) return '<none>';
  const entries = Object.entries(labels as Record<string, unknown>);
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
