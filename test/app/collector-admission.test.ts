/**
 * Collector mode's admission as an SRE sees it: the descriptor budget in the start-up log, and a
 * slow sender's 408 counted on the Prometheus endpoint beside the body bytes in flight.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../app/collector.ts';
import { family } from '../exporters/metrics/families.ts';
import { startTestCollector } from '../helpers/collector.ts';
import { postHead, rawConnect } from '../helpers/raw-http.ts';

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.shutdown(2000);
  collector = undefined;
});

async function start(fdLimit: number | undefined) {
  const started = await startTestCollector(
    [
      'receiver: { port: 0, grpc: { port: 0 }, bodyRateGracePeriod: 100ms }',
      'api: { port: 0 }',
      'exporters: { prometheus: { port: 0 } }',
    ],
    { fdLimit: () => fdLimit },
  );
  collector = started.collector;
  const log = started.log;
  return { collector, log: log.messages() };
}

describe('Collector admission', () => {
  it.each([
    [
      1024,
      'file descriptors: limit 1024; receiver up to 691 connections, decision API up to 230 connections (214 streams)',
    ],
    [undefined, 'file descriptors: limit unknown; receiver no limit, decision API no limit (1000 streams)'],
  ])('should say at start how descriptor limit %s is shared', async (limit, line) => {
    const { log } = await start(limit);
    expect(log).toContain(line);
  });

  it('should count a slow sender refused with 408 on its Prometheus endpoint', async () => {
    const { collector } = await start(1024);
    const slow = await rawConnect(collector.receiver.url);
    slow.write(`${postHead('/v1/traces', { 'content-type': 'application/json', 'content-length': 100 })}{`);
    expect((await slow.response).status).toBe(408);
    if (!collector.prometheus?.listening) throw new Error('metrics endpoint not listening');
    const text = await (await fetch(collector.prometheus.url)).text();
    expect(
      family(text, 'headroom_receiver_refused_requests_total').filter((line) => line.includes('"timeout"')),
    ).toEqual([
      'headroom_receiver_refused_requests_total{reason="timeout",transport="http"} 1',
      'headroom_receiver_refused_requests_total{reason="timeout",transport="grpc"} 0',
    ]);
    expect(family(text, 'headroom_receiver_buffered_body_bytes')).toEqual([
      '# HELP headroom_receiver_buffered_body_bytes Body bytes held by OTLP requests being received or processed (admission budget in use).',
      '# UNIT headroom_receiver_buffered_body_bytes bytes',
      '# TYPE headroom_receiver_buffered_body_bytes gauge',
      'headroom_receiver_buffered_body_bytes 0',
    ]);
  });
});
