import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const root = join(import.meta.dirname, '..', '..', '..');

/** Builds the dashboard into dist/ui (esbuild: about a second). */
export function buildDashboard(): void {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-dashboard.mjs')], { stdio: 'ignore' });
}

/** Debian's headless Chromium (playwright cannot download its own here). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.FEDGATE_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/**
 * Console errors, uncaught page errors and failed API calls, collected for the test to assert none.
 * The lists of kinds this control plane may not serve (Peering, StorageReplication) may fail: the
 * page shows "not configured" then. Chromium's own "Failed to load resource" console line is
 * judged by its response instead.
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('response', (r) => {
    const optional = /\/objects\/(Peering|StorageReplication)\./.test(r.url());
    if (r.status() >= 400 && !(optional && (r.status() === 400 || r.status() === 404)))
      errors.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Signs in through the form, as a person would. */
export async function signInPage(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Fleet' }).waitFor({ timeout: 30_000 });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe and the DOM are the page's globals
    const g = globalThis as any;
    const r = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return (r.violations as { id: string; impact: string; help: string; nodes: unknown[] }[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} ×${v.nodes.length}`);
  });
}

/** Time from navigation start to the view's `fedgate:render:<view>` mark (ms), after a full load. */
export async function timeToRender(page: Page, url: string, view: string): Promise<number> {
  await page.goto('about:blank');
  await page.goto(url);
  const name = `fedgate:render:${view}`;
  await page.waitForFunction((n) => performance.getEntriesByName(n).length > 0, name, { timeout: 60_000 });
  return page.evaluate((n) => performance.getEntriesByName(n)[0]!.startTime, name);
}

/**
 * Where the tests save screenshots: the README's pictures in docs/screenshots when
 * FEDGATE_SCREENSHOTS=1 (to refresh them), else a temporary folder, so a test run leaves the
 * checkout as it was.
 */
export const SCREENSHOTS =
  process.env.FEDGATE_SCREENSHOTS === '1'
    ? join(root, 'docs', 'screenshots')
    : mkdtempSync(join(tmpdir(), 'fedgate-screenshots-'));
