import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { pushScaleTraffic, scaleClusters, scaleLinks } from '../../support/scale-fleet.js';
import { buildDashboard, collectErrors, launchChromium, signInPage, timeToRender } from './browser.js';

const CLUSTERS = 1000;
const LINKS = 10_000;

describe('dashboard with 1,000 clusters and 10,000 links through the real API (headless Chromium)', () => {
  let cp: TestControlPlane;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    buildDashboard();
    cp = await startTestControlPlane([], { worker: false });
    const clusters = scaleClusters(CLUSTERS);
    for (let i = 0; i < clusters.length; i += 250) {
      const res = await cp.apply(clusters.slice(i, i + 250));
      expect(res.status).toBe(200);
    }
    await pushScaleTraffic(cp.redis.connect(), cp.redis.prefix, scaleLinks(CLUSTERS, LINKS));
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    errors = collectErrors(page);
    await signInPage(page, cp.api.url, cp.token);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cp?.close();
    console.log(`dashboard time to first full render (ms, ${CLUSTERS} clusters, ${LINKS} links):`, timings);
  });

  it('Traffic groups 10,000 links by region or provider pair, with totals and rows that match the API', async () => {
    timings.traffic = Math.round(await timeToRender(page, `${cp.api.url}/ui/#/traffic`, 'traffic'));
    const api = (await cp.request('GET', '/api/v1/traffic?window=5m&services=false')).body as {
      links: { source: string; destination: string; requestsPerSecond: number }[];
    };
    expect(api.links).toHaveLength(LINKS);
    await expect.poll(() => page.getByTestId('traffic-links').textContent()).toContain(String(LINKS));
    // Too many clusters for a readable graph: the page groups them by region or provider by itself.
    const level = (await page.locator('nav.options a[aria-current="true"]').last().textContent())?.trim();
    expect(['region', 'provider']).toContain(level);
    const listed = (await cp.request('GET', '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev')).body as {
      items: { metadata: { name: string }; spec: { provider: string; region: string } }[];
    };
    const groupOf = new Map(
      listed.items.map((c) => [
        c.metadata.name,
        level === 'region' ? `${c.spec.provider}/${c.spec.region}` : c.spec.provider,
      ]),
    );
    const pairs = new Map<string, number>();
    for (const l of api.links) {
      const k = `${groupOf.get(l.source)}|${groupOf.get(l.destination)}`;
      pairs.set(k, (pairs.get(k) ?? 0) + l.requestsPerSecond);
    }
    const rows = await page
      .locator('[data-link]')
      .evaluateAll((r) => r.map((x) => x.getAttribute('data-link')));
    expect(rows.length).toBe(Math.min(200, pairs.size));
    const busiest = [...pairs].sort((a, b) => b[1] - a[1])[0]![0];
    expect(rows[0]).toBe(busiest);
    expect(new Set(rows).size).toBe(rows.length);
    for (const r of rows) expect(pairs.has(r!), r!).toBe(true);
  });

  it('a link of the 10,000 opens its series at the cluster level', async () => {
    const [l] = scaleLinks(CLUSTERS, 1);
    await page.goto(
      `${cp.api.url}/ui/#/traffic?level=cluster&link=${encodeURIComponent(`${l!.source}|${l!.destination}`)}`,
    );
    await page.locator('figure.series').waitFor({ timeout: 30_000 });
    expect(await page.locator('figure.series table tbody tr').count()).toBeGreaterThan(0);
  });

  it('Fleet shows the 1,000 clusters grouped by region', async () => {
    timings.fleet = Math.round(await timeToRender(page, `${cp.api.url}/ui/#/fleet`, 'fleet'));
    await expect.poll(() => page.getByTestId('cluster-count').textContent()).toContain(String(CLUSTERS));
    const regions = new Set(
      scaleClusters(CLUSTERS).map((c) => {
        const spec = c.spec as { provider: string; region: string };
        return `${spec.provider}/${spec.region}`;
      }),
    );
    expect(await page.locator('[data-testid="fleet-groups"] tbody tr').count()).toBe(regions.size);
    expect(errors).toEqual([]);
  });
});
