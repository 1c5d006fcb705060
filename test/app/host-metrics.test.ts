// start() and the service's own metrics pipeline: headroom.metricProducer() in a real
// MeterProvider with the official PrometheusExporter, Headroom's own port turned off.
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbedded as start } from '../../app/start.ts';
import { registerHeadroomMetrics } from '../../exporters/prom-client/index.ts';
import type { EmbeddedHeadroom as Headroom } from '../../instrumentation/index.ts';
import { ScriptedLoad } from '../helpers/agent.ts';
import { checkMetrics } from '../integration/helpers/prometheus.ts';

let headroom: Headroom | undefined;
let meterProvider: MeterProvider | undefined;
afterEach(async () => {
  await meterProvider?.shutdown();
  await headroom?.shutdown();
  headroom = meterProvider = undefined;
});

/** The service's own pipeline: a MeterProvider whose PrometheusExporter also reads Headroom's producer. */
async function hostScrape(producer: ReturnType<Headroom['metricProducer']>): Promise<string> {
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
  meterProvider = new MeterProvider({ readers: [exporter] });
  meterProvider.getMeter('shop').createCounter('orders', { description: 'Orders placed.' }).add(2);
  const { resourceMetrics, errors } = await exporter.collect();
  expect(errors).toEqual([]);
  return new PrometheusSerializer().serialize(resourceMetrics);
}

const lines = (text: string, prefix: string) => text.split('\n').filter((line) => line.startsWith(prefix));

describe("start() and the service's own metrics pipeline", () => {
  it("should give the service's exporter Headroom's metrics, SLOs included, with Headroom's port off", async () => {
    headroom = start({
      config: {
        service: { name: 'shop' },
        exporters: { prometheus: { enabled: false } },
        slos: [{ name: 'quote-latency', context: 'emergency', objective: '99%' }],
      },
      env: {},
      registerGlobal: false,
      loadSampler: new ScriptedLoad(),
    });
    expect(headroom.metricProducer()).toBe(headroom.metricProducer());
    expect(await headroom.metricsEndpoint()).toEqual({ url: undefined });
    for (let i = 0; i < 4; i++) headroom.track('quote', 'emergency', () => i);
    headroom.tick();
    const text = await hostScrape(headroom.metricProducer());
    const scope = 'otel_scope_name="headroom-otel"';
    expect(lines(text, 'orders_total')).toEqual(['orders_total{otel_scope_name="shop"} 2']);
    expect(lines(text, 'headroom_operations_total')).toEqual([
      `headroom_operations_total{service="shop",operation="quote",context="emergency",${scope}} 4`,
    ]);
    expect(lines(text, 'headroom_slo_objective_ratio{')).toEqual([
      `headroom_slo_objective_ratio{slo="quote-latency",service="shop",${scope}} 0.99`,
    ]);
    expect(lines(text, 'headroom_metric_collection_errors_total')).toEqual([
      `headroom_metric_collection_errors_total{${scope}} 0`,
    ]);
    // The endpoint's own metrics describe a port that is not there.
    expect(lines(text, 'headroom_prometheus_')).toEqual([]);
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });

  it("should give a disabled Headroom's pipeline the idle agent's metrics", async () => {
    headroom = start({ config: { service: { name: 'shop' } }, env: { OTEL_SDK_DISABLED: 'true' } });
    expect(headroom.track('quote', 'emergency', () => 1)).toBe(1);
    const text = await hostScrape(headroom.metricProducer());
    expect(lines(text, 'headroom_series{')).toEqual(['headroom_series{otel_scope_name="headroom-otel"} 0']);
    expect(lines(text, 'headroom_operations_total')).toEqual([]);
  });

  it('should offer a prom-client registry only the families this Headroom has: no SLO ones without SLOs', async () => {
    headroom = start({
      config: { service: { name: 'shop' }, exporters: { prometheus: { enabled: false } } },
      env: {},
      registerGlobal: false,
      loadSampler: new ScriptedLoad(),
    });
    const registry = new Registry();
    registerHeadroomMetrics(headroom, { register: registry });
    headroom.track('quote', 'emergency', () => 1);
    const families = (await registry.metrics()).trim().split('\n\n');
    const withoutSamples = families.filter((family) => family.split('\n').length === 2);
    expect(withoutSamples.map((family) => family.split(' ')[2])).toEqual([
      'headroom_degradation_transitions_total',
      'headroom_admission_requests_total',
    ]);
    expect(families.filter((family) => family.includes('headroom_slo_'))).toEqual([]);
  });
});
