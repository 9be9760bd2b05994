/**
 * Dashboard benchmark: a real API on a private redis-server holding a generated fleet (default
 * 1,000 MemberClusters over every known region and 10,000 measured cluster-pair links), the built
 * dashboard, and Debian's headless Chromium. Prints the dashboard's gzipped size on first load,
 * the size of the traffic answer, and for each view the time from navigation start to its first
 * full render (the page's `fedgate:render:<view>` mark), the median of a few loads.
 *
 * Usage: npm run bench:dashboard [-- --clusters 1000 --links 10000 --buckets 30 --runs 3 --screenshots docs]
 * (BENCH_TRACE=1 also prints the timing of every API call the page makes; `--screenshots DIR`
 * saves the Fleet and Traffic views of the generated fleet as DIR/dashboard-fleet.png and
 * DIR/dashboard-traffic.png, the README's pictures.)
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { connectRedis } from '../federation/redis/connection-factory.js';
import { startApi } from '../federation/runtime/api-process.js';
import {
  buildDashboard,
  launchChromium,
  signInPage,
  timeToRender,
} from '../test/federation/dashboard/browser.js';
import { pushScaleTraffic, scaleClusters, scaleLinks } from '../test/support/scale-fleet.js';
import { benchArgs } from './support/bench-args.js';
import { onCleanUp, runBench, say, startBench } from './support/lifecycle.js';

const { values: flags } = parseArgs({
  args: benchArgs(),
  options: {
    clusters: { type: 'string', default: '1000' },
    links: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    buckets: { type: 'string', default: '30' },
    screenshots: { type: 'string' },
  },
});
const CLUSTERS = Number(flags.clusters);
const LINKS = Number(flags.links);
const RUNS = Number(flags.runs);
const PREFIX = 'fg';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const { redis } = await startBench('dashboard');
  buildDashboard();
  const token = randomBytes(16).toString('hex');
  const api = await startApi({
    redisUrl: redis.url,
    storePrefix: PREFIX,
    token,
    log: pino({ level: 'silent' }),
    metrics: new Registry(),
  });
  onCleanUp(() => api.close());
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const clusters = scaleClusters(CLUSTERS);
  for (let i = 0; i < clusters.length; i += 250) {
    const res = await fetch(`${api.url}/api/v1/apply`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ items: clusters.slice(i, i + 250) }),
    });
    if (res.status !== 200) throw new Error(`apply: ${res.status} ${await res.text()}`);
  }
  const conn = connectRedis(redis.url);
  onCleanUp(async () => conn.disconnect());
  const started = Date.now();
  // Every link busy in every 10-second bucket of the last `buckets` (default: the whole 5-minute window).
  await pushScaleTraffic(conn, PREFIX, scaleLinks(CLUSTERS, LINKS), Number(flags.buckets));
  say(
    `fleet: ${CLUSTERS} clusters, ${LINKS} links over ${flags.buckets} buckets of 10 s, written in ${Date.now() - started} ms`,
  );

  const timed = async (path: string) => {
    const t = performance.now();
    const res = await fetch(`${api.url}${path}`, { headers: auth });
    const b = Buffer.from(await res.arrayBuffer());
    return { ms: performance.now() - t, body: b };
  };
  const cold = await timed('/api/v1/traffic?window=5m&services=false');
  const warm = await timed('/api/v1/traffic?window=5m&services=false');
  say(
    `GET /api/v1/traffic?window=5m&services=false: ${cold.ms.toFixed(0)} ms on first read (every bucket of the window), ` +
      `${warm.ms.toFixed(0)} ms after (rolling sums)`,
  );
  const [one] = scaleLinks(CLUSTERS, 1);
  const series = await timed(
    `/api/v1/traffic/series?window=1h&source=${one!.source}&destination=${one!.destination}`,
  );
  say(`GET /api/v1/traffic/series?window=1h (one link's last hour): ${series.ms.toFixed(0)} ms`);
  const { body } = await timed('/api/v1/traffic?window=5m');
  const served = JSON.parse(body.toString()) as { links: unknown[]; services: unknown[] };
  say(
    `GET /api/v1/traffic: ${served.links.length} links, ${served.services.length} service links, ` +
      `${(body.length / 1024).toFixed(0)} KiB (${(gzipSync(body).length / 1024).toFixed(0)} KiB gzipped)`,
  );

  const browser = await launchChromium();
  onCleanUp(() => browser.close());
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
  let firstLoad = 0;
  page.on('response', async (r) => {
    if (r.url().includes('/ui/')) firstLoad += Number((await r.headerValue('content-length')) ?? 0);
  });
  page.on('requestfinished', (r) => {
    if (process.env.BENCH_TRACE && r.url().includes('/api/v1/')) {
      const t = r.timing();
      say(
        `  ${r.url().replace(api.url, '')}: start ${t.startTime.toFixed(0)} response ${t.responseStart.toFixed(0)} end ${t.responseEnd.toFixed(0)}`,
      );
    }
  });
  await signInPage(page, api.url, token);
  say(`dashboard first load: ${(firstLoad / 1024).toFixed(1)} KiB transferred (gzipped)`);
  const views = [
    ['fleet', 'fleet'],
    ['traffic', 'traffic'],
    ['traffic?level=cluster', 'traffic'],
    ['placements', 'placements'],
  ] as const;
  for (const [path, view] of views) {
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) times.push(await timeToRender(page, `${api.url}/ui/#/${path}`, view));
    say(
      `#/${path}: first full render ${median(times).toFixed(0)} ms (median of ${RUNS}; ${times.map((t) => t.toFixed(0)).join(', ')})`,
    );
  }
  if (flags.screenshots !== undefined) await screenshots(page, api.url, flags.screenshots);
}

async function screenshots(page: Page, url: string, dir: string): Promise<void> {
  await page.goto(`${url}/ui/#/fleet`);
  await page.locator('[data-testid="fleet-groups"]').waitFor();
  await page.screenshot({ path: join(dir, 'dashboard-fleet.png') });
  await page.goto(`${url}/ui/#/traffic?level=region&colour=p99`);
  await page.getByTestId('traffic-table').waitFor();
  await page.screenshot({ path: join(dir, 'dashboard-traffic.png') });
  say(`screenshots: ${join(dir, 'dashboard-fleet.png')}, ${join(dir, 'dashboard-traffic.png')}`);
}

runBench('dashboard', main);
