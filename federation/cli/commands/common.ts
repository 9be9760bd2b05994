import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { readCliConfig } from '../config.js';
import { usageError } from '../errors.js';
import { type ResolvedKind, resolveKind } from '../kinds.js';

/** Options every client command takes. */
export interface ClientOptions {
  stateDir?: string;
  server?: string;
  token?: string;
}

/** Adds `--state-dir`, `--server` and `--token` to a client command. */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .option(
      '--state-dir <dir>',
      'state directory holding config.json (default: FEDGATE_STATE_DIR, or the nearest .fedgate/)',
    )
    .option('--server <url>', 'API server URL (default: FEDGATE_SERVER, or config.json)')
    .option('--token <token>', 'API token (default: FEDGATE_TOKEN, or config.json)');
}

/** The API client for a command's options (exit 3 when not configured). */
export async function clientFor(opts: ClientOptions): Promise<ApiClient> {
  const config = await readCliConfig({
    ...(opts.stateDir === undefined ? {} : { stateDir: opts.stateDir }),
    ...(opts.server === undefined ? {} : { server: opts.server }),
    ...(opts.token === undefined ? {} : { token: opts.token }),
  });
  return ApiClient.fromConfig(config);
}

/** Options that pick a namespace. */
export interface NamespaceOptions {
  namespace?: string;
  allNamespaces?: boolean;
}

/** The namespace of a request for a kind: undefined for cluster-scoped kinds, else `-n` or `default`. */
export function namespaceFor(kind: ResolvedKind, opts: NamespaceOptions): string | undefined {
  if (kind.scope === 'Cluster') return undefined;
  return opts.namespace ?? 'default';
}

/**
 * Splits `KIND NAME…` or `KIND/NAME…` arguments into a kind and names. All `KIND/NAME` arguments
 * must name the same kind.
 */
export function kindAndNames(args: readonly string[]): { kind: ResolvedKind; names: string[] } {
  const [first, ...rest] = args;
  if (first === undefined) throw usageError('give a kind, e.g. deployments, memberclusters, deploy/web');
  if (first.includes('/')) {
    const pairs = args.map((a) => {
      const i = a.indexOf('/');
      if (i <= 0 || i === a.length - 1) throw usageError(`"${a}" is not KIND/NAME`);
      return { kind: resolveKind(a.slice(0, i)), name: a.slice(i + 1) };
    });
    const kind = pairs[0]!.kind;
    if (pairs.some((p) => p.kind.typeKey !== kind.typeKey)) {
      throw usageError('all KIND/NAME arguments must be of one kind');
    }
    return { kind, names: pairs.map((p) => p.name) };
  }
  return { kind: resolveKind(first), names: rest };
}

/** Parses a duration like `90s`, `2m`, `500ms`, `1h` or a number of seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw usageError(`"${s}" is not a duration (e.g. 60s, 2m, 500ms)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

/** Writes to stdout. */
export function out(s: string): void {
  process.stdout.write(s);
}

/** Writes to stderr. */
export function err(s: string): void {
  process.stderr.write(s);
}

/** Commander option parser for a repeatable option (`-f a -f b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
