/**
 * Real headless Chromium for the live view's tests: Debian's `chromium` (`apt-get install chromium`,
 * .ci/run does it) driven by puppeteer-core, which downloads no browser. `CHROMIUM_PATH` names
 * another binary. Every wait is on a DOM condition with a timeout, never a sleep.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { PageDocument } from './page-dom.ts';

declare const document: PageDocument;
declare const sessionStorage: { setItem(key: string, value: string): void };

/** The browser binary. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Starts headless Chromium (no sandbox: CI runs as root); close it in afterAll. */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--font-render-hinting=none'],
  });
}

/** A page and what went wrong in it: console errors, uncaught exceptions, failed requests. */
export interface WatchedPage {
  readonly page: Page;
  readonly problems: string[];
}

/**
 * Opens a tab of `width` x `height`, with `token` in sessionStorage (as the token form leaves it)
 * when given, and records its console errors and uncaught exceptions.
 */
export async function newPage(
  browser: Browser,
  size: { width: number; height: number },
  token?: string,
): Promise<WatchedPage> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`exception: ${String(error)}`));
  await page.setViewport(size);
  if (token !== undefined)
    await page.evaluateOnNewDocument((value) => sessionStorage.setItem('headroom.token', value), token);
  return { page, problems };
}

/** Opens `url` in a new tab of `size` (see `newPage`, `token` in sessionStorage when given). */
export async function openPage(
  browser: Browser,
  url: string,
  size: { width: number; height: number },
  token?: string,
): Promise<WatchedPage> {
  const watched = await newPage(browser, size, token);
  await watched.page.goto(url);
  return watched;
}

/** Waits up to 15 s until the overview's rows read `rows` (as `overviewRows` gives them). */
export async function waitForRows(page: Page, rows: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (expected) =>
      JSON.stringify(
        [...document.querySelectorAll('table.overview tbody tr')].map(
          (row) => `${row.dataset.service} ${row.dataset.operation}`,
        ),
      ) === expected,
    { timeout: 15_000 },
    JSON.stringify(rows),
  );
}

/** The overview's rows as `service operation`, top to bottom. */
export function overviewRows(page: Page): Promise<string[]> {
  return page.$$eval('table.overview tbody tr', (rows) =>
    rows.map((row) => `${row.dataset.service} ${row.dataset.operation}`),
  );
}

/** The page's width against its viewport's: no horizontal scroll when `scrollWidth <= clientWidth`. */
export function scrollWidths(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => {
    const root = document.scrollingElement as NonNullable<typeof document.scrollingElement>;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
}

/** axe-core's serious and critical violations on the page as it is now (axe injected from node_modules). */
export async function seriousViolations(
  page: Page,
): Promise<{ id: string; impact: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol: a script tag would be refused by the page's CSP.
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[]; passes: unknown[] }> } }
    ).axe;
    type AxeViolation = { id: string; impact: string; nodes: { target: string[] }[] };
    const { violations, passes } = await axe.run();
    // An axe that checked nothing would pass anything.
    if (passes.length === 0) throw new Error('axe-core ran no rule on the page');
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/**
 * Presses Tab up to `maxPresses` times from the top of the page and returns, in order, the
 * overview rows (`data-key`) whose focusable element got the focus.
 */
export async function rowsReachedByTab(page: Page, maxPresses: number): Promise<string[]> {
  await page.evaluate(() => document.activeElement?.blur());
  const reached: string[] = [];
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const key = await page.evaluate(
      () => document.activeElement?.closest('tr[data-key]')?.getAttribute('data-key') ?? null,
    );
    if (key !== null && !reached.includes(key)) reached.push(key);
  }
  return reached;
}
