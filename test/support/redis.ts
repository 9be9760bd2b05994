import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { redisOptions } from '../../federation/redis/connection-factory.js';

/** A connection to the run's test Redis and a key prefix no other test uses. */
export interface TestRedis {
  readonly url: string;
  readonly prefix: string;
  /** A new connection (closed by `close()`). */
  connect(opts?: { blocking?: boolean }): Redis;
  /** Deletes this test's keys and closes every connection it opened. */
  close(): Promise<void>;
}

/** Gives a test its own slice of the shared test Redis (or of the Redis at `url`). */
export function testRedis(url: string = inject('redisUrl')): TestRedis {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const conns: Redis[] = [];
  return {
    url,
    prefix,
    connect(opts = {}) {
      // Through the product's options, so a redis+sentinel:// URL works too.
      const c = new Redis({
        ...redisOptions(url, opts.blocking ? 'blocking' : 'command'),
        maxRetriesPerRequest: opts.blocking ? null : 3,
      });
      conns.push(c);
      return c;
    },
    async close() {
      const c = new Redis(redisOptions(url));
      let cursor = '0';
      do {
        const [next, keys] = await c.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await c.del(...keys);
      } while (cursor !== '0');
      c.disconnect();
      for (const x of conns) x.disconnect();
    },
  };
}
