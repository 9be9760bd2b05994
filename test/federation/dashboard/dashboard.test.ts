import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLinkStats, type LinkStats } from '../../../peering/gateway/link-stats.js';
import { pushTraffic } from '../../../peering/gateway/traffic-series.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';
import {
  buildDashboard,
  collectErrors,
  launchChromium,
  SCREENSHOTS,
  seriousViolations,
  signInPage,
  timeToRender,
} from './browser.js';

/** Link stats as a gateway would have aggregated them: `n` requests around `ms`, `errors` failed. */
function stats(n: number, bucket: number, errors = 0, bytes = 2048): LinkStats {
  const s = emptyLinkStats();
  s.requests = n;
  s.errors = errors;
  s.bytesIn = n * bytes;
  s.bytesOut = n * bytes * 4;
  s.buckets[bucket] = n;
  return s;
}

const policy = {
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'spread' },
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
    replicaScheduling: {
      type: 'Divided',
      division: 'StaticWeights',
      staticWeights: [{ targetCluster: {}, weight: 1 }],
    },
  },
};
const web = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    },
  },
};

describe('dashboard in headless Chromium against a real control plane', () => {
  let cp: TestControlPlane;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    buildDashboard();
    cp = await startTestControlPlane([
      { name: 'eu', provider: 'aws', region: 'eu-west-1' },
      { name: 'us', provider: 'gcp', region: 'us-east1' },
      { name: 'asia', provider: 'azure', region: 'japaneast' },
    ]);
    const applied = await cp.apply([policy, web]);
    expect(applied.status).toBe(200);
    const redis = cp.redis.connect();
    await pushTraffic(
      redis,
      cp.redis.prefix,
      new Map([
        ['eu|us|shop/cart', stats(600, 8)],
        ['eu|us|shop/pay', stats(60, 11, 3)],
        ['us|asia|shop/cart', stats(120, 12, 1, 8192)],
      ]),
    );
    browser = await launchChromium();
    // bypassCSP only lets the test inject axe-core; the page itself runs under the served CSP.
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    errors = collectErrors(page);
    // Everything the page loads comes from the API's origin (no CDN, no map tiles).
    page.on('request', (r) => {
      if (!r.url().startsWith(cp.api.url) && !r.url().startsWith('about:')) errors.push(`fetched ${r.url()}`);
    });
  }, 120_000);

  afterAll(async () => {
    if (errors.length > 0) console.log('page errors:', errors);
    await browser?.close();
    await cp?.close();
    console.log('dashboard time to first render (ms, full load, 3-cluster fleet):', timings);
  });

  it('signs in with the token into an HttpOnly, SameSite=Strict session cookie; the token is kept nowhere', async () => {
    const served = await fetch(`${cp.api.url}/ui/`, { headers: { 'accept-encoding': 'gzip' } });
    expect(served.headers.get('cache-control')).toBe('no-cache');
    await signInPage(page, cp.api.url, cp.token);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'fedgate_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Strict');
    expect(session.value).not.toContain(cp.token);
    const kept = await page.evaluate(() => {
      // biome-ignore lint/suspicious/noExplicitAny: the page's globals
      const g = globalThis as any;
      return JSON.stringify({ ...g.localStorage }) + JSON.stringify({ ...g.sessionStorage });
    });
    expect(kept).not.toContain(cp.token);
    expect(page.url()).not.toContain(cp.token);
    // A state-changing call with the cookie but without the CSRF header is refused.
    // (Sent from outside the page so that the expected 403 is not a console error.)
    const csrfless = await context.request.delete(`${cp.api.url}/api/v1/session`);
    expect(csrfless.status()).toBe(403);
  });

  it('Fleet shows the clusters the API lists, and a cluster applied later appears without reload', async () => {
    await page.goto(`${cp.api.url}/ui/#/fleet`);
    const listed = (await cp.request('GET', '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev')).body as {
      items: { metadata: { name: string } }[];
    };
    const names = listed.items.map((c) => c.metadata.name).sort();
    await page
      .locator('[data-cluster]')
      .nth(names.length - 1)
      .waitFor();
    const shown = await page
      .locator('[data-cluster]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cluster')));
    expect(shown.sort()).toEqual(names);
    expect(await page.getByTestId('cluster-count').textContent()).toContain(String(names.length));
    // The worker probes the simulated clusters: they turn Ready in the open page.
    await page.locator('[data-cluster="eu"]').getByText('Ready').waitFor({ timeout: 30_000 });
    // Land outlines (bundled Natural Earth data) line up with the region dots: a cluster's region
    // is on land, the open sea is not (also where rings cross the antimeridian: 70°N 0°, 16.5°S
    // 120°W), and Antarctica reaches the pole.
    const onLand = await page.evaluate(() => {
      // biome-ignore lint/suspicious/noExplicitAny: the page's DOM
      const doc = (globalThis as any).document;
      const land = doc.querySelector('[data-testid="land"]');
      const dot = doc.querySelector('.map .dot[aria-label^="gcp us-east1"] circle');
      // The map is 720×360, equirectangular.
      const inFill = (lon: number, lat: number) => {
        const p = land.ownerSVGElement.createSVGPoint();
        p.x = ((lon + 180) / 360) * 720;
        p.y = ((90 - lat) / 180) * 360;
        return land.isPointInFill(p) as boolean;
      };
      const cx = (Number(dot.getAttribute('cx')) / 720) * 360 - 180;
      const cy = 90 - (Number(dot.getAttribute('cy')) / 360) * 180;
      return {
        region: inFill(cx, cy),
        atlantic: inFill(-40, 30),
        norwegianSea: inFill(0, 70),
        pacific: inFill(-120, -16.5),
        southPole: inFill(0, -89.5),
      };
    });
    expect(onLand).toEqual({
      region: true,
      atlantic: false,
      norwegianSea: false,
      pacific: false,
      southPole: true,
    });
    await page.screenshot({ path: join(SCREENSHOTS, 'fleet.png'), fullPage: true });

    const before = Date.now();
    const late = await cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'MemberCluster',
        metadata: { name: 'late' },
        spec: { provider: 'onprem', region: 'dc-1', connection: { server: 'https://127.0.0.1:1' } },
      },
    ]);
    expect(late.status).toBe(200);
    await page.locator('[data-cluster="late"]').waitFor({ timeout: 15_000 });
    console.log(`a MemberCluster applied appeared in the open page after ${Date.now() - before} ms`);
  });

  it('Traffic shows the links of /api/v1/traffic with egress cost, and a selected link its last hour', async () => {
    await page.goto(`${cp.api.url}/ui/#/traffic`);
    await page.getByTestId('traffic-table').waitFor();
    const api = (await cp.request('GET', '/api/v1/traffic?window=5m')).body as {
      links: { source: string; destination: string; egressCostPerMonth: number }[];
    };
    const rows = await page
      .locator('[data-link]')
      .evaluateAll((r) => r.map((x) => x.getAttribute('data-link')));
    expect(rows.sort()).toEqual(api.links.map((l) => `${l.source}|${l.destination}`).sort());
    const month = api.links.reduce((s, l) => s + l.egressCostPerMonth, 0);
    expect(month).toBeGreaterThan(0);
    await expect
      .poll(() => page.getByTestId('egress-month').textContent())
      .toMatch(/\$[0-9.]+ egress \/ month/);
    // Keyboard: focus the eu→us link in the graph and press Enter.
    await page.getByRole('button', { name: /^eu to us:/ }).focus();
    await page.keyboard.press('Enter');
    await page.locator('figure.series').waitFor({ timeout: 15_000 });
    expect(page.url()).toContain('link=eu%7Cus');
    expect(await page.locator('figure.series table tbody tr').count()).toBeGreaterThan(0);
    // The picture shows the selection, not the keyboard focus ring.
    await page.evaluate(() =>
      (
        globalThis as unknown as { document: { activeElement: { blur(): void } } }
      ).document.activeElement.blur(),
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'traffic.png'), fullPage: true });
  });

  it('Placements shows the template, its clusters and the scheduler explanation', async () => {
    await waitFor(
      'a Binding of shop/web',
      async () => {
        const b = (await cp.request('GET', '/api/v1/objects/Binding.v1alpha1.fedgate.dev')).body as {
          items: unknown[];
        };
        return b.items.length > 0 ? true : undefined;
      },
      30_000,
    );
    await page.goto(`${cp.api.url}/ui/#/placements`);
    const row = page.locator('[data-template="shop/web"]');
    await row.waitFor();
    await row.getByRole('link').first().click();
    await page.getByTestId('explanation').waitFor({ timeout: 15_000 });
    const bindings = (await cp.request('GET', '/api/v1/objects/Binding.v1alpha1.fedgate.dev')).body as {
      items: { spec: { resource: { type: string } } }[];
    };
    const type = encodeURIComponent(bindings.items[0]!.spec.resource.type);
    const explained = (await cp.request('GET', `/api/v1/explain/${type}/shop/web`)).body as {
      status: { explanation: { placement: { name: string }[] } };
    };
    for (const p of explained.status.explanation.placement) {
      await expect.poll(() => page.getByTestId('explanation').textContent()).toContain(p.name);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'placements.png'), fullPage: true });
  });

  it('Peerings and Replication say not configured', async () => {
    for (const view of ['peerings', 'replication']) {
      await page.goto(`${cp.api.url}/ui/#/${view}`);
      await page.getByTestId('not-configured').waitFor();
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'peerings.png') });
  });

  it('a cluster taken down (fault injection) turns unreachable in the open Fleet page, and Ready again, without reload', async () => {
    await page.goto(`${cp.api.url}/ui/#/fleet`);
    const health = () => page.locator('[data-cluster="asia"] .badge').textContent();
    await expect.poll(health, { timeout: 15_000 }).toMatch(/ Ready$/);
    const navigations: string[] = [];
    const onNav = (f: { url(): string }) => navigations.push(f.url());
    page.on('framenavigated', onNav);
    const before = Date.now();
    await cp.sims.get('asia')!.faults.down(true);
    try {
      // Unreachable: the Ready condition turns Unknown (as Kubernetes nodes do), with its reason shown.
      await expect.poll(health, { timeout: 20_000 }).toMatch(/ Unknown$/);
      const asia = (await cp.request('GET', '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev/asia'))
        .body as {
        status: { conditions: { type: string; status: string; reason: string }[] };
      };
      const ready = asia.status.conditions.find((c) => c.type === 'Ready')!;
      expect(ready.status).toBe('Unknown');
      expect(await page.locator('[data-cluster="asia"] td').nth(2).textContent()).toContain(ready.reason);
      console.log(
        `a cluster taken down showed as unreachable in the open page after ${Date.now() - before} ms`,
      );
      // The map's dot of its region says so too.
      await expect
        .poll(() => page.locator('.map .dot[aria-label^="azure japaneast"]').getAttribute('aria-label'))
        .toContain('0 ready');
    } finally {
      await cp.sims.get('asia')!.faults.down(false);
    }
    await expect.poll(health, { timeout: 15_000 }).toMatch(/ Ready$/);
    page.off('framenavigated', onNav);
    expect(navigations).toEqual([]);
  });

  it('a traffic spike and a rising error rate appear in the open Traffic page without reload', async () => {
    await page.goto(`${cp.api.url}/ui/#/traffic`);
    const cell = (link: string, column: number) =>
      page.locator(`[data-link="${link}"] td`).nth(column).textContent();
    await page.locator('[data-link="eu|us"]').waitFor();
    const rateBefore = Number(await cell('eu|us', 0));
    const errorsBefore = await cell('us|asia', 3);
    const navigations: string[] = [];
    const onNav = (f: { url(): string }) => navigations.push(f.url());
    page.on('framenavigated', onNav);
    const before = Date.now();
    await pushTraffic(
      cp.redis.connect(),
      cp.redis.prefix,
      new Map([
        ['eu|us|shop/cart', stats(60_000, 8)],
        ['us|asia|shop/cart', stats(400, 12, 200, 8192)],
      ]),
    );
    await expect
      .poll(async () => Number(await cell('eu|us', 0)), { timeout: 20_000 })
      .toBeGreaterThan(rateBefore * 10);
    console.log(`a traffic spike showed in the open page after ${Date.now() - before} ms`);
    await expect.poll(() => cell('us|asia', 3), { timeout: 20_000 }).not.toBe(errorsBefore);
    const api = (await cp.request('GET', '/api/v1/traffic?window=5m')).body as {
      links: { source: string; destination: string; errorRate: number }[];
    };
    const usAsia = api.links.find((l) => l.source === 'us' && l.destination === 'asia')!;
    expect(usAsia.errorRate).toBeGreaterThan(0.3);
    expect(await cell('us|asia', 3)).toBe(`${(usAsia.errorRate * 100).toFixed(1)}%`);
    page.off('framenavigated', onNav);
    expect(navigations).toEqual([]);
  });

  it('has no console errors and no serious accessibility violations on any view; records render times', async () => {
    for (const view of ['fleet', 'traffic', 'placements', 'peerings', 'replication']) {
      timings[view] = Math.round(await timeToRender(page, `${cp.api.url}/ui/#/${view}`, view));
      expect(await seriousViolations(page), view).toEqual([]);
    }
    expect(errors).toEqual([]);
  });
});
