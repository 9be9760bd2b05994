import type { Redis } from 'ioredis';

/** Fields of an INFO section as numbers where they are numbers. */
export async function info(redis: Redis, section: string): Promise<Map<string, string>> {
  const text = await redis.info(section);
  const out = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** INFO memory used_memory, in bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  return Number((await info(redis, 'memory')).get('used_memory') ?? 0);
}

/** CPU seconds the server has used (INFO cpu used_cpu_user + used_cpu_sys, main thread and children). */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const cpu = await info(redis, 'cpu');
  return Number(cpu.get('used_cpu_user') ?? 0) + Number(cpu.get('used_cpu_sys') ?? 0);
}

/** Calls per command since the server started (INFO commandstats). */
export async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [k, v] of await info(redis, 'commandstats')) {
    const m = /calls=(\d+)/.exec(v);
    if (k.startsWith('cmdstat_') && m) out.set(k.slice('cmdstat_'.length), Number(m[1]));
  }
  return out;
}

/** The difference of two commandstats readings, largest first. */
export function commandDelta(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): [string, number][] {
  return [...after]
    .map(([k, v]): [string, number] => [k, v - (before.get(k) ?? 0)])
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
}

/**
 * Bytes held per group of keys (MEMORY USAGE of every key, pipelined): the store's objects, its
 * per-cluster status hashes and change stream, and each BullMQ queue (its events stream apart).
 */
export async function memoryByGroup(
  redis: Redis,
  storePrefix: string,
  queuePrefix: string,
): Promise<Map<string, { keys: number; bytes: number }>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 2_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const groups = new Map<string, { keys: number; bytes: number }>();
  for (let i = 0; i < keys.length; i += 1_000) {
    const batch = keys.slice(i, i + 1_000);
    const pipe = redis.pipeline();
    for (const k of batch) pipe.memory('USAGE', k);
    const results = (await pipe.exec()) ?? [];
    batch.forEach((k, j) => {
      const bytes = Number(results[j]?.[1] ?? 0);
      const g = groupOf(k, storePrefix, queuePrefix);
      const cur = groups.get(g) ?? { keys: 0, bytes: 0 };
      groups.set(g, { keys: cur.keys + 1, bytes: cur.bytes + bytes });
    });
  }
  return groups;
}

function groupOf(key: string, storePrefix: string, queuePrefix: string): string {
  if (key.startsWith(`${storePrefix}:o:`)) return 'store objects';
  if (key.startsWith(`${storePrefix}:cs:`)) return 'store cluster statuses';
  if (key === `${storePrefix}:events`) return 'store change stream';
  if (key.startsWith(`${queuePrefix}:`)) {
    const [, queue = '?', rest = ''] = key.split(':');
    return rest === 'events' ? `queue ${queue} events stream` : `queue ${queue}`;
  }
  return 'other';
}

/** Formats bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
