import { describe, expect, it } from 'vitest';
import { redisOptions } from '../../../federation/redis/connection-factory.js';
import { parseRedisUrl, redactedRedisUrl } from '../../../federation/redis/redis-url.js';

describe('parseRedisUrl', () => {
  it('reads a plain server with credentials and database', () => {
    expect(parseRedisUrl('redis://app:s%40cret@10.0.0.5:6380/2')).toEqual({
      kind: 'direct',
      host: '10.0.0.5',
      port: 6380,
      db: 2,
      tls: false,
      username: 'app',
      password: 's@cret',
    });
    expect(parseRedisUrl('rediss://redis.internal')).toMatchObject({ port: 6379, db: 0, tls: true });
  });

  it('reads a Sentinel-managed primary: sentinels, name, database and sentinel credentials', () => {
    expect(
      parseRedisUrl('redis+sentinel://:pw@s1:26379,s2,[::1]:26381/mymaster/3?sentinelPassword=sp'),
    ).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26381 },
      ],
      name: 'mymaster',
      db: 3,
      tls: false,
      password: 'pw',
      sentinelPassword: 'sp',
    });
  });

  it('refuses what it cannot use, naming the problem', () => {
    expect(() => parseRedisUrl('http://x')).toThrow(/must be redis:\/\//);
    expect(() => parseRedisUrl('redis+sentinel://s1:26379')).toThrow(/names the primary/);
    expect(() => parseRedisUrl('redis+sentinel:///mymaster')).toThrow(/lists the Sentinels/);
    expect(() => parseRedisUrl('redis+sentinel://s1:99999/m')).toThrow(/not a Sentinel host:port/);
    expect(() => parseRedisUrl('redis+sentinel://s1/m?foo=1')).toThrow(/unknown query parameter "foo"/);
    expect(() => parseRedisUrl('redis://h/x')).toThrow(/database "x"/);
  });

  it('masks passwords for logs', () => {
    expect(redactedRedisUrl('redis://u:pw@h:1/0')).toBe('redis://u:***@h:1/0');
    expect(redactedRedisUrl('redis+sentinel://:pw@a:1,b:2/m?sentinelPassword=x')).toBe(
      'redis+sentinel://:***@a:1,b:2/m?sentinelPassword=***',
    );
  });

  it('gives ioredis Sentinel options for a sentinel URL, and fail-fast options for API requests', () => {
    const o = redisOptions('redis+sentinel://a:1,b:2/m', 'blocking');
    expect(o).toMatchObject({
      sentinels: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
      ],
      name: 'm',
      role: 'master',
    });
    expect(o.maxRetriesPerRequest).toBeNull();
    expect(o.host).toBeUndefined();
    expect(redisOptions('redis://h:7', 'request').maxRetriesPerRequest).toBe(1);
    expect(redisOptions('redis://h:7', false)).toMatchObject({
      host: 'h',
      port: 7,
      maxRetriesPerRequest: 20,
    });
  });
});
