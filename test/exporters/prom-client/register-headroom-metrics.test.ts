// Headroom's metrics in a real prom-client registry (prom-client 15, the service's own client).
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  type OpenMetricsContentType,
  Registry,
  register,
} from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../../agent/index.ts';
import { InvalidArgumentError, MetricNameTakenError } from '../../../errors.ts';
import { HeadroomMetricProducer, METRICS, type MetricSource } from '../../../exporters/metrics/index.ts';
import { registerHeadroomMetrics } from '../../../exporters/prom-client/index.ts';
import { familyValues, PromClientFamily } from '../../../exporters/prom-client/prom-client-families.ts';
import { exposition } from '../../../exporters/prometheus/index.ts';
import { recordMany, testAgent } from '../../helpers/agent.ts';
import { checkMetrics } from '../../integration/helpers/prometheus.ts';
import { family } from '../metrics/families.ts';

const checkout = { service: 'svc', operation: 'checkout', context: 'emergency' };

/** 90 samples of 40 ms and 10 failed ones of 70 ms, then one evaluation. */
function busyAgent() {
  const { agent, clock } = testAgent({ service: { name: 'svc' } });
  recordMany(agent, clock, checkout, 40, 90);
  recordMany(agent, clock, checkout, 70, 10, true);
  agent.tick();
  return { agent, clock };
}

/** A stand-in for the Headroom `start()` returns: its `metricProducer()`. */
function headroomOf(agent: Agent, sources: MetricSource[] = [], maxSeries = 2000) {
  const producer = new HeadroomMetricProducer({ agent, maxSeries, sources });
  return { metricProducer: () => producer };
}

/** The exposition as families: name -> lines (HELP, TYPE, samples), UNIT comments and target_info left out. */
function families(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# UNIT ')) continue;
    const name = line.startsWith('# ') ? (line.split(' ')[2] as string) : undefined;
    if (name !== undefined && !out.has(name)) out.set(name, []);
    const current = [...out.values()].at(-1);
    current?.push(line);
  }
  out.delete('target_info');
  return out;
}

/** What promtool says of prom-client 15.1.3's default metrics alone. */
const PROM_CLIENT_LINT = [
  'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
  '',
].join('\n');

afterEach(() => {
  register.clear();
});

