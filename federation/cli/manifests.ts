import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { usageError } from './errors.js';

/** One document of a manifest file, with where it came from. */
export interface ManifestDoc {
  /** File path, or `<stdin>`. */
  readonly source: string;
  /** 1-based number of the document in its file. */
  readonly document: number;
  /** 1-based line where the document starts. */
  readonly line: number;
  readonly object: unknown;
}

/** Options of `loadManifests`. */
export interface LoadManifestsOptions {
  /** Descend into sub-directories of a directory argument. */
  readonly recursive?: boolean;
  /** Where `-` reads from. Default `process.stdin`. */
  readonly stdin?: NodeJS.ReadableStream;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Reads every document of the given files, directories (their *.yaml, *.yml and *.json, sorted)
 * and `-` (stdin). Multi-document YAML is split; empty documents are skipped; a `kind: List` is
 * flattened into its items. Any syntax error is a usage error naming the file and line, and
 * nothing is returned, so nothing is sent.
 */
export async function loadManifests(
  paths: readonly string[],
  opts: LoadManifestsOptions = {},
): Promise<ManifestDoc[]> {
  if (paths.length === 0) throw usageError('give at least one -f FILE, DIR or -');
  const files: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      files.push(p);
      continue;
    }
    const st = await stat(p).catch(() => undefined);
    if (st === undefined) throw usageError(`${p}: no such file or directory`);
    if (st.isDirectory()) {
      const found = await listDir(p, opts.recursive ?? false);
      if (found.length === 0) throw usageError(`${p}: no *.yaml, *.yml or *.json files`);
      files.push(...found);
    } else files.push(p);
  }
  const docs: ManifestDoc[] = [];
  for (const f of files) {
    const text = f === '-' ? await readAll(opts.stdin ?? process.stdin) : await readFile(f, 'utf8');
    docs.push(...parseManifests(text, f === '-' ? '<stdin>' : f));
  }
  return docs;
}

/** Parses one file's text into its documents; throws a usage error at the first syntax error. */
export function parseManifests(text: string, source: string): ManifestDoc[] {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if ('empty' in parsed && parsed.errors.length > 0) {
    const e = parsed.errors[0]!;
    const pos = e.linePos?.[0];
    throw usageError(`${source}${pos ? `:${pos.line}:${pos.col}` : ''}: ${firstLine(e.message)}`);
  }
  const out: ManifestDoc[] = [];
  parsed.forEach((doc, i) => {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw usageError(`${source}${pos ? `:${pos.line}:${pos.col}` : ''}: ${firstLine(err.message)}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      const line = lineCounter.linePos(doc.range[0]).line;
      throw usageError(`${source}:${line}: ${(e as Error).message}`);
    }
    if (value === null || value === undefined) return;
    const line = lineCounter.linePos(doc.contents?.range[0] ?? doc.range[0]).line;
    const items = listItems(value);
    for (const object of items ?? [value]) out.push({ source, document: i + 1, line, object });
  });
  return out;
}

/** The items of a `kind: List` (or `*List`), else undefined. */
function listItems(value: unknown): unknown[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { kind?: unknown; items?: unknown };
  if (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) return v.items;
  return undefined;
}

async function listDir(dir: string, recursive: boolean): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...(await listDir(p, true)));
    } else if (EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** `app.yaml:12 (Deployment web)`: where a document is, for messages. */
export function describeDoc(doc: ManifestDoc): string {
  const o = doc.object as { kind?: unknown; metadata?: { name?: unknown } } | null;
  const what =
    typeof o?.kind === 'string'
      ? ` (${o.kind}${typeof o.metadata?.name === 'string' ? ` ${o.metadata.name}` : ''})`
      : '';
  return `${doc.source}:${doc.line}${what}`;
}
