/**
 * The live view's page in a real headless Chromium against a stand-in of the view API that speaks
 * its contract (test/helpers/fake-view-server.ts): what the page shows, how it follows the stream,
 * and how it reads on a laptop and a phone (no horizontal scroll, axe-core, Tab).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  openPage,
  overviewRows,
  rowsReachedByTab,
  scrollWidths,
  seriousViolations,
  waitForRows,
} from '../helpers/browser.ts';
import { type FakeViewServer, startFakeViewServer } from '../helpers/fake-view-server.ts';
import type { PageDocument } from '../helpers/page-dom.ts';
import { seededView, VIEW_NOW_MS, viewOperation, viewService } from '../helpers/view-fixture.ts';

declare const document: PageDocument;
declare const window: object;
declare const sessionStorage: { getItem(key: string): string | null };

const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const WAIT = { timeout: 15_000 };
const ORDER = [
  'payments/checkout POST /pay',
  'inventory/stock GET /stock',
  'payments/checkout GET /cart',
  'payments/search GET /search',
];

let browser: Browser;
let server: FakeViewServer;
const pages: Page[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  server = await startFakeViewServer(seededView(), {
    'read-all': {},
    'read-inventory': { namespace: 'inventory' },
    'no-read': { refused: { status: 403, message: 'token "writer" lacks the "read" scope' } },
    capped: {
      refused: {
        status: 429,
        message:
          'too many open streams for token "team" (64, api.maxStreamsPerToken); close one or retry later',
        headers: { 'retry-after': '5' },
      },
    },
  });
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close()));
  await server.close();
});

/** Opens `path` with `token` (closed after the test). */
async function open(path: string, size = LAPTOP, token: string | null = 'read-all') {
  const watched = await openPage(browser, `${server.url}${path}`, size, token ?? undefined);
  pages.push(watched.page);
  return watched;
}

/** The text of the first element `selector` matches, each run of white space as one space. */
function text(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (element) => (element.textContent ?? '').replace(/\s+/g, ' ').trim());
}

/** The text of each child of the first element `selector` matches (the cells of a row, the lines of a list). */
function texts(page: Page, selector: string): Promise<string[]> {
  return page.$eval(selector, (element) =>
    [...element.children].map((child) => (child.textContent ?? '').replace(/\s+/g, ' ').trim()),
  );
}

