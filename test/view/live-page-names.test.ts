/**
 * Names as services send them, in a real headless Chromium (review16 L1, L3, L4, L6): every name
 * gets its own service page URL (the empty namespace, `_`, `.`, `..`, `/`, `%`, `+`, spaces,
 * unicode, 256 characters), a reload of that URL opens the same service, a long name never scrolls
 * the page sideways on a phone, the history's span is the configured one, and statuses read as words.
 */
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headroomUrl } from '../../agent/alerting/headroom-url.ts';
import { launchBrowser, openPage, scrollWidths, waitForRows } from '../helpers/browser.ts';
import { type FakeViewServer, startFakeViewServer } from '../helpers/fake-view-server.ts';
import type { PageDocument } from '../helpers/page-dom.ts';
import { viewOf, viewOperation, viewService } from '../helpers/view-fixture.ts';

declare const document: PageDocument;

const LONG = 'x'.repeat(250);
/** [namespace, service]: each pair a service of its own, with the path the page must give it. */
const NAMES: [string, string, string][] = [
  ['', 'plain', '/ui/services/_/plain'],
  ['_', 'under', '/ui/services/__/under'],
  ['', '_', '/ui/services/_/__'],
  ['_', '_', '/ui/services/__/__'],
  ['__x', '_y', '/ui/services/___x/__y'],
  ['dots', '.', '/ui/services/dots/_.'],
  ['dots', '..', '/ui/services/dots/_..'],
  ['dots', '...', '/ui/services/dots/...'],
  ['a/b', 'c/d', '/ui/services/a%2Fb/c%2Fd'],
  ['100%', 'a+b c', '/ui/services/100%25/a%2Bb%20c'],
  ['ünï', '日本 語', '/ui/services/%C3%BCn%C3%AF/%E6%97%A5%E6%9C%AC%20%E8%AA%9E'],
  [`ns${LONG}`, `svc${LONG}`, `/ui/services/ns${LONG}/svc${LONG}`],
];
/** Names that are not well-formed UTF-16 (a lone surrogate), as a view may still carry them, and the path every link gives them. */
const ILL_FORMED: [string, string, string][] = [
  ['', 'shop\ud800', '/ui/services/_/shop%EF%BF%BD'],
  ['ns\udc00', 'cart', '/ui/services/ns%EF%BF%BD/cart'],
];
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 800 };
const WAIT = { timeout: 15_000 };

function services() {
  return [...NAMES, ...ILL_FORMED].map(([namespace, service], i) =>
    viewService(namespace, service, 'NONE', [viewOperation('GET /', 'routine', 20 + i, 200, i)]),
  );
}
const shown = ([namespace, service]: [string, string, string]) =>
  namespace === '' ? service : `${namespace}/${service}`;

let browser: Browser;
let server: FakeViewServer;

beforeAll(async () => {
  browser = await launchBrowser();
  const operations = [
    viewOperation('GET /new', 'routine', 0, 200, 1),
    viewOperation('GET /free', 'routine', 0, 0, 2),
  ];
  const statuses = viewService('statuses', 'odd', 'NONE', operations);
  Object.assign(statuses.operations[0] as object, { headroom: null, status: 'insufficient-samples' });
  Object.assign(statuses.operations[1] as object, { headroom: null, status: 'unbudgeted' });
  server = await startFakeViewServer(
    { ...viewOf([...services(), statuses]), lengthMs: 120_000 },
    { all: {} },
  );
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function open(path: string, size = LAPTOP) {
  return openPage(browser, `${server.url}${path}`, size, 'all');
}

describe('names on the live view page', () => {
  it('should give every service its own link, the one alerts carry, and open it again from that URL', async () => {
    const { page, problems } = await open('/ui/');
    await page.waitForFunction(
      (n) => document.querySelectorAll('tbody tr').length === n,
      WAIT,
      NAMES.length + ILL_FORMED.length + 2,
    );
    const links = await page.$$eval('tbody tr', (rows) =>
      rows.map((row) => [row.dataset.service, row.querySelector('a')?.getAttribute('href')]),
    );
    const expected = NAMES.map((names) => [shown(names), names[2]]);
    const wellFormed = links.filter(
      ([service, href]) => !service?.startsWith('statuses/') && !href?.includes('%EF%BF%BD'),
    );
    expect(wellFormed.sort()).toEqual(expected.sort());
    expect(
      NAMES.map(([namespace, service]) =>
        headroomUrl('https://h.example', {
          service,
          ...(namespace === '' ? {} : { service_namespace: namespace }),
        }),
      ),
    ).toEqual(NAMES.map(([, , path]) => `https://h.example${path}`));
    // Each URL in a tab of its own, as an alert link opens it.
    for (const names of NAMES) {
      const opened = await open(names[2]);
      await opened.page.waitForFunction(() => document.querySelector('.facts, .empty') !== null, WAIT);
      expect([
        await opened.page.$eval('#view h1', (h1) => h1.textContent),
        await opened.page.$('.empty'),
        opened.problems,
      ]).toEqual([shown(names), null, []]);
      await opened.page.close();
    }
    expect(problems).toEqual([]);
  });

  it('should open a service whose name is not well-formed from its own row and from its link (review16c L4)', async () => {
    const opened = [];
    for (const [, , path] of ILL_FORMED) {
      const { page, problems } = await open('/ui/');
      await page.waitForSelector(`tbody tr a[href="${path}"]`, WAIT);
      await page.click(`tbody tr a[href="${path}"]`);
      await page.waitForFunction(() => document.querySelector('.facts, .empty') !== null, WAIT);
      const fromRow = [
        new URL(page.url()).pathname,
        await page.$('.empty'),
        (await page.$('.facts')) !== null,
      ];
      const tab = await open(path);
      await tab.page.waitForFunction(() => document.querySelector('.facts, .empty') !== null, WAIT);
      opened.push([...fromRow, await tab.page.$('.empty'), problems, tab.problems]);
      await page.close();
      await tab.page.close();
    }
    expect(opened).toEqual(ILL_FORMED.map(([, , path]) => [path, null, true, null, [], []]));
  });

  it('should not scroll sideways on a phone with a 256-character name, overview and service page', async () => {
    const { page } = await open('/ui/', PHONE);
    await page.waitForSelector('tbody tr', WAIT);
    const overview = await scrollWidths(page);
    expect(overview.scrollWidth).toBeLessThanOrEqual(overview.clientWidth);
    await page.click(`a[href="${NAMES.at(-1)?.[2]}"]`);
    await page.waitForSelector('.facts', WAIT);
    const service = await scrollWidths(page);
    expect(service.scrollWidth).toBeLessThanOrEqual(service.clientWidth);
  });

  it("should name the history's span as configured and say in words why an operation has no headroom", async () => {
    const { page } = await open('/ui/');
    await waitForRows(page, [
      ...[...NAMES, ...ILL_FORMED].map((names) => `${shown(names)} GET /`).reverse(),
      'statuses/odd GET /free',
      'statuses/odd GET /new',
    ]);
    expect(await page.$eval('thead th:last-child', (th) => th.textContent)).toBe('Last 2m');
    expect(await page.$eval('.summary', (p) => p.textContent)).toContain('the last 2m show');
    expect(
      await page.$$eval('tr[data-service="statuses/odd"] .col-headroom .words', (words) =>
        words.map((w) => w.textContent),
      ),
    ).toEqual(['no budget set', 'not enough samples']);
  });
});
