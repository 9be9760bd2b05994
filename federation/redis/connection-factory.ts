import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { parseRedisUrl, redactedRedisUrl } from './redis-url.js';

/**
 * How a connection behaves while Redis is unreachable (restarting, or failing over to a replica):
 * - `command`: a worker's store and queue commands wait through up to 20 reconnects, riding out a
 *   restart or a Sentinel failover;
 * - `blocking`: BullMQ workers and change-feed readers never give a command up;
 * - `request`: commands serving an API request fail after one reconnect, so a caller gets 503 at
 *   once instead of waiting out the retries.
 */
export type ConnectionRole = 'command' | 'blocking' | 'request';

/**
 * ioredis options for a Redis URL (see redis-url.ts: a server, or a Sentinel-managed primary), for
 * connections of `role` (`true` is `blocking`, `false` is `command`, as earlier callers pass it).
 * BullMQ takes these options as they are and opens its own connections from them.
 */
export function redisOptions(url: string, role: ConnectionRole | boolean = 'command'): RedisOptions {
  const r: ConnectionRole = role === true ? 'blocking' : role === false ? 'command' : role;
  const target = parseRedisUrl(url);
  const common: RedisOptions = {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.db ? { db: target.db } : {}),
    ...(target.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: r === 'blocking' ? null : r === 'request' ? 1 : 20,
    enableReadyCheck: true,
    // Reconnect with a capped backoff: a Redis restart or failover is an outage to ride out, not a crash.
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
    // A primary demoted to replica answers writes with READONLY: reconnect (through the Sentinels,
    // to the promoted one) and resend the command.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
  if (target.kind === 'direct') return { ...common, host: target.host, port: target.port };
  return {
    ...common,
    sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: target.name,
    role: 'master',
    ...(target.sentinelUsername ? { sentinelUsername: target.sentinelUsername } : {}),
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(target.tls ? { enableTLSForSentinelMode: true } : {}),
    // Ask the Sentinels again soon after they were all unreachable.
    sentinelRetryStrategy: (times) => Math.min(100 * times, 2_000),
  };
}

/**
 * Opens a connection to the Redis of `url` (the one way fedgate connects: API, store, watch hub,
 * queues and workers). Connection errors are reported once per outage (ioredis keeps reconnecting;
 * commands fail or wait meanwhile, by `role`), and the recovery once, instead of ioredis'
 * "Unhandled error event" on every retry.
 */
export function connectRedis(url: string, role: ConnectionRole | boolean = 'command', log?: Logger): Redis {
  return reportingErrors(new Redis(redisOptions(url, role)), redactedRedisUrl(url), log);
}

/**
 * A new connection with the settings of `source` (its URL, Sentinels and credentials) and the
 * given overrides, reporting its errors as `connectRedis` does: ioredis' own `duplicate()` leaves
 * the copy without an error listener.
 */
export function duplicateRedis(source: Redis, overrides: Partial<RedisOptions> = {}, log?: Logger): Redis {
  const o = source.options;
  const where = o.sentinels
    ? `sentinel ${o.name ?? ''} via ${o.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`
    : `${o.host}:${o.port}`;
  return reportingErrors(source.duplicate(overrides), where, log);
}

/** Connections of the factory that have been ready at least once. */
const connected = new WeakSet<Redis>();

/**
 * Why commands on `redis` cannot run now — it was connected and lost Redis, and is reconnecting —
 * or undefined when they can (or when it is still making its first connection: commands wait for it).
 */
export function redisUnavailableReason(redis: Redis): string | undefined {
  if (redis.status === 'ready' || !connected.has(redis)) return undefined;
  return `Redis unavailable (connection ${redis.status})`;
}

/**
 * True when `err` says Redis could not be reached or could not take the command now (down,
 * reconnecting, failing over, loading its data): worth a 503 and a retry, not a 500.
 */
export function isRedisUnavailable(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return /^(READONLY|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b|Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|All sentinels are unreachable/.test(
    err.message,
  );
}

/** Waits until `redis` is ready, at most `timeoutMs`; true when it is. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}

function reportingErrors(redis: Redis, where: string, log: Logger | undefined): Redis {
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log?.warn({ err: err.message, redis: where }, 'Redis connection lost; reconnecting');
  });
  redis.on('ready', () => {
    connected.add(redis);
    if (!down) return;
    down = false;
    log?.info({ redis: where }, 'Redis connection restored');
  });
  return redis;
}
