/**
 * A real Prometheus scrapes the agent's endpoint every second; PromQL over the scraped histogram
 * must agree with the agent's own percentile and with the exact share of samples within budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEGRADATION_LEVELS } from '../../agent/index.ts';
import { METRICS } from '../../exporters/metrics/index.ts';
import { type PrometheusExporterHandle, startPrometheusExporter } from '../../exporters/prometheus/index.ts';
import type { EmbeddedHeadroom as Headroom } from '../../instrumentation/index.ts';
import { ScriptedLoad } from '../helpers/agent.ts';
import { startInstrumented } from '../helpers/headroom.ts';
import { prometheusConfig } from '../helpers/prometheus-exporter.ts';
import { mulberry32 } from '../helpers/random.ts';
import { ensurePrometheus, type PrometheusServer, startPrometheus } from './helpers/prometheus.ts';

const series = '{service="checkout",operation="charge",context="emergency",phase=""}';
const bucketRate = (le?: string) =>
  `rate(headroom_operation_duration_seconds_bucket{context="emergency"${le ? `,le="${le}"` : ''}}[30s])`;

/**
 * Every 100 ms, 200 samples: 160 uniform in [5, 50] ms and 40 in [60, 140] ms. Each batch has the
 * same mix and a scrape always sees whole batches, so any scrape window holds exactly 80 % within
 * the 50ms budget, and p95 (the 75th percentile of the slow fifth, about 120 ms) sits in the
 * middle of the (0.1, 0.14] bucket.
 */
class Load {
  readonly #next = mulberry32(7);
  readonly #timer: NodeJS.Timeout;
  total = 0;
  withinBudget = 0;

  constructor(headroom: Headroom) {
    // Real time: a real Prometheus scrapes the agent on its own wall-clock schedule.
    this.#timer = setInterval(() => this.#batch(headroom), 100);
  }

