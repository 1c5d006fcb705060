/**
 * Embedded mode's live view as a user meets it: a service started with `ui.enabled`, its page
 * opened in a real headless Chromium on the service's own view listener with a read token, an
 * override set in code shown without a reload (the delay is measured and printed).
 */
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmbedded } from '../../app/start.ts';
import type { EmbeddedHeadroom } from '../../instrumentation/index.ts';
import { ScriptedLoad } from '../helpers/agent.ts';
import { launchBrowser, newPage } from '../helpers/browser.ts';
import { freePort } from '../helpers/free-port.ts';
import type { PageDocument } from '../helpers/page-dom.ts';

declare const document: PageDocument;

const TOKEN = 'embedded-view-token-0123456789';
const WAIT = { timeout: 15_000 };

let browser: Browser;
let headroom: EmbeddedHeadroom;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await headroom?.shutdown();
});

describe('the live view of an embedded service, in headless Chromium', () => {
  it('should serve the page on the view listener and show an override set in code', async () => {
    const port = await freePort();
    headroom = startEmbedded({
      config: {
        service: { name: 'checkout', namespace: 'shop' },
        exporters: { prometheus: { enabled: false } },
        api: { tokens: [{ name: 'oncall', token: TOKEN, scopes: ['read'] }] },
        ui: { enabled: true, port },
      },
      env: {},
      registerGlobal: false,
      loadSampler: new ScriptedLoad(),
    });
    for (let i = 0; i < 30; i++) headroom.track('quote', 'emergency', () => i);
    const url = `http://127.0.0.1:${port}`;
    // The listener starts in the background: its page answers once it is up.
    await vi.waitFor(async () => expect((await fetch(`${url}/ui/`)).status).toBe(200), {
      timeout: 10_000,
      interval: 50,
    });

    const { page, problems } = await newPage(browser, { width: 390, height: 844 }, TOKEN);
    await page.goto(`${url}/ui/services/shop/checkout`);
    await page.waitForFunction(
      () => document.querySelector('#view h1')?.textContent === 'shop/checkout',
      WAIT,
    );
    await page.waitForFunction(
      () => document.querySelector('.op h3')?.textContent === 'quote emergency',
      WAIT,
    );

    const sentAtMs = Date.now();
    headroom.override('SEVERE', 'drill');
    const shown = await page.waitForFunction(
      () => document.querySelector('.facts dd')?.textContent === '◕ Severe (override)' && Date.now(),
      { ...WAIT, polling: 'mutation' },
    );
    const delayMs = ((await shown.jsonValue()) as number) - sentAtMs;
    console.log(`live view (embedded): override -> page in ${delayMs} ms`);
    expect(delayMs).toBeLessThan(15_000);
    expect(problems).toEqual([]);
    await page.close();
  });
});
