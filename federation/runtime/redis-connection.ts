import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** ioredis options for a redis:// URL; `blocking` connections (workers, stream readers) never give up a command. */
export function redisOptions(url: string, blocking = false): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new Error(`REDIS_URL must be redis:// or rediss://, got ${u.protocol}`);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: blocking ? null : 20,
    enableReadyCheck: true,
    // Reconnect with a capped backoff: a Redis restart is an outage to ride out, not a crash.
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
  };
}

/**
 * Opens a connection to Redis. Connection errors are reported once per outage (ioredis keeps
 * reconnecting; commands fail or wait meanwhile), and the recovery once, instead of ioredis'
 * "Unhandled error event" on every retry.
 */
export function connectRedis(url: string, blocking = false, log?: Logger): Redis {
  const redis = new Redis(redisOptions(url, blocking));
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log?.warn({ err: err.message, redis: redactedUrl(url) }, 'Redis connection lost; reconnecting');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log?.info({ redis: redactedUrl(url) }, 'Redis connection restored');
  });
  return redis;
}

/** A Redis URL fit for logs: the password masked. */
export function redactedUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
