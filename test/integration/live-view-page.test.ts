/**
 * The live view as a user meets it (issue 16): `headroom agent`'s composition root (collector mode)
 * fed real OTLP/HTTP spans by three services in two namespaces, its page opened in a real headless
 * Chromium with a read token. The page lists the services' operations least headroom first, shows a
 * level set through the decision API (PUT .../override) without a reload, and shows nothing of them
 * to another tenant's token. The override-to-page delay is measured and printed; a screenshot is
 * saved as a CI artifact (artifacts/live-view.png).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Collector } from '../../app/collector.ts';
import {
  launchBrowser,
  openPage,
  rowsReachedByTab,
  scrollWidths,
  seriousViolations,
  waitForRows,
} from '../helpers/browser.ts';
import { startTestCollector } from '../helpers/collector.ts';
import type { PageDocument } from '../helpers/page-dom.ts';

declare const document: PageDocument;

const OPS = 'ops-token-0123456789abcdef';
const INVENTORY = 'inventory-reader-token-0123456789';
/** Sender tokens, one per namespace: a namespace-bound read token needs senders bound as well. */
const SENDERS: Readonly<Record<string, string>> = {
  payments: 'payments-sender-token-0123456789',
  inventory: 'inventory-sender-token-0123456789',
};
const WAIT = { timeout: 15_000 };

/** The seeded services: p95 of each against the routine budget (200 ms) makes the headroom order. */
const SEEDS = [
  { namespace: 'payments', service: 'search', operation: 'GET /search', durationMs: 60 },
  { namespace: 'payments', service: 'checkout', operation: 'POST /pay', durationMs: 180 },
  { namespace: 'inventory', service: 'stock', operation: 'GET /stock', durationMs: 120 },
];
const ORDER = ['payments/checkout POST /pay', 'inventory/stock GET /stock', 'payments/search GET /search'];

/** Sends `count` finished spans of one service through the official OTLP/HTTP (protobuf) exporter. */
async function sendSpans(receiverUrl: string, seed: (typeof SEEDS)[number], count: number) {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': seed.service, 'service.namespace': seed.namespace }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: `${receiverUrl}/v1/traces`,
          headers: { authorization: `Bearer ${SENDERS[seed.namespace]}` },
        }),
        maxExportBatchSize: 100,
      }),
    ],
  });
  const tracer = provider.getTracer('shop');
  const endMs = Date.now();
  const attributes = { 'headroom.budget.context': 'routine', 'headroom.operation': seed.operation };
  for (let i = 0; i < count; i++)
    tracer
      .startSpan(seed.operation, { kind: SpanKind.SERVER, attributes, startTime: endMs - seed.durationMs })
      .end(endMs);
  await provider.forceFlush();
  await provider.shutdown();
}

let collector: Collector;
let browser: Browser;
let api: string;

beforeAll(async () => {
  const started = await startTestCollector([
    'receiver:',
    '  port: 0',
    '  grpc: { port: 0 }',
    '  tokens:',
    ...Object.entries(SENDERS).map(
      ([ns, token]) => `    - { name: ${ns}-sender, token: ${token}, namespace: ${ns} }`,
    ),
    'api:',
    '  port: 0',
    '  tokens:',
    `    - { name: ops, token: ${OPS}, scopes: [read, override] }`,
    `    - { name: inventory-reader, token: ${INVENTORY}, scopes: [read], namespace: inventory }`,
    'ui: { enabled: true }',
  ]);
  collector = started.collector;
  api = collector.api?.url as string;
  browser = await launchBrowser();
  for (const seed of SEEDS) await sendSpans(collector.receiver.url, seed, 40);
  // Judged once the agent has ticked over the spans: every operation has a headroom.
  await vi.waitFor(
    async () => {
      const response = await fetch(`${api}/api/v1/view`, { headers: { authorization: `Bearer ${OPS}` } });
      const view = (await response.json()) as { services: { operations: { headroom: number | null }[] }[] };
      const judged = view.services.flatMap((s) => s.operations).filter((op) => op.headroom !== null);
      expect(judged).toHaveLength(3);
    },
    { timeout: 15_000, interval: 200 },
  );
});

afterAll(async () => {
  await browser?.close();
  await collector?.shutdown(2000);
});

function open(path: string, token: string, size = { width: 1280, height: 800 }) {
  return openPage(browser, `${api}${path}`, size, token);
}

describe('the live view of a collector, in headless Chromium', () => {
  it('should list the seeded services least headroom first and show an override within 15 s', async () => {
    const { page, problems } = await open('/ui/', OPS);
    await waitForRows(page, ORDER);
    expect(await page.$$eval('tr .level', (badges) => badges.map((b) => b.textContent))).toEqual([
      '✓ None',
      '✓ None',
      '✓ None',
    ]);
    const widths = await scrollWidths(page);
    expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await rowsReachedByTab(page, 10)).toHaveLength(3);

    const sentAtMs = Date.now();
    const put = await fetch(`${api}/api/v1/namespaces/payments/services/checkout/override`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${OPS}`, 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'SEVERE', reason: 'drill' }),
    });
    expect(put.status).toBe(200);
    const shown = await page.waitForFunction(
      () =>
        document.querySelector('tr[data-service="payments/checkout"] .level')?.textContent ===
          '◕ Severe (override)' && Date.now(),
      { ...WAIT, polling: 'mutation' },
    );
    const delayMs = ((await shown.jsonValue()) as number) - sentAtMs;
    console.log(`live view: override -> page in ${delayMs} ms (PUT sent to the badge drawn)`);
    expect(delayMs).toBeLessThan(15_000);
    expect(problems).toEqual([]);

    await page.evaluate(() => document.activeElement?.blur());
    mkdirSync('artifacts', { recursive: true });
    const screenshot = join(process.cwd(), 'artifacts', 'live-view.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`live view screenshot: ${screenshot}`);

    await page.click('tr[data-service="payments/checkout"] a');
    await page.waitForFunction(
      () => document.querySelector('#view h1')?.textContent === 'payments/checkout',
      WAIT,
    );
    await page.waitForFunction(() => document.querySelectorAll('.op canvas').length >= 1, WAIT);
    const facts = await page.$$eval('.facts dd', (cells) => cells.map((c) => c.textContent));
    expect([facts[0], facts[3]]).toEqual(['◕ Severe (override)', '◕ Severe drill (by ops), until cleared']);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it("should show a tenant's token its own services only", async () => {
    const { page } = await open('/ui/', INVENTORY);
    await waitForRows(page, ['inventory/stock GET /stock']);
    expect(await page.$eval('.summary', (p) => p.textContent)).toMatch(/^1 operation in 1 service,/);
    await page.goto(`${api}/ui/services/payments/checkout`);
    await page.waitForSelector('#view:not([hidden]) .empty', WAIT);
    expect(await page.$eval('.empty', (p) => p.textContent)).toBe(
      'No service payments/checkout is visible with this token: it may not exist (yet), or belong to another tenant.',
    );
    await page.close();
  });
});
