import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayChild, spawnGateway, stopGateway, triesTo } from '../../bench/support/gateway-spawn.js';
import { waitFor } from '../support/wait-for.js';
import {
  call,
  FEDERATION,
  route,
  startEcho,
  startFederation,
  type TestFederation,
} from './gateway-harness.js';

// B and C equally far from A, so round-robin spreads A's calls over both.
const CLUSTERS = {
  a: { region: 'eu-west-1', provider: 'aws' },
  b: { region: 'us-east1', provider: 'gcp' },
  c: { region: 'westeurope', provider: 'azure' },
};

let fed: TestFederation | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await fed?.close();
  fed = undefined;
});

describe('a dead remote cluster', () => {
  it.each(['SIGKILL', 'SIGSTOP'] as const)(
    'leaves load balancing after %s of its gateway, and calls keep succeeding through the other cluster',
    async (signal) => {
      fed = await startFederation({
        clusters: CLUSTERS,
        services: {
          'shop/api': route('shop', 'api', ['b', 'c'], {
            retries: { attempts: 2, perTryTimeoutMs: 1_000, budgetPercent: 20, minRetryConcurrency: 3 },
          }),
        },
        authorization: [{ name: 'all', service: 'shop/api', from: [], paths: [], methods: [] }],
        quotas: [],
      });
      const eb = await startEcho('b');
      const ec = await startEcho('c');
      closers.push(
        () => eb.close(),
        () => ec.close(),
      );
      await fed.start('b', { localEndpoints: { 'shop/api': [{ url: eb.url }] } });
      // C in its own process, so it can die like a cluster does (or hang, stopped).
      const key = randomBytes(32);
      const c: GatewayChild = await spawnGateway({
        cluster: 'c',
        federation: FEDERATION,
        redisUrl: fed.redis.url,
        prefix: fed.redis.prefix,
        sealedCa: await fed.ca.seal(key),
        operatorKey: key.toString('hex'),
        config: fed.source.config,
        endpoints: { 'shop/api': [{ url: ec.url }] },
      });
      closers.push(() => stopGateway(c.process));
      const a = await fed.start('a');

      // Three callers: within the retry budget's minimum concurrency, so every failed try is retried.
      let running = true;
      const log: { at: number; status: number; cluster?: string }[] = [];
      const loops = Array.from({ length: 3 }, async () => {
        while (running) {
          const r = await call(a, 'api.shop.svc.clusterset.local').catch(() => ({ status: 0, body: '' }));
          log.push({
            at: performance.now(),
            status: r.status,
            ...(r.status === 200 ? { cluster: (JSON.parse(r.body) as { cluster: string }).cluster } : {}),
          });
        }
      });
      try {
        await waitFor('both clusters serving', () => ec.hits > 10 && eb.hits > 10);
        const t0 = performance.now();
        c.process.kill(signal);
        const mark = log.length;
        // C is out of load balancing once A sends it nothing for a while (no try for 2 s, twice the try timeout).
        let last = await triesTo(a.telemetry, 'c');
        let lastChange = performance.now();
        await waitFor(
          'no more tries to cluster c',
          async () => {
            const n = await triesTo(a.telemetry, 'c');
            if (n !== last) {
              last = n;
              lastChange = performance.now();
            }
            return performance.now() - lastChange > 2_000;
          },
          30_000,
          20,
        );
        console.log(
          `dead cluster (${signal}) out of load balancing after at most ${Math.max(0, lastChange - t0).toFixed(0)} ms (tries sampled every 20 ms)`,
        );
        const after = log.slice(mark);
        expect(after.length).toBeGreaterThan(10);
        expect(after.filter((x) => x.status !== 200)).toEqual([]);
        expect(new Set(after.filter((x) => x.at > lastChange).map((x) => x.cluster))).toEqual(new Set(['b']));
      } finally {
        running = false;
        await Promise.all(loops);
      }
    },
    60_000,
  );
});
