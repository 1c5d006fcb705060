import { resourceFromAttributes } from '@opentelemetry/resources';
import type { CollectionResult } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { HeadroomMetricProducer } from '../../../exporters/metrics/index.ts';
import {
  BoundedExposition,
  createSerializer,
  estimateExpositionChars,
  exposition,
} from '../../../exporters/prometheus/index.ts';
import { recordMany, testAgent } from '../../helpers/agent.ts';
import { listening, prometheusConfig, prometheusExporters } from '../../helpers/prometheus-exporter.ts';

const config = prometheusConfig();
const started = prometheusExporters();
const serving = async (options: Parameters<typeof started>[0]) => listening(await started(options));

async function collected(agent: ReturnType<typeof testAgent>['agent']) {
  return (await new HeadroomMetricProducer({ agent, maxSeries: 2000 }).collect()).resourceMetrics;
}

describe('bounded exposition', () => {
  it('should keep a scrape small after spans with 4 MB names: names are cut to limits.nameLength and counted', async () => {
    const { agent, clock } = testAgent();
    for (let i = 0; i < 6; i++) {
      const huge = `${String(i)}${'x'.repeat(4 * 1024 * 1024)}`;
      agent.series({ service: huge, operation: huge, context: 'routine' }).record(5, false, clock.now());
    }
    const handle = await serving({ agent, config });
    const response = await fetch(handle.url);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(text.length).toBeLessThan(200_000);
    expect(text).toContain(`operation="${'0'}${'x'.repeat(255)}"`);
    expect(text).toContain('headroom_names_truncated_total{dimension="operation"} 6\n');
    expect(text).toContain('headroom_names_truncated_total{dimension="service"} 6\n');
  });

  it('should answer 503 with the reason and Retry-After when the exposition is over maxScrapeSize, and count it', async () => {
    const { agent, clock } = testAgent();
    recordMany(agent, clock, { operation: 'checkout', context: 'routine' }, 10, 5);
    const handle = await serving({ agent, config: { ...config, maxScrapeBytes: 1000 } });

    const response = await fetch(handle.url);
    const body = await response.text();

    expect([
      response.status,
      response.headers.get('retry-after'),
      response.headers.get('content-type'),
    ]).toEqual([503, '30', 'text/plain; charset=utf-8']);
    expect(body).toMatch(
      /^headroom: the exposition would be (at least )?\d+ bytes, over exporters\.prometheus\.maxScrapeSize \(1000 bytes\); lower window\.maxSeries, exporters\.prometheus\.maxSeries or limits\.nameLength, or raise maxScrapeSize\n$/,
    );
    const counted = await exposition(handle.producer);
    expect(counted).toContain('headroom_prometheus_scrapes_refused_total{reason="too_large"} 1\n');
    expect(counted).toContain('headroom_prometheus_scrapes_refused_total{reason="failed"} 0\n');
    expect(counted).toContain('headroom_prometheus_scrape_size_bytes 0\n');
  });

  it('should report the size of the last exposition served', async () => {
    const { agent, clock } = testAgent();
    recordMany(agent, clock, { operation: 'checkout', context: 'routine' }, 10, 5);
    const handle = await serving({
      agent,
      config,
      resource: resourceFromAttributes({ 'service.name': 'svc' }),
    });
    const first = await (await fetch(handle.url)).text();
    const second = await (await fetch(handle.url)).text();

    expect(second).toContain(`headroom_prometheus_scrape_size_bytes ${Buffer.byteLength(first)}\n`);
  });

  it('should serve an exposition of exactly maxScrapeSize bytes and refuse it one byte lower', async () => {
    const { agent, clock } = testAgent();
    recordMany(agent, clock, { operation: 'checkout', context: 'routine' }, 10, 5);
    const metrics = await collected(agent);
    const bytes = Buffer.byteLength(createSerializer().serialize(metrics));

    const exact = new BoundedExposition(bytes).render(metrics);
    const under = new BoundedExposition(bytes - 1);
    const refused = under.render(metrics);

    expect(exact.ok && exact.bytes).toBe(bytes);
    expect(refused.ok).toBe(false);
    expect(under.stats()).toStrictEqual({ refused: { too_large: 1, failed: 0 }, lastSizeBytes: 0 });
  });

  it('should bound the exposition from above with its estimate, escapes and multi-byte names included', async () => {
    const { agent, clock } = testAgent();
    for (const name of ['plain', 'quote"back\\slash\nnewline', 'é😀'.repeat(50), '']) {
      recordMany(
        agent,
        clock,
        { service: name || 'svc', operation: name, context: 'routine', phase: 'routing' },
        3,
        2,
      );
      recordMany(agent, clock, { service: name || 'svc', operation: name, context: 'emergency' }, 300, 2);
    }
    const metrics = await collected(agent);
    const text = createSerializer().serialize(metrics);

    expect(estimateExpositionChars(metrics)).toBeGreaterThanOrEqual(text.length);
    expect(estimateExpositionChars(metrics)).toBeLessThan(text.length * 3);
  });

  it('should answer 503 and count a failure when the collection itself fails, and keep serving', async () => {
    const bounded = new BoundedExposition(1024);
    const result = bounded.failed(new RangeError('Invalid string length'));

    expect(result).toStrictEqual({
      ok: false,
      reason: 'failed',
      message: 'headroom: the exposition failed: RangeError: Invalid string length\n',
    });
    expect(bounded.stats().refused).toStrictEqual({ too_large: 0, failed: 1 });
  });
});

it('should refuse without serializing an exposition far over the limit', () => {
  const huge = 'x'.repeat(1_000_000);
  const metrics = {
    resource: resourceFromAttributes({ huge }),
    scopeMetrics: [],
  } as unknown as CollectionResult['resourceMetrics'];
  const result = new BoundedExposition(10_000).render(metrics);

  expect(result.ok === false && result.message).toMatch(
    /^headroom: the exposition would be at least 25\d{4} bytes/,
  );
});
