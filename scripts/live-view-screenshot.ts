/**
 * The README's picture of the live view (docs/live-view.png, docs/live-view-service.png), taken
 * from the real thing: collector mode on a manual clock, fed 15 minutes of OTLP/HTTP spans from
 * four services in two namespaces (checkout's POST /pay slows down and degrades on its own), one
 * level set through the decision API, the page opened in headless Chromium. Run it after a change
 * to the page: `node scripts/live-view-screenshot.ts`.
 */
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ManualClock } from '../agent/index.ts';
import { launchBrowser, newPage } from '../test/helpers/browser.ts';
import { startTestCollector } from '../test/helpers/collector.ts';
import { mulberry32 } from '../test/helpers/random.ts';

const TOKEN = 'screenshot-token-0123456789';
const STEP_MS = 10_000;
const STEPS = 90;

/** Each operation: its service, context and its typical duration at step `i` of `STEPS`. */
const OPERATIONS = [
  {
    ns: 'payments',
    service: 'checkout',
    op: 'POST /pay',
    context: 'routine',
    ms: (i: number) => (i < 55 ? 120 : 120 + (i - 55) * 4),
  },
  { ns: 'payments', service: 'checkout', op: 'GET /cart', context: 'routine', ms: () => 70 },
  {
    ns: 'payments',
    service: 'search',
    op: 'GET /search',
    context: 'deliberative',
    ms: (i: number) => 380 + 60 * Math.sin(i / 9),
  },
  { ns: 'inventory', service: 'stock', op: 'GET /stock', context: 'routine', ms: () => 125 },
  { ns: 'inventory', service: 'stock', op: 'POST /reserve', context: 'emergency', ms: () => 31 },
];

const root = join(import.meta.dirname, '..');
const clock = new ManualClock(Date.now() - STEPS * STEP_MS);
const { collector } = await startTestCollector(
  [
    'receiver: { port: 0, grpc: { port: 0 } }',
    'api:',
    '  port: 0',
    `  tokens: [{ name: ops, token: ${TOKEN}, scopes: [read, override] }]`,
    'ui: { enabled: true }',
  ],
  { clock },
);
const api = collector.api?.url as string;
const random = mulberry32(7);
const providers = new Map<string, TracerProvider>();
for (const { ns, service } of OPERATIONS) {
  if (providers.has(`${ns}/${service}`)) continue;
  const exporter = new OTLPTraceExporter({ url: `${collector.receiver.url}/v1/traces` });
  providers.set(
    `${ns}/${service}`,
    new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'service.namespace': ns }),
      spanProcessors: [new BatchSpanProcessor({ exporter, maxExportBatchSize: 512 })],
    }),
  );
}

for (let step = 0; step < STEPS; step++) {
  const endMs = clock.now();
  for (const { ns, service, op, context, ms } of OPERATIONS) {
    const tracer = (providers.get(`${ns}/${service}`) as TracerProvider).getTracer('shop');
    const attributes = { 'headroom.budget.context': context, 'headroom.operation': op };
    for (let i = 0; i < 40; i++) {
      // A long right tail: most requests near the typical duration, a few up to 1.6 times it.
      const durationMs = ms(step) * (0.45 + 0.55 * random() + (random() < 0.08 ? 0.6 * random() : 0));
      tracer.startSpan(op, { kind: SpanKind.SERVER, attributes, startTime: endMs - durationMs }).end(endMs);
    }
  }
  await Promise.all([...providers.values()].map((provider) => provider.forceFlush()));
  await clock.advanceAsync(STEP_MS);
}
const put = await fetch(`${api}/api/v1/namespaces/inventory/services/stock/override`, {
  method: 'PUT',
  headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  body: JSON.stringify({ level: 'MINIMAL', reason: 'warehouse sync running' }),
});
if (put.status !== 200) throw new Error(`override: HTTP ${put.status}`);

const browser = await launchBrowser();
try {
  const { page } = await newPage(browser, { width: 1280, height: 800 }, TOKEN);
  await page.goto(`${api}/ui/`);
  await page.waitForSelector('table.overview tbody tr:nth-child(5)', { timeout: 15_000 });
  await page.screenshot({ path: join(root, 'docs', 'live-view.png') });
  await page.goto(`${api}/ui/services/payments/checkout`);
  await page.waitForSelector('.op canvas', { timeout: 15_000 });
  await page.screenshot({ path: join(root, 'docs', 'live-view-service.png'), fullPage: true });
  console.log('wrote docs/live-view.png and docs/live-view-service.png');
} finally {
  await browser.close();
  for (const provider of providers.values()) await provider.shutdown();
  await collector.shutdown(2000);
}