describe('the live view page', () => {
  it('should show every operation the token sees, least headroom first, and say it is live', async () => {
    const { page, problems } = await open('/ui/');
    await waitForRows(page, ORDER);
    expect(await overviewRows(page)).toEqual(ORDER);
    expect(await text(page, '#live')).toMatch(/^Live · updated \d/);
    expect(await texts(page, 'table.overview tbody tr:first-child')).toEqual([
      'payments/checkout POST /pay routine',
      '◑ Moderate',
      'p50 104 ms · p95 260 ms · p99 364 ms budget p95 200 ms',
      '−30 % over budget p95 260 ms of 200 ms',
      '',
    ]);
    expect(
      await page.$$eval('table.overview tbody tr a', (links) => links.map((a) => a.getAttribute('href'))),
    ).toEqual([
      '/ui/services/payments/checkout',
      '/ui/services/inventory/stock',
      '/ui/services/payments/checkout',
      '/ui/services/payments/search',
    ]);
    expect(await page.$$eval('.spark canvas', (canvases) => canvases.length)).toBe(4);
    expect(server.streams()).toBe(1);
    expect(problems).toEqual([]);
    mkdirSync('artifacts', { recursive: true });
    const screenshot = join(process.cwd(), 'artifacts', 'live-view-fake.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`live view screenshot (fake server): ${screenshot}`);
  });

  it('should follow the stream without reloading: a level, new points, a new service, an eviction', async () => {
    const { page, problems } = await open('/ui/');
    await waitForRows(page, ORDER);
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));

    const checkout = seededView().services[0] as ReturnType<typeof viewService>;
    server.push('service', {
      ...checkout,
      level: 'SEVERE',
      operations: checkout.operations.map(({ history: _h, ...op }) => op),
    });
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('tr[data-service="payments/checkout"] .level')].every(
          (b) => b.textContent === '◕ Severe',
        ),
      WAIT,
    );

    const point = (service: string, namespace: string, operation: string, observedMs: number) => ({
      namespace,
      service,
      operation,
      context: 'routine',
      p50: observedMs / 2,
      p95: observedMs,
      p99: observedMs * 1.2,
      budgetMs: 200,
      observedMs,
      headroom: 1 - observedMs / 200,
      status: observedMs > 200 ? 'violated' : 'ok',
      count: 10,
    });
    server.push('point', {
      atMs: VIEW_NOW_MS + 10_000,
      points: [point('stock', 'inventory', 'GET /stock', 300)],
    });
    await waitForRows(page, ['inventory/stock GET /stock', ORDER[0], ORDER[2], ORDER[3]] as string[]);
    expect(await text(page, 'tr[data-service="inventory/stock"] .col-headroom')).toBe(
      '−50 % over budget p95 300 ms of 200 ms',
    );

    server.push('service', viewService('', 'legacy', 'NONE', [viewOperation('GET /', 'routine', 20, 200)]));
    server.push('evicted', { namespace: 'payments', service: 'search' });
    await waitForRows(page, ['inventory/stock GET /stock', ORDER[0], ORDER[2], 'legacy GET /'] as string[]);
    expect(await page.evaluate(() => 'sameDocument' in window)).toBe(true);
    expect(server.streams()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('should show a service page by its URL, and go back to the overview on the same stream', async () => {
    const { page, problems } = await open('/ui/services/payments/checkout');
    await page.waitForFunction(() => document.querySelectorAll('.op canvas').length >= 2, WAIT);
    expect(await text(page, '#view h1')).toBe('payments/checkout');
    expect(await page.title()).toBe('checkout · Headroom live view');
    const facts = await texts(page, '.facts');
    expect(facts).toEqual([
      'Level',
      '◑ Moderate',
      'Since',
      facts[3],
      'Disabled features',
      'recommendations',
      'Override',
      'none',
      'Modifiers',
      'none',
    ]);
    expect(await page.$eval('.facts time', (t) => t.getAttribute('datetime'))).toBe(
      new Date(VIEW_NOW_MS - 120_000).toISOString(),
    );
    const transition = await texts(page, '.timeline li');
    expect(transition).toEqual([
      transition[0],
      '✓ None → ◑ Moderate',
      'budget_violation',
      'GET /cart p95 260 ms over its 200 ms budget for 30 s',
    ]);
    expect(await page.$$eval('.op h3', (h) => h.map((e) => e.textContent))).toEqual([
      'POST /pay routine',
      'GET /cart routine',
    ]);
    expect(await texts(page, 'table.data tbody tr')).toEqual([
      'checkout-latency',
      '99 % over 30d',
      '83 %',
      'page: 1h 1.2×, 5m 0.8× (alert above 14.4×)ticket: 1d 0.9×, 2h 1.1× (alert above 3×)',
    ]);

    await page.click('.back a');
    await waitForRows(page, ORDER);
    expect(page.url()).toBe(`${server.url}/ui/`);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.goBack();
    await page.waitForFunction(
      () => document.querySelector('#view h1')?.textContent === 'payments/checkout',
      WAIT,
    );
    expect(server.streams()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('should say a service is not visible when the token may not see it (another tenant)', async () => {
    const { page } = await open('/ui/services/payments/checkout', LAPTOP, 'read-inventory');
    await page.waitForSelector('#view:not([hidden]) .empty', WAIT);
    expect(await text(page, '.empty')).toBe(
      'No service payments/checkout is visible with this token: it may not exist (yet), or belong to another tenant.',
    );
    await page.click('.back a');
    await waitForRows(page, ['inventory/stock GET /stock']);
  });

  it('should ask for a token when there is none, and open the view with the one given', async () => {
    const { page, problems } = await open('/ui/', LAPTOP, null);
    await page.waitForSelector('#token-form:not([hidden])', WAIT);
    expect(await text(page, '#live')).toBe('Not signed in');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token-input');
    await page.type('#token-input', 'wrong');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.getElementById('message')?.textContent?.startsWith('The token was refused'),
      WAIT,
    );
    expect(await text(page, '#message')).toBe(
      'The token was refused: the bearer token is missing, malformed or unknown',
    );
    await page.type('#token-input', 'read-all');
    await page.click('#token-form button');
    await waitForRows(page, ORDER);
    expect(await page.evaluate(() => sessionStorage.getItem('headroom.token'))).toBe('read-all');
    await page.click('#forget-token');
    await page.waitForSelector('#token-form:not([hidden])', WAIT);
    expect(await page.evaluate(() => sessionStorage.getItem('headroom.token'))).toBe(null);
    // The 401s of the wrong token and the forgotten one, as Chromium logs failed fetches.
    expect(problems.every((p) => p.includes('401'))).toBe(true);
  });

  it('should ask for another token when this one lacks the read scope', async () => {
    const { page } = await open('/ui/', LAPTOP, 'no-read');
    await page.waitForSelector('#token-form:not([hidden])', WAIT);
    expect([await text(page, '#live'), await text(page, '#message')]).toEqual([
      'Not allowed',
      'This token may not read the view: token "writer" lacks the "read" scope. Use a token with the "read" scope.',
    ]);
  });

  it('should say when the token is over its stream cap, and when it retries', async () => {
    const { page } = await open('/ui/', LAPTOP, 'capped');
    await page.waitForFunction(() => document.getElementById('live')?.dataset.state === 'offline', WAIT);
    expect([await text(page, '#live'), await text(page, '#message')]).toEqual([
      'Offline, retrying in 5 s',
      'The live stream is interrupted (too many open streams: too many open streams for token "team" (64, api.maxStreamsPerToken); close one or retry later). What you see may be out of date.',
    ]);
  });

  it('should say the stream is interrupted and reconnect by itself', async () => {
    const { page } = await open('/ui/');
    await waitForRows(page, ORDER);
    server.endStreams();
    await page.waitForFunction(() => document.getElementById('live')?.dataset.state === 'offline', WAIT);
    expect(await text(page, '#message')).toBe(
      'The live stream is interrupted (the server ended the stream). What you see may be out of date.',
    );
    await page.waitForFunction(() => document.getElementById('live')?.dataset.state === 'live', WAIT);
    await page.waitForSelector('#message[hidden]', WAIT);
    expect(server.streams()).toBe(1);
  });

  for (const [name, size] of [
    ['a laptop (1280x800)', LAPTOP],
    ['a phone (390x844)', PHONE],
  ] as const) {
    it(`should fit ${name} without horizontal scroll and pass axe-core, overview and service page`, async () => {
      const { page, problems } = await open('/ui/', size);
      await waitForRows(page, ORDER);
      const overview = await scrollWidths(page);
      expect(overview.scrollWidth).toBeLessThanOrEqual(overview.clientWidth);
      expect(await seriousViolations(page)).toEqual([]);
      await page.click('tr[data-service="payments/checkout"] a');
      await page.waitForFunction(() => document.querySelectorAll('.op canvas').length >= 2, WAIT);
      const service = await scrollWidths(page);
      expect(service.scrollWidth).toBeLessThanOrEqual(service.clientWidth);
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    });
  }

  it('should reach every service row with Tab, in table order', async () => {
    const { page } = await open('/ui/');
    await waitForRows(page, ORDER);
    const keys = await page.$$eval('table.overview tbody tr', (rows) =>
      rows.map((r) => r.getAttribute('data-key')),
    );
    expect(await rowsReachedByTab(page, 12)).toEqual(keys);
  });
});
