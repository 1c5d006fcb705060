/**
 * The overview at `window.maxSeries` (1,000 whole operations) in a real headless Chromium (review16
 * M2): it shows the 100 with the least headroom and says how many there are, filters and shows
 * more on request, draws sparklines only for rows on screen, and a live update touches only the
 * rows it changes (counted with a MutationObserver: DOM records per event, not a wall-clock time).
 */
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, overviewRows, waitForRows } from '../helpers/browser.ts';
import { type FakeViewServer, startFakeViewServer } from '../helpers/fake-view-server.ts';
import type { PageDocument, PageElement } from '../helpers/page-dom.ts';
import { VIEW_NOW_MS, viewOf, viewOperation, viewService } from '../helpers/view-fixture.ts';

declare const document: PageDocument & {
  getElementById(id: string): (PageElement & { scrollIntoView(): void }) | null;
};
declare const MutationObserver: new (
  callback: (records: unknown[]) => void,
) => { observe(target: unknown, options: object): void; disconnect(): void };

const SERVICES = 100;
const OPERATIONS = 10;
const WAIT = { timeout: 15_000 };

/** Service `s`'s operation `o`: operation number i = s * 10 + o has p95 10 + 0.18 i ms of 200 ms, so i = 999 is first. */
const name = (s: number) => `svc-${String(s).padStart(3, '0')}`;
const observed = (s: number, o: number) => 10 + 0.18 * (s * OPERATIONS + o);

function manyServices(level = 'NONE', only?: number) {
  const services = [];
  for (let s = 0; s < SERVICES; s++) {
    if (only !== undefined && s !== only) continue;
    const operations = [];
    for (let o = 0; o < OPERATIONS; o++)
      operations.push(viewOperation(`op-${o}`, 'routine', observed(s, o), 200, s * OPERATIONS + o));
    services.push(viewService('bulk', name(s), level, operations));
  }
  return services;
}

/** The rows `from`..`to` (operation numbers, descending): `bulk/svc-099 op-9`, … */
function rowsDown(from: number, to: number): string[] {
  const rows = [];
  for (let i = from; i >= to; i--) rows.push(`bulk/${name(Math.floor(i / OPERATIONS))} op-${i % OPERATIONS}`);
  return rows;
}

let browser: Browser;
let server: FakeViewServer;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startFakeViewServer(viewOf(manyServices()), { 'read-all': {} });
  page = (await openPage(browser, `${server.url}/ui/`, { width: 1280, height: 800 }, 'read-all')).page;
  await waitForRows(page, rowsDown(999, 900));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Counts the DOM changes from now on: in the whole view (nodes added or removed, text, attributes),
 * or with `rowsOnly` the rows added to or removed from the table.
 */
async function countMutations(rowsOnly = false): Promise<() => Promise<number>> {
  await page.evaluate((rows) => {
    const counter = globalThis as unknown as { mutations: number; observer?: { disconnect(): void } };
    counter.observer?.disconnect();
    counter.mutations = 0;
    const options = rows
      ? { childList: true }
      : { subtree: true, childList: true, characterData: true, attributes: true };
    const observer = new MutationObserver((records) => {
      counter.mutations += records.length;
    });
    observer.observe(document.querySelector(rows ? 'table.overview tbody' : '#view'), options);
    counter.observer = observer;
  }, rowsOnly);
  return () => page.evaluate(() => (globalThis as unknown as { mutations: number }).mutations);
}

function text(selector: string): Promise<string> {
  return page.$eval(selector, (element) => (element.textContent ?? '').replace(/\s+/g, ' ').trim());
}

describe('the overview with 1,000 operations', () => {
  it('should show the 100 with the least headroom, say how many there are, and draw sparklines on screen only', async () => {
    expect(await text('.summary')).toMatch(/^1,000 operations in 100 services, least headroom first\./);
    expect([await text('.shown'), await text('button.more')]).toEqual([
      'Showing 100 of 1,000 operations.',
      'Show 100 more',
    ]);
    await page.waitForFunction(() => document.querySelectorAll('.spark canvas').length > 0, WAIT);
    const sparks = await page.$$eval('.spark canvas', (canvases) => canvases.length);
    // 800 px show about 15 rows (and the observer's 200 px margin a few more), never all 100.
    expect(sparks).toBeLessThan(40);
    expect(await page.$$eval('tbody tr:last-child canvas', (canvases) => canvases.length)).toBe(0);
    await page.$eval('tbody tr:last-child', (row) =>
      (row as unknown as { scrollIntoView(): void }).scrollIntoView(),
    );
    await page.waitForFunction(() => document.querySelector('tbody tr:last-child canvas') !== null, WAIT);
    await page.$eval('h1', (h1) => (h1 as unknown as { scrollIntoView(): void }).scrollIntoView());
  });

  it("should touch only the changed service's cells when its level changes", async () => {
    const mutations = await countMutations();
    const [changed] = manyServices('SEVERE', 95);
    server.push('service', {
      ...changed,
      operations: changed?.operations.map(({ history: _h, ...op }) => op),
    });
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('tr[data-service="bulk/svc-095"] .level')].every(
          (badge) => badge.textContent === '◕ Severe',
        ),
      WAIT,
    );
    // Ten level cells, each emptied and given its new badge; the code before review16 redrew every cell of every row (thousands).
    expect(await mutations()).toBeLessThanOrEqual(2 * OPERATIONS + 2);
  });

  it('should move an operation that became the worst to the top with one insertion, not by moving every row', async () => {
    const mutations = await countMutations(true);
    const p95 = 300;
    server.push('point', {
      atMs: VIEW_NOW_MS + 10_000,
      points: [
        {
          namespace: 'bulk',
          service: name(0),
          operation: 'op-0',
          context: 'routine',
          ...{ p50: p95 / 2, p95, p99: p95 * 1.2, budgetMs: 200, observedMs: p95 },
          ...{ headroom: 1 - p95 / 200, status: 'violated', count: 10 },
        },
      ],
    });
    await waitForRows(page, ['bulk/svc-000 op-0', ...rowsDown(999, 901)]);
    // The new row comes in whole (one record), the 100th goes (one); no other row moves.
    expect(await mutations()).toBe(2);
  });

  it('should filter by service or operation name and show more on request', async () => {
    await page.type('#overview-filter', 'svc-042');
    await waitForRows(page, rowsDown(429, 420));
    expect([await text('.shown'), await page.$eval('button.more', (b) => b.hidden)]).toEqual([
      'Showing 10 of 10 operations matching “svc-042”.',
      true,
    ]);
    await page.$eval('#overview-filter', (input) => Object.assign(input, { value: '' }));
    await page.type('#overview-filter', 'op-3');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('table.overview tbody tr')].every(
          (row) => row.dataset.operation === 'op-3',
        ),
      WAIT,
    );
    expect(await overviewRows(page)).toEqual(
      [...Array(SERVICES).keys()].reverse().map((s) => `bulk/${name(s)} op-3`),
    );
    await page.$eval('#overview-filter', (input) => Object.assign(input, { value: '' }));
    await page.type('#overview-filter', ' ');
    await page.click('button.more');
    await page.waitForFunction(
      () => document.querySelectorAll('table.overview tbody tr').length === 200,
      WAIT,
    );
    expect(await text('.shown')).toBe('Showing 200 of 1,000 operations.');
  });
});
