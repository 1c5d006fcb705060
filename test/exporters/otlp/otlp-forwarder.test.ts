import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/index.ts';
import { type ForwarderStats, OtlpForwarder } from '../../../exporters/otlp/index.ts';
import { OtlpSink, until } from '../../helpers/otlp-sink.ts';

const JSON_TYPE = 'application/json';
const NONE = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 };

/** The resolved `exporters.otlp` section for `otlp` (YAML shape). */
function otlpConfig(otlp: object) {
  const text = JSON.stringify({ exporters: { otlp: { compression: 'none', ...otlp } } });
  return parseConfig([{ file: 'inline.yaml', text }], {}).exporters.otlp;
}

/** An OTLP/JSON trace request body (its content does not matter to the forwarder). */
const body = (tag: string) => Buffer.from(JSON.stringify({ resourceSpans: [], tag }));

let sink: OtlpSink;
let forwarder: OtlpForwarder | undefined;
beforeEach(async () => {
  sink = await OtlpSink.start();
});
afterEach(async () => {
  await forwarder?.shutdown(100);
  await sink.stop();
  forwarder = undefined;
});

function stats(partial: Partial<ForwarderStats>): ForwarderStats {
  return {
    signal: 'traces',
    sentItems: 0,
    sentRequests: 0,
    dropped: NONE,
    retries: 0,
    queueSize: 0,
    queueCapacity: 100,
    queuedBytes: 0,
    ...partial,
  };
}

describe('OtlpForwarder', () => {
  it('should bound its queue in spans, not requests, and count a refused request by its spans', async () => {
    sink.script('hang');
    forwarder = new OtlpForwarder(otlpConfig({ endpoint: sink.endpoint, queue: { maxSize: 100 } }), 'traces');
    const sizes = [60, 40, 1, 30];
    const bodies = sizes.map((_, i) => body(`r${i}`));
    for (const [i, spans] of sizes.entries()) forwarder.forward(bodies[i] as Buffer, JSON_TYPE, spans);
    const held = (bodies[0]?.length ?? 0) + (bodies[1]?.length ?? 0);
    // 60 + 40 fill the 100 spans exactly (the first is in flight); 1 more span does not fit.
    expect(forwarder.stats()).toEqual(
      stats({ dropped: { ...NONE, queue_full: 31 }, queueSize: 100, queuedBytes: held }),
    );
  });

  it('should hold at most queue.maxSize spans however many requests carry them (200 x 200 spans)', async () => {
    sink.script('hang');
    forwarder = new OtlpForwarder(otlpConfig({ endpoint: sink.endpoint }), 'traces');
    const request = body('r');
    for (let i = 0; i < 200; i++) forwarder.forward(request, JSON_TYPE, 200);
    expect(forwarder.stats()).toEqual(
      stats({
        dropped: { ...NONE, queue_full: 190 * 200 },
        queueSize: 2000,
        queueCapacity: 2048,
        queuedBytes: 10 * request.length,
      }),
    );
  });

  it('should forward requests unchanged and count spans sent, with metric data points for metrics', async () => {
    forwarder = new OtlpForwarder(otlpConfig({ endpoint: sink.endpoint, queue: { maxSize: 10 } }), 'metrics');
    const payload = Buffer.from(JSON.stringify({ resourceMetrics: [] }));
    forwarder.forward(payload, JSON_TYPE, 7);
    forwarder.forward(payload, JSON_TYPE, 3);
    forwarder.forward(payload, JSON_TYPE, 1);
    await until(() => forwarder?.stats().queueSize === 0, 5000, 'queue drained');
    expect(forwarder.stats()).toEqual(
      stats({
        signal: 'metrics',
        sentItems: 10,
        sentRequests: 2,
        dropped: { ...NONE, queue_full: 1 },
        queueCapacity: 10,
      }),
    );
    expect(sink.requests.map((r) => [r.path, r.contentType, r.reply])).toEqual([
      ['/v1/metrics', JSON_TYPE, 200],
      ['/v1/metrics', JSON_TYPE, 200],
    ]);
  });

  it('should give up at the shutdown bound, with the backend hanging, and count every held span', async () => {
    sink.script('hang', 'hang');
    forwarder = new OtlpForwarder(otlpConfig({ endpoint: sink.endpoint, queue: { maxSize: 100 } }), 'traces');
    forwarder.forward(body('a'), JSON_TYPE, 5);
    forwarder.forward(body('b'), JSON_TYPE, 7);
    const startedMs = Date.now();
    await forwarder.shutdown(300);
    const tookMs = Date.now() - startedMs;
    forwarder.forward(body('c'), JSON_TYPE, 2);
    expect(forwarder.stats()).toEqual(stats({ dropped: { ...NONE, shutdown: 14 } }));
    expect(tookMs).toBeGreaterThanOrEqual(290);
    expect(tookMs).toBeLessThan(1000);
  });

  it('should give up at the shutdown bound while waiting out a backoff, with the backend down', async () => {
    const down = await OtlpSink.start();
    const endpoint = down.endpoint;
    await down.stop();
    forwarder = new OtlpForwarder(otlpConfig({ endpoint, queue: { maxSize: 100 } }), 'traces');
    forwarder.forward(body('a'), JSON_TYPE, 3);
    // The connection is refused at once; the first backoff (2.5 s to 7.5 s) is then under way.
    const startedMs = Date.now();
    await forwarder.shutdown(200);
    const tookMs = Date.now() - startedMs;
    expect(forwarder.stats()).toEqual(stats({ dropped: { ...NONE, shutdown: 3 } }));
    expect(tookMs).toBeGreaterThanOrEqual(190);
    expect(tookMs).toBeLessThan(1000);
  });
});
