/**
 * The `/metrics` response: collect, render within the size bound, and answer 200 with the
 * exposition or 503 with the reason (counted). Replaces `PrometheusExporter`'s own handler, whose
 * serialization error escapes as an unhandled rejection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { CollectionResult } from '@opentelemetry/sdk-metrics';
import { METRICS, type MetricSource } from '../metrics/index.ts';
import type { BoundedExposition, RenderResult } from './bounded-exposition.ts';

/** Content type of Prometheus text format 0.0.4. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds a refused scrape is told to wait (Prometheus retries at its next interval anyway). */
const RETRY_AFTER_SECONDS = 30;

/** What collects the metrics (a `MetricReader` bound to its provider). */
export interface MetricCollector {
  collect(): Promise<CollectionResult>;
}

/** A request handler serving `reader`'s metrics through `bounded`; never throws, never rejects. */
export function scrapeHandler(
  reader: MetricCollector,
  bounded: BoundedExposition,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (_request, response) => {
    // Answered asynchronously; every failure ends as a 503 inside serve().
    void serve(reader, bounded, response);
  };
}

async function serve(reader: MetricCollector, bounded: BoundedExposition, response: ServerResponse) {
  let result: RenderResult;
  try {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) diag.error('headroom: metrics collection errors', ...errors);
    result = bounded.render(resourceMetrics);
  } catch (error) {
    result = bounded.failed(error);
  }
  try {
    if (result.ok) {
      response.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE });
      response.end(result.text);
    } else {
      if (result.reason === 'too_large') diag.warn(result.message.trim());
      response.writeHead(503, {
        'content-type': 'text/plain; charset=utf-8',
        'retry-after': String(RETRY_AFTER_SECONDS),
      });
      response.end(result.message);
    }
  } catch (error) {
    diag.debug('headroom: a scrape response failed', error);
  }
}

/** `headroom_prometheus_*`: refused scrapes by reason, size of the last exposition. */
export function scrapeMetrics(bounded: BoundedExposition): MetricSource {
  return (sink) => {
    const stats = bounded.stats();
    sink.counter(
      METRICS.scrapesRefused,
      Object.entries(stats.refused).map(([reason, value]) => ({ attributes: { reason }, value })),
    );
    sink.gauge(METRICS.scrapeSize, [{ attributes: {}, value: stats.lastSizeBytes }]);
  };
}
