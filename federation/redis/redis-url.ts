/**
 * Where fedgate's Redis is, parsed from `REDIS_URL`:
 *
 * - `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS): one server;
 * - `redis+sentinel://[user:password@]host:port,host:port,…/primary-name[/db][?sentinelPassword=…]`
 *   (or `rediss+sentinel://`): the primary that these Sentinels manage under that name. The
 *   user and password are the data nodes'; Sentinels that need their own give `sentinelUsername`
 *   and `sentinelPassword` in the query.
 *
 * Pure parsing, no I/O; every error names what is wrong with the URL (never echoing a password).
 */

/** One host:port pair. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Credentials and options shared by both kinds of target. */
interface TargetCommon {
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
  readonly tls: boolean;
}

/** A single Redis server. */
export interface DirectTarget extends TargetCommon {
  readonly kind: 'direct';
  readonly host: string;
  readonly port: number;
}

/** A primary managed by Redis Sentinel: the Sentinels to ask and the name they know it by. */
export interface SentinelTarget extends TargetCommon {
  readonly kind: 'sentinel';
  readonly sentinels: readonly HostPort[];
  readonly name: string;
  readonly sentinelUsername?: string;
  readonly sentinelPassword?: string;
}

/** What a Redis URL names. */
export type RedisTarget = DirectTarget | SentinelTarget;

/** Default port of a Redis server. */
const REDIS_PORT = 6379;
/** Default port of a Sentinel. */
const SENTINEL_PORT = 26379;

/** Parses a Redis URL (see the module comment); throws an Error naming the problem. */
export function parseRedisUrl(url: string): RedisTarget {
  const scheme = /^([a-z+]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') return parseDirect(url, scheme === 'rediss');
  if (scheme === 'redis+sentinel' || scheme === 'rediss+sentinel')
    return parseSentinel(url, scheme === 'rediss+sentinel');
  throw new Error(
    `REDIS_URL must be redis://, rediss://, redis+sentinel:// or rediss+sentinel://, got ${scheme ? `${scheme}://` : `"${redactedRedisUrl(url)}"`}`,
  );
}

function parseDirect(url: string, tls: boolean): DirectTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`REDIS_URL is not a valid URL: ${redactedRedisUrl(url)}`);
  }
  return {
    kind: 'direct',
    host: u.hostname,
    port: u.port ? Number(u.port) : REDIS_PORT,
    db: database(u.pathname.slice(1)),
    tls,
    ...credentials(u.username, u.password),
  };
}

function parseSentinel(url: string, tls: boolean): SentinelTarget {
  const rest = url.slice(url.indexOf('://') + 3);
  const [beforeQuery = '', query = ''] = splitOnce(rest, '?');
  const [authority = '', path = ''] = splitOnce(beforeQuery, '/');
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at);
  const hostList = authority.slice(at + 1);
  const sentinels = hostList
    .split(',')
    .filter((h) => h !== '')
    .map((h) => hostPort(h));
  if (sentinels.length === 0)
    throw new Error('REDIS_URL: a redis+sentinel:// URL lists the Sentinels as host:port,host:port');
  const [name = '', db = ''] = path.split('/');
  if (name === '')
    throw new Error(
      'REDIS_URL: a redis+sentinel:// URL names the primary after the Sentinels: redis+sentinel://host:26379,host:26380/mymaster',
    );
  const [user = '', password = ''] = splitOnce(userinfo, ':');
  const params = new URLSearchParams(query);
  for (const key of params.keys()) {
    if (key !== 'sentinelUsername' && key !== 'sentinelPassword')
      throw new Error(
        `REDIS_URL: unknown query parameter "${key}" (known: sentinelUsername, sentinelPassword)`,
      );
  }
  const sentinelUsername = params.get('sentinelUsername');
  const sentinelPassword = params.get('sentinelPassword');
  return {
    kind: 'sentinel',
    sentinels,
    name: decodeURIComponent(name),
    db: database(db),
    tls,
    ...credentials(user, password),
    ...(sentinelUsername ? { sentinelUsername } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
  };
}

/** The URL fit for logs: passwords masked. */
export function redactedRedisUrl(url: string): string {
  return url
    .replace(/^([a-z+]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@')
    .replace(/([?&]sentinelPassword=)[^&]*/, '$1***');
}

function hostPort(s: string): HostPort {
  const m = /^\[([^\]]+)\](?::(\d+))?$|^([^:]+)(?::(\d+))?$/.exec(s);
  const host = m?.[1] ?? m?.[3];
  const port = Number(m?.[2] ?? m?.[4] ?? SENTINEL_PORT);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`REDIS_URL: "${s}" is not a Sentinel host:port`);
  return { host, port };
}

function database(s: string): number {
  if (s === '') return 0;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`REDIS_URL: database "${s}" is not a number`);
  return n;
}

function credentials(user: string, password: string): { username?: string; password?: string } {
  return {
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
  };
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}
