import { Redis, type RedisOptions } from 'ioredis';

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

/** Opens a connection to Redis. */
export function connectRedis(url: string, blocking = false): Redis {
  return new Redis(redisOptions(url, blocking));
}
