/** The agent's own health and overhead, and the exporter's folded label sets. */
import { type Agent, DIMENSIONS, type DimensionCounts } from '../../agent/index.ts';
import { METRICS } from './metric-descriptors.ts';
import type { MetricSink } from './metric-sink.ts';

/** Adds the health metrics to `sink`; `exporterOverflowed` is the producer's running count. */
export function addHealthMetrics(sink: MetricSink, agent: Agent, exporterOverflowed: number): void {
  const health = agent.health();
  sink.counter(METRICS.samplesDropped, [
    { attributes: { reason: 'invalid' }, value: health.samplesDroppedInvalid },
    { attributes: { reason: 'late' }, value: health.samplesDroppedLate },
    { attributes: { reason: 'duration' }, value: health.samplesDroppedDuration },
  ]);
  sink.gauge(METRICS.series, [{ attributes: {}, value: health.series }]);
  sink.counter(METRICS.seriesOverflowed, [{ attributes: {}, value: health.seriesOverflowed }]);
  sink.gauge(METRICS.evaluationDuration, [{ attributes: {}, value: health.lastEvaluationSeconds }]);
  sink.counter(METRICS.evaluations, [{ attributes: {}, value: health.ticks }]);
  sink.counter(METRICS.evaluationSeconds, [{ attributes: {}, value: health.evaluationSecondsTotal }]);
  sink.gauge(METRICS.loadFactor, [{ attributes: {}, value: agent.load.factor }]);
  sink.counter(METRICS.exporterSeriesOverflowed, [{ attributes: {}, value: exporterOverflowed }]);
  sink.counter(METRICS.cardinalityOverflowed, byDimension(health.overflowed, DIMENSIONS));
  sink.counter(METRICS.namesTruncated, byDimension(health.truncated, NAMED));
  sink.counter(METRICS.seriesEvicted, [{ attributes: {}, value: health.seriesEvicted }]);
  sink.counter(METRICS.servicesEvicted, [{ attributes: {}, value: health.servicesEvicted }]);
}

/** The dimensions that are names (series is a count). */
const NAMED = DIMENSIONS.filter((dimension) => dimension !== 'series');

function byDimension(counts: DimensionCounts, dimensions: readonly (keyof DimensionCounts)[]) {
  return dimensions.map((dimension) => ({ attributes: { dimension }, value: counts[dimension] }));
}
