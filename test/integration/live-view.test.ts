// Collector mode: the live view on the decision API's listener, fed by a service exporting its
// spans with the official OTLP/HTTP (protobuf) exporter. The view stream carries the whole view,
// a point per 10 s step of the collector's clock and a service event after an override set
// through the decision API, to a token bound to the service's namespace; the other tenant's token
// sees none of it. The decision stream and the view stream share the per-token stream cap.
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import type { Collector } from '../../app/collector.ts';
import { openStream } from '../collector/api/setup.ts';
import { startTestCollector } from '../helpers/collector.ts';

let collector: Collector | undefined;
const streams: Awaited<ReturnType<typeof openStream>>[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) await stream.close();
  await collector?.shutdown(2000);
  collector = undefined;
});

const SHOP_OPS = 'shop-ops-token-0123456789';
const OTHER_READER = 'other-reader-token-0123456789';
const SHOP_SENDER = 'shop-sender-token-0123456789';

/** Sends `count` spans of `durationMs` as a service's SDK does, all ending now on `clock`. */
async function sendSpans(url: string, clock: ManualClock, count: number, durationMs: number) {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: `${url}/v1/traces`,
          headers: { authorization: `Bearer ${SHOP_SENDER}` },
        }),
        maxExportBatchSize: 50,
      }),
    ],
  });
  const tracer = provider.getTracer('app');
  const endMs = clock.now();
  const attributes = { 'headroom.budget.context': 'emergency', 'headroom.operation': 'quote' };
  for (let i = 0; i < count; i++)
    tracer
      .startSpan('quote', { kind: SpanKind.SERVER, attributes, startTime: endMs - durationMs })
      .end(endMs);
  await provider.forceFlush();
  await provider.shutdown();
}

async function open(url: string, token: string) {
  const stream = await openStream(url, { authorization: `Bearer ${token}` });
  streams.push(stream);
  return stream;
}

describe('collector mode: the live view over OTLP/HTTP ingestion', () => {
  it('should stream the view, points at each step and the service after an override, to its tenant only', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const started = await startTestCollector(
      [
        'receiver:',
        '  port: 0',
        '  grpc: { port: 0 }',
        `  tokens: [{ name: shop-sender, token: ${SHOP_SENDER}, namespace: shop }]`,
        'api:',
        '  port: 0',
        '  maxStreamsPerToken: 2',
        '  tokens:',
        `    - { name: shop-ops, token: ${SHOP_OPS}, scopes: [read, override], namespace: shop }`,
        `    - { name: other-reader, token: ${OTHER_READER}, scopes: [read], namespace: other }`,
        'ui: { enabled: true }',
      ],
      { clock },
    );
    collector = started.collector;
    const api = collector.api?.url as string;
    expect(started.log.messages()).toContain(
      `live view on ${api}/ui/ (API: GET /api/v1/view, /api/v1/view/stream)`,
    );
    await sendSpans(collector.receiver.url, clock, 30, 40);
    const shop = await open(`${api}/api/v1/view/stream`, SHOP_OPS);
    const other = await open(`${api}/api/v1/view/stream`, OTHER_READER);
    await vi.waitFor(() => expect([shop.events.length, other.events.length]).toEqual([1, 1]));
    await clock.advanceAsync(10_000);
    // Steps T0 (the first tick after it: the service is new there) and T0 + 10 s: one point each.
    await vi.waitFor(() => expect(shop.events).toHaveLength(4));
    const put = await fetch(`${api}/api/v1/namespaces/shop/services/checkout/override`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${SHOP_OPS}`, 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'SEVERE', reason: 'drill' }),
    });
    expect(put.status).toBe(200);
    await vi.waitFor(() => expect(shop.events).toHaveLength(5));
    const events = shop.events.map((event) => [event.event, JSON.parse(event.data)]);
    expect(events.map(([name]) => name)).toEqual(['view', 'point', 'service', 'point', 'service']);
    const [view, first, , point, service] = events.map(([, data]) => data);
    expect(first.atMs).toBe(1_700_000_000_000);
    expect(
      view.services.map((s: { namespace: string; service: string }) => `${s.namespace}/${s.service}`),
    ).toEqual(['shop/checkout']);
    expect(view.services[0].operations[0]).toMatchObject({
      operation: 'quote',
      context: 'emergency',
      count: 30,
    });
    expect(point).toEqual({
      atMs: 1_700_000_010_000,
      points: [
        {
          namespace: 'shop',
          service: 'checkout',
          operation: 'quote',
          context: 'emergency',
          p50: 40,
          p95: 40,
          p99: 40,
          budgetMs: 50,
          observedMs: 40,
          headroom: 0.2,
          status: 'warning',
          count: 30,
        },
      ],
    });
    expect(service).toMatchObject({
      namespace: 'shop',
      service: 'checkout',
      level: 'SEVERE',
      overridden: true,
      override: { level: 'SEVERE', reason: 'drill (by shop-ops)', untilMs: null },
    });
    // The other tenant saw an empty view and empty points, nothing of the service.
    expect(
      other.events.map((event) => [
        event.event,
        JSON.parse(event.data).services ?? JSON.parse(event.data).points,
      ]),
    ).toEqual([
      ['view', []],
      ['point', []],
      ['point', []],
    ]);
    // One decision stream plus the view stream: the token's cap of 2 is reached.
    await open(`${api}/api/v1/decisions/stream`, SHOP_OPS);
    const refused = await fetch(`${api}/api/v1/view/stream`, {
      headers: { authorization: `Bearer ${SHOP_OPS}` },
    });
    expect([refused.status, refused.headers.get('retry-after'), await refused.json()]).toEqual([
      429,
      '5',
      {
        error: {
          code: 'too_many_streams',
          message:
            'too many open streams for token "shop-ops" (2, api.maxStreamsPerToken); close one or retry later',
        },
      },
    ]);
  });
});
