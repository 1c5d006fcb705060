/**
 * A `headroom.criticality` that is no class is ignored, and counted where it was read: W3C baggage
 * on requests into a real node:http service behind budgetListener, and the attribute of a judged
 * span, both in `headroom_criticality_invalid_total{source}` of the service's own /metrics.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import { startEmbedded } from '../../app/start.ts';
import { budgetListener, requestBudget } from '../../instrumentation/http/http.ts';
import type { EmbeddedHeadroom } from '../../instrumentation/index.ts';
import { ScriptedLoad } from '../helpers/agent.ts';
import { freePort } from '../helpers/free-port.ts';
import { checkMetrics } from './helpers/prometheus.ts';

describe('invalid criticality values are counted', () => {
  const clock = new ManualClock(1_700_000_000_000);
  let headroom: EmbeddedHeadroom;
  let server: Server;
  let base: string;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    headroom = startEmbedded({
      config: {
        service: { name: 'front' },
        contexts: { web: { budget: '100ms' } },
        exporters: { prometheus: { port: metricsPort } },
      },
      env: {},
      registerGlobal: false,
      loadSampler: new ScriptedLoad(),
      clock,
    });
    const listener = budgetListener(headroom, (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ criticality: requestBudget(req)?.criticality }));
    });
    server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await headroom.shutdown();
  });

  const invalidLines = async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
    return text.split('\n').filter((line) => line.includes('headroom_criticality_invalid_total'));
  };

  it('should count each ignored baggage value and each ignored span attribute, nothing valid or absent', async () => {
    const sent: (string | undefined)[] = [
      'headroom.criticality=sheddable', // wrong case: ignored
      'headroom.criticality=BOGUS',
      'headroom.criticality=SHEDDABLE%20', // a trailing space once decoded
      'headroom.criticality=CRITICAL_PLUS;prio=1', // a property does not change the value: valid
      'headroom.criticality=SHEDDABLE',
      'other=1', // no entry of ours
      undefined, // no baggage at all
    ];
    const classes = [];
    for (const baggage of sent) {
      const response = await fetch(`${base}/`, { headers: baggage === undefined ? {} : { baggage } });
      classes.push(((await response.json()) as { criticality: string }).criticality);
    }
    expect(classes).toEqual([
      'CRITICAL',
      'CRITICAL',
      'CRITICAL',
      'CRITICAL',
      'SHEDDABLE',
      'CRITICAL',
      'CRITICAL',
    ]);
    const tracer = headroom.tracerProvider!.getTracer('app');
    const end = (criticality: unknown) =>
      tracer
        .startSpan('job', {
          attributes: { 'headroom.budget.context': 'web', 'headroom.criticality': criticality as string },
        })
        .end();
    for (const criticality of ['SHEDDABLE', 'critical', '', 3]) end(criticality);
    const labels = 'service="front"';
    expect(await invalidLines()).toEqual([
      "# HELP headroom_criticality_invalid_total headroom.criticality values that were no class (exact spelling: CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE) and were ignored, by source (baggage: the W3C baggage entry, each time it was read; span: the attribute of a judged span, which then counts in its series' class).",
      '# TYPE headroom_criticality_invalid_total counter',
      `headroom_criticality_invalid_total{${labels},source="baggage"} 3`,
      `headroom_criticality_invalid_total{${labels},source="span"} 3`,
    ]);
  });
});
