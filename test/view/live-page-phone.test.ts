/**
 * The live page on a phone (390x844) never scrolls sideways, whatever a sender or an operator puts
 * on it: a level held by an override (`◑ Moderate (override)` wraps under the word, review16c M3), a
 * 256-character context (a sender picks it; it wraps inside its chip, L3), and 240-character
 * operations, override reasons, modifiers, transitions, SLO names and disabled features (which
 * wrap or scroll in their own named region). Each page also passes axe-core without a serious
 * violation.
 */
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, scrollWidths, seriousViolations } from '../helpers/browser.ts';
import { type FakeViewServer, startFakeViewServer } from '../helpers/fake-view-server.ts';
import { VIEW_NOW_MS, viewOf, viewOperation, viewService } from '../helpers/view-fixture.ts';

const LONG = (prefix: string) => `${prefix}${'x'.repeat(240)}`;
const PHONE = { width: 390, height: 844 };
const WAIT = { timeout: 15_000 };

let browser: Browser;
const servers: FakeViewServer[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
});

/** A service `shop/checkout` at `level` whose one operation has `context`; `long` puts 240-character texts everywhere else. */
async function serve(level: string, overridden: boolean, context: string, long = false) {
  const service = viewService('shop', 'checkout', level, [
    viewOperation(long ? LONG('op') : 'GET /x', context, 260, 200, 1),
  ]);
  service.overridden = overridden;
  if (long) {
    service.override = { level, reason: LONG('reason'), untilMs: VIEW_NOW_MS + 60_000 };
    service.modifiers = [{ name: LONG('modifier'), factor: 1.5, untilMs: null }];
    service.disabledFeatures = [LONG('feature')];
    Object.assign(service.transitions[0] as object, { message: LONG('message'), reason: LONG('why') });
    Object.assign(service.slos[0] as object, { name: LONG('slo') });
  }
  const server = await startFakeViewServer(viewOf([service]), { all: {} });
  servers.push(server);
  return server.url;
}

/** The page's widths, and what sticks out past the phone's width outside a scroll region. */
async function overflow(page: Awaited<ReturnType<typeof openPage>>['page']) {
  const widths = await scrollWidths(page);
  const wide = await page.$$eval('body *', (elements) =>
    elements
      .filter((element) => element.getBoundingClientRect().right > 390 && element.closest('.scroll') === null)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`),
  );
  return { ...widths, wide };
}

async function check(url: string, ready: string) {
  const { page, problems } = await openPage(browser, url, PHONE, 'all');
  await page.waitForSelector(ready, WAIT);
  expect(await overflow(page)).toEqual({ scrollWidth: 390, clientWidth: 390, wide: [] });
  expect(await seriousViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
}

describe('the overview on a phone with a level held by an override', () => {
  it.each(['NONE', 'MINIMAL', 'MODERATE', 'SEVERE', 'CRITICAL'])(
    'should not scroll the overview sideways with a service held at %s by an override',
    async (level) => {
      await check(`${await serve(level, true, 'routine')}/ui/`, 'tbody tr');
    },
  );
});

describe('the live page on a phone with a 256-character context name', () => {
  it('should not scroll the overview sideways', async () => {
    await check(`${await serve('NONE', false, LONG('ctx'))}/ui/`, 'tbody tr');
  });

  it('should not scroll the service page sideways (long texts everywhere else wrap already)', async () => {
    await check(`${await serve('MODERATE', false, LONG('ctx'), true)}/ui/services/shop/checkout`, '.facts');
  });

  it('should not scroll the service page sideways with an override and 240-character texts everywhere', async () => {
    await check(`${await serve('SEVERE', true, LONG('ctx'), true)}/ui/services/shop/checkout`, '.facts');
  });

  it('should not scroll the overview sideways with a long context and an override in one row', async () => {
    await check(`${await serve('CRITICAL', true, LONG('ctx'))}/ui/`, 'tbody tr');
  });

  it('should not scroll the service page sideways with the long texts and a short context', async () => {
    await check(`${await serve('MODERATE', false, 'routine', true)}/ui/services/shop/checkout`, '.facts');
  });
});