describe('registerHeadroomMetrics', () => {
  it("should serve the lines of Headroom's own endpoint beside the service's metrics, promtool-clean with the default metrics", async () => {
    const { agent } = busyAgent();
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const orders = new Counter({ name: 'orders_total', help: 'Orders placed.', registers: [registry] });
    orders.inc(3);
    registerHeadroomMetrics(headroomOf(agent), { register: registry });
    const text = await registry.metrics();
    const own = families(await exposition(new HeadroomMetricProducer({ agent, maxSeries: 2000 })));
    const served = families(text);
    // Every family Headroom's endpoint serves, line for line (no # UNIT: prom-client has none).
    for (const [name, lines] of own) expect(served.get(name)).toEqual(lines);
    // Families without points yet are shown by their HELP and TYPE only, as prom-client shows its own.
    const withoutPoints = [...served].filter(([name]) => name.startsWith('headroom_') && !own.has(name));
    expect(withoutPoints.map(([name, lines]) => [name, lines.length])).toEqual([
      ['headroom_degradation_transitions_total', 2],
      ['headroom_admission_requests_total', 2],
    ]);
    expect(text).toContain('\norders_total 3\n');
    expect(text).toContain('\nprocess_cpu_user_seconds_total ');
    expect(family(text, 'headroom_operations_total')).toEqual([
      '# HELP headroom_operations_total Operations recorded (samples the agent accepted).',
      '# TYPE headroom_operations_total counter',
      'headroom_operations_total{service="svc",operation="checkout",context="emergency"} 100',
    ]);
    // promtool flags three of prom-client's own default metrics (gauges named *_total), with or
    // without Headroom; Headroom adds nothing (no duplicate HELP or TYPE, no name clash).
    const alone = new Registry();
    collectDefaultMetrics({ register: alone });
    expect(checkMetrics(text)).toEqual(checkMetrics(await alone.metrics()));
    expect(checkMetrics(text).output).toBe(PROM_CLIENT_LINT);
  });

  it('should keep counter names and add # EOF in an OpenMetrics registry', async () => {
    const { agent } = busyAgent();
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    registerHeadroomMetrics(headroomOf(agent), { register: registry });
    const text = await registry.metrics();
    expect(text.split('\n').filter((line) => line.includes('headroom_operations '))).toEqual([
      '# HELP headroom_operations Operations recorded (samples the agent accepted).',
      '# TYPE headroom_operations counter',
    ]);
    expect(text).toContain(
      '\nheadroom_operations_total{service="svc",operation="checkout",context="emergency"} 100\n',
    );
    expect(text.endsWith('\n# EOF\n')).toBe(true);
  });

  it('should fold label sets over exporters.prometheus.maxSeries and count them, the scrape still whole', async () => {
    const { agent, clock } = testAgent({ service: { name: 'svc' } });
    for (const operation of ['a', 'b', 'c']) recordMany(agent, clock, { ...checkout, operation }, 10, 4);
    const registry = new Registry();
    registerHeadroomMetrics(headroomOf(agent, [], 1), { register: registry });
    const text = await registry.metrics();
    expect(family(text, 'headroom_operations_total').slice(2)).toEqual([
      'headroom_operations_total{service="svc",operation="a",context="emergency"} 4',
      'headroom_operations_total{service="svc",operation="__overflow__",context="emergency"} 8',
    ]);
    // b and c folded in each of the 8 per-series metrics, at registration and at the scrape: 2 x 8 x 2.
    expect(family(text, 'headroom_exporter_series_overflowed_total').slice(2)).toEqual([
      'headroom_exporter_series_overflowed_total 32',
    ]);
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });

  it("should leave a failing part out, count it and still serve the service's metrics", async () => {
    const { agent } = busyAgent();
    let calls = 0;
    const flaky: MetricSource = (sink) => {
      calls++;
      if (calls === 1) throw new Error('source down');
      sink.gauge(METRICS.exporterQueueSize, [{ attributes: {}, value: 7 }]);
    };
    const registry = new Registry();
    new Gauge({ name: 'queue_depth', help: 'Jobs waiting.', registers: [registry] }).set(2);
    registerHeadroomMetrics(headroomOf(agent, [flaky]), { register: registry });
    const first = await registry.metrics();
    expect(first).toContain('\nqueue_depth 2\n');
    expect(family(first, 'headroom_metric_collection_errors_total').slice(2)).toEqual([
      'headroom_metric_collection_errors_total 1',
    ]);
    // The part's family was unknown when it failed at registration: served from the next scrape on.
    expect(family(first, 'headroom_exporter_queue_size')).toEqual([]);
    expect(family(await registry.metrics(), 'headroom_exporter_queue_size').slice(2)).toEqual([
      'headroom_exporter_queue_size 7',
    ]);
  });

  it("should leave out a late family whose name the service took meanwhile, serving the service's", async () => {
    const { agent } = busyAgent();
    let calls = 0;
    const late: MetricSource = (sink) => {
      calls++;
      if (calls > 1) sink.gauge(METRICS.exporterQueueSize, [{ attributes: {}, value: 7 }]);
    };
    const registry = new Registry();
    registerHeadroomMetrics(headroomOf(agent, [late]), { register: registry });
    new Gauge({ name: 'headroom_exporter_queue_size', help: 'Theirs.', registers: [registry] }).set(1);
    await registry.metrics();
    expect(family(await registry.metrics(), 'headroom_exporter_queue_size')).toEqual([
      '# HELP headroom_exporter_queue_size Theirs.',
      '# TYPE headroom_exporter_queue_size gauge',
      'headroom_exporter_queue_size 1',
    ]);
  });

  it("should serve no Headroom lines when the whole collection fails, count it, and still serve the service's", async () => {
    const { agent } = busyAgent();
    let now = 0;
    const clock = {
      now: () => {
        now++;
        if (now === 3) throw new Error('clock broke');
        return 1_700_000_000_000;
      },
    };
    // Created (1), registered (2), then the first scrape's collection fails (3).
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 10, clock: clock as never });
    const registry = new Registry();
    new Gauge({ name: 'queue_depth', help: 'Jobs waiting.', registers: [registry] }).set(2);
    registerHeadroomMetrics({ metricProducer: () => producer }, { register: registry });
    const text = await registry.metrics();
    expect(text).toContain('\nqueue_depth 2\n');
    expect(family(text, 'headroom_operations_total')).toHaveLength(2);
    expect(family(await registry.metrics(), 'headroom_metric_collection_errors_total').slice(2)).toEqual([
      'headroom_metric_collection_errors_total 1',
    ]);
  });

  it("should serve the service's metrics when the registry fails Headroom mid-scrape, and count it", async () => {
    const { agent } = busyAgent();
    let calls = 0;
    const late: MetricSource = (sink) => {
      calls++;
      if (calls > 1) sink.gauge(METRICS.exporterQueueSize, [{ attributes: {}, value: 7 }]);
    };
    const registry = new Registry();
    new Gauge({ name: 'queue_depth', help: 'Jobs waiting.', registers: [registry] }).set(2);
    registerHeadroomMetrics(headroomOf(agent, [late]), { register: registry });
    const getSingleMetric = registry.getSingleMetric.bind(registry);
    // Asked whether the late family's name is free, the registry throws.
    registry.getSingleMetric = () => {
      throw new Error('registry broke');
    };
    const text = await registry.metrics();
    expect(text).toContain('\nqueue_depth 2\n');
    expect(family(text, 'headroom_operations_total')).toHaveLength(3);
    registry.getSingleMetric = getSingleMetric;
    expect(family(await registry.metrics(), 'headroom_metric_collection_errors_total').slice(2)).toEqual([
      'headroom_metric_collection_errors_total 1',
    ]);
  });

  it('should refuse a registry that already has one of its names, registering nothing', () => {
    const { agent } = busyAgent();
    const registry = new Registry();
    new Gauge({ name: 'headroom_series', help: 'Not ours.', registers: [registry] });
    const error = (() => {
      try {
        registerHeadroomMetrics(headroomOf(agent), { register: registry });
        return undefined;
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(MetricNameTakenError);
    expect(error).toMatchObject({ code: 'HEADROOM_ERR_METRICS_NAME_TAKEN', metric: 'headroom_series' });
    expect(registry.getMetricsAsArray().map((metric) => metric.name)).toEqual(['headroom_series']);
  });

  it('should refuse being registered twice in one registry, and take the global registry by default', () => {
    const { agent } = busyAgent();
    const headroom = headroomOf(agent);
    registerHeadroomMetrics(headroom);
    expect(register.getSingleMetric('headroom_operations_total')).toBeDefined();
    expect(() => registerHeadroomMetrics(headroom)).toThrow(
      'the registry already has a metric named headroom_operation_duration_seconds',
    );
  });

  it('should refuse what start() did not return', () => {
    const producer = { collect: () => Promise.reject(new Error('x')) };
    expect(() => registerHeadroomMetrics({ metricProducer: () => producer as never })).toThrow(
      InvalidArgumentError,
    );
    expect(() => registerHeadroomMetrics(undefined as never)).toThrow(
      'registerHeadroomMetrics: expected the Headroom that start() returned',
    );
  });
});

describe('PromClientFamily', () => {
  const gauge = { descriptor: METRICS.series, type: 'gauge' as const };

  it('should answer no lines, and report, when its data cannot be turned into lines', async () => {
    const errors: unknown[] = [];
    const broken = { dataPointType: DataPointType.HISTOGRAM, dataPoints: [{ value: null }] };
    const metric = new PromClientFamily(
      gauge,
      async () => broken as never,
      (e) => errors.push(e),
    );
    expect(await metric.get()).toEqual({
      name: 'headroom_series',
      help: METRICS.series.description,
      type: 'gauge',
      aggregator: 'max',
      values: [],
    });
    expect(errors).toHaveLength(1);
    metric.reset();
  });

  it('should give exponential histograms no lines and label values that are not strings as JSON', () => {
    const exponential = { dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM, dataPoints: [{}] };
    expect(familyValues('x', exponential as unknown as MetricData)).toEqual([]);
    const sum = {
      dataPointType: DataPointType.SUM,
      dataPoints: [{ attributes: { n: 1, s: 'a', u: undefined }, value: 2 }],
    };
    expect(familyValues('x', sum as unknown as MetricData)).toEqual([
      { labels: { n: '1', s: 'a', u: '""' }, value: 2 },
    ]);
  });
});