  #batch(headroom: Headroom): void {
    const now = Date.now();
    for (let i = 0; i < 200; i++) {
      const durationMs = i < 160 ? 5 + this.#next() * 45 : 60 + this.#next() * 80;
      headroom.agent
        .series({ service: 'checkout', operation: 'charge', context: 'emergency' })
        .record(durationMs, false, now);
      this.total++;
      if (durationMs <= 50) this.withinBudget++;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

describe('Prometheus scraping the agent', () => {
  let headroom: Headroom;
  let exporter: PrometheusExporterHandle;
  let prometheus: PrometheusServer;
  let load: Load;

  beforeAll(async () => {
    ensurePrometheus();
    headroom = startInstrumented({
      // lookup's execution phase (70 % of 63 ms) is the bound 44.1 ms, 44.099999999999994 in binary.
      config: { service: { name: 'checkout' }, contexts: { lookup: { budget: '63ms' } } },
      env: {},
      registerGlobal: false,
      loadSampler: new ScriptedLoad(),
    });
    exporter = await startPrometheusExporter({
      agent: headroom.agent,
      config: prometheusConfig(),
    });
    if (!exporter.listening) throw new Error(`exporter not listening: ${exporter.error}`);
    prometheus = await startPrometheus({ target: `127.0.0.1:${exporter.port}`, metricsPath: '/metrics' });
    load = new Load(headroom);
    // Enough scrapes for rate(): at least 6 samples of a growing counter.
    await prometheus.waitFor(
      `count_over_time(headroom_operations_total${series}[1m])`,
      (result) => (result[0]?.value ?? 0) >= 6,
    );
  });

  afterAll(async () => {
    load?.stop();
    await prometheus?.stop();
    await exporter?.shutdown();
    await headroom?.shutdown();
  });

  it('should scrape the target and hold every Headroom metric family', async () => {
    expect(await prometheus.query('up{job="headroom"}')).toEqual([
      { metric: expect.objectContaining({ job: 'headroom' }), value: 1 },
    ]);
    const names = (await prometheus.query('count by (__name__) ({__name__=~"headroom_.+"})')).map(
      (sample) => sample.metric.__name__,
    );
    const expected = Object.values(METRICS)
      .map((metric) => metric.name)
      .filter((name) => name !== 'headroom_operation_duration_seconds')
      .concat(['_bucket', '_count', '_sum'].map((suffix) => `headroom_operation_duration_seconds${suffix}`));
    // Decisions happen only when the level changes: their counter may not exist yet. The
    // receiver's and the OTLP exporter's metrics exist only where those components run, the state
    // store's only with a store, the client throttles' once a service calls through one, the
    // invalid-criticality counter in an embedded app's own sources; admission counts requests only
    // once one was judged (admit()).
    const optional = [
      'headroom_degradation_transitions_total',
      'headroom_admission_requests_total',
      ...expected.filter((name) =>
        /^headroom_(receiver|forwarder|exporter_(sent|dropped|retries|queue)|slo_|alert_|state_|cluster_|client_throttle_|criticality_invalid)/.test(
          name,
        ),
      ),
    ];
    expect(names.filter((name) => !optional.includes(name)).sort()).toEqual(
      expected.filter((name) => !optional.includes(name)).sort(),
    );
  });

  it("should agree with the agent's p95 within the histogram's bucket resolution", async () => {
    const [promql] = await prometheus.query(`histogram_quantile(0.95, sum by (le) (${bucketRate()}))`);
    const agentSeries = headroom.agent.registry.list().find((s) => s.operation === 'charge');
    const agentP95Ms = agentSeries?.window.snapshot(Date.now()).p95 ?? Number.NaN;
    const bounds = agentSeries?.totals.boundsMs ?? [];
    const upper = bounds.findIndex((bound) => bound >= agentP95Ms);
    const [lowerMs, upperMs] = [bounds[upper - 1] ?? 0, bounds[upper] ?? Number.POSITIVE_INFINITY];
    expect([lowerMs, upperMs]).toEqual([100, 140]);
    expect(promql?.value).toBeGreaterThan(lowerMs / 1000);
    expect(promql?.value).toBeLessThanOrEqual(upperMs / 1000);
  });

  it('should give the exact within-budget share from the bucket at the 50ms budget', async () => {
    const [ratio] = await prometheus.query(
      `sum(${bucketRate('0.05')}) / sum(rate(headroom_operation_duration_seconds_count{context="emergency"}[30s]))`,
    );
    expect(load.withinBudget / load.total).toBe(0.8);
    expect(ratio?.value).toBeCloseTo(load.withinBudget / load.total, 3);
  });

  it('should match the exact decimal selector le="0.0441", one series per bucket', async () => {
    const buckets = await prometheus.query(
      `headroom_operation_duration_seconds_bucket${series.replace('}', ',le="0.0441"}')}`,
    );
    expect(buckets.map((sample) => sample.metric.le)).toEqual(['0.0441']);
    expect(buckets[0]?.value).toBeGreaterThan(0);
    // Every bound of the agent's totals is one stored series (a duplicate le would be dropped).
    const bounds = headroom.agent.registry.list()[0]?.totals.boundsMs.length ?? 0;
    const [stored] = await prometheus.query(`count(headroom_operation_duration_seconds_bucket${series})`);
    expect([bounds, stored?.value]).toEqual([23, bounds + 1]);
  });

  it('should show the degradation level, and an override within a few scrapes', async () => {
    const [level] = await prometheus.query('headroom_degradation_level{service="checkout"}');
    expect(DEGRADATION_LEVELS[level?.value ?? -1]).toBeDefined();
    headroom.override('CRITICAL', 'integration test');
    const after = await prometheus.waitFor('headroom_degradation_level{service="checkout"}', (result) =>
      result.some((sample) => sample.value === 4),
    );
    expect(after.map((sample) => sample.value)).toEqual([4]);
    const state = await prometheus.query('headroom_degradation_state{service="checkout"} == 1');
    expect(state.map((sample) => sample.metric.level)).toEqual(['CRITICAL']);
  });
});
