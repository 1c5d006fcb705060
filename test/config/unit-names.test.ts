import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../config/index.ts';
import { ConfigInvalidError } from '../../errors.ts';

/** Every duration and size field of the schema, set (optional ones included). */
const EVERY_UNIT_FIELD = `
contexts:
  emergency: { budget: 40ms, evaluationInterval: 2s }
rules:
  - { match: { spanName: GET /x }, context: emergency, budget: 30ms }
window: { length: 2m, resolution: 2s, maxSpanDuration: 30m }
evaluation: { interval: 500ms }
limits: { idleTime: 10m }
adaptive:
  load:
    sampleInterval: 2s
    levels: [{ name: hot, eventLoopDelayP99: 40ms, factor: 1.5 }]
degradation:
  recovery: { sustain: 20s, minDwell: 5s, maxDuration: 5m }
exporters:
  prometheus: { maxScrapeSize: 1MiB, headersTimeout: 5s }
  otlp:
    timeout: 3s
    exportInterval: 15s
    retry: { initialInterval: 1s, maxInterval: 10s, maxElapsedTime: 60s }
receiver:
  maxBodySize: 1MiB
  maxMemory: 256MiB
  retryAfter: 2s
  maxClockSkew: 1h
  headersTimeout: 5s
  bodyTimeout: 20s
  minBodyRate: 2KiB
  bodyRateGracePeriod: 3s
api: { headersTimeout: 5s, requestTimeout: 20s, keepAliveTimeout: 4s, maxPendingSize: 64MiB }
slos:
  - { name: checkout, context: emergency, objective: 99%, window: 7d }
alerting:
  channels:
    - { name: hook, type: webhook, url: "http://127.0.0.1:9/", timeout: 2s }
    - { name: am, type: alertmanager, url: "http://127.0.0.1:9/", resendInterval: 2m, timeout: 3s }
  rules:
    - { name: slow, kind: percentile, context: emergency, warning: 30ms, critical: 45ms, cooldown: 1m, escalateAfter: 10m }
    - { name: errors, kind: errorRate, warning: 5%, cooldown: 2m }
shutdown: { timeout: 20s }
`;

const DURATION_OR_SIZE = /^\d+(\.\d+)?(us|ms|s|m|h|d|w|B|KiB|MiB|GiB|KB|MB|GB)$/;
const UNIT_NAME = /(Ms|Bytes|BytesPerSecond)$/;

/**
 * The renames found between `input` (YAML as written) and `output` (resolved): a field written as a
 * duration or size must be gone under its YAML name and one new unit-named field must stand for it.
 */
function unitRenames(input: unknown, output: unknown, at: string, found: string[]): void {
  if (Array.isArray(input)) {
    for (const [i, item] of input.entries())
      unitRenames(item, (output as unknown[])[i], `${at}[${i}]`, found);
    return;
  }
  if (input === null || typeof input !== 'object') return;
  const out = output as Record<string, unknown>;
  let unitFields = 0;
  for (const [key, value] of Object.entries(input)) {
    if (typeof value === 'string' && DURATION_OR_SIZE.test(value)) {
      unitFields++;
      expect(out, `${at}.${key}`).not.toHaveProperty(key);
    } else {
      unitRenames(value, out[key], `${at}.${key}`, found);
    }
  }
  const added = Object.keys(out).filter((key) => !(key in input) && typeof out[key] === 'number');
  const named = added.filter((key) => UNIT_NAME.test(key));
  found.push(...named.map((key) => `${at}.${key}`));
  expect(named.length, `${at}: ${added.join(', ')}`).toBeGreaterThanOrEqual(unitFields);
}

describe('units in resolved config names', () => {
  const config = parseConfig([{ file: 'headroom.yaml', text: EVERY_UNIT_FIELD }], {});

  it('should resolve every duration to a name ending in Ms and every size to one ending in Bytes', () => {
    const found: string[] = [];
    unitRenames(parse(EVERY_UNIT_FIELD), config, '', found);
    // The 42 duration and size fields written, each under its unit name.
    expect(found).toEqual([
      '.contexts.emergency.budgetMs',
      '.contexts.emergency.evaluationIntervalMs',
      '.rules[0].budgetMs',
      '.window.lengthMs',
      '.window.resolutionMs',
      '.window.maxSpanDurationMs',
      '.evaluation.intervalMs',
      '.limits.idleTimeMs',
      '.adaptive.load.levels[0].eventLoopDelayP99Ms',
      '.adaptive.load.sampleIntervalMs',
      '.degradation.recovery.sustainMs',
      '.degradation.recovery.minDwellMs',
      '.degradation.recovery.maxDurationMs',
      '.exporters.prometheus.maxScrapeBytes',
      '.exporters.prometheus.headersTimeoutMs',
      '.exporters.otlp.retry.initialIntervalMs',
      '.exporters.otlp.retry.maxIntervalMs',
      '.exporters.otlp.retry.maxElapsedTimeMs',
      '.exporters.otlp.timeoutMs',
      '.exporters.otlp.exportIntervalMs',
      '.receiver.maxBodyBytes',
      '.receiver.maxMemoryBytes',
      '.receiver.retryAfterMs',
      '.receiver.maxClockSkewMs',
      '.receiver.headersTimeoutMs',
      '.receiver.bodyTimeoutMs',
      '.receiver.minBodyBytesPerSecond',
      '.receiver.bodyRateGracePeriodMs',
      '.api.headersTimeoutMs',
      '.api.requestTimeoutMs',
      '.api.keepAliveTimeoutMs',
      '.api.maxPendingBytes',
      '.slos[0].windowMs',
      '.alerting.channels[0].timeoutMs',
      '.alerting.channels[1].resendIntervalMs',
      '.alerting.channels[1].timeoutMs',
      '.alerting.rules[0].cooldownMs',
      '.alerting.rules[0].escalateAfterMs',
      '.alerting.rules[0].warningMs',
      '.alerting.rules[0].criticalMs',
      '.alerting.rules[1].cooldownMs',
      '.shutdown.timeoutMs',
    ]);
  });

  it('should resolve to ms, bytes and bytes per second under the new names', () => {
    expect(config.window).toMatchObject({
      lengthMs: 120_000,
      resolutionMs: 2000,
      maxSpanDurationMs: 1_800_000,
    });
    expect(config.contexts.emergency).toMatchObject({ budgetMs: 40, evaluationIntervalMs: 2000 });
    expect(config.rules[0]?.budgetMs).toBe(30);
    expect(config.receiver).toMatchObject({
      maxBodyBytes: 1_048_576,
      maxMemoryBytes: 268_435_456,
      minBodyBytesPerSecond: 2048,
      retryAfterMs: 2000,
      maxClockSkewMs: 3_600_000,
    });
    expect(config.exporters.prometheus.maxScrapeBytes).toBe(1_048_576);
    expect(config.exporters.otlp.retry).toEqual({
      enabled: true,
      initialIntervalMs: 1000,
      maxIntervalMs: 10_000,
      multiplier: 1.5,
      maxElapsedTimeMs: 60_000,
    });
    expect(config.slos[0]?.windowMs).toBe(604_800_000);
    expect(config.alerting.rules).toMatchObject([
      { kind: 'percentile', warningMs: 30, criticalMs: 45, cooldownMs: 60_000, escalateAfterMs: 600_000 },
      { kind: 'errorRate', warning: 0.05, cooldownMs: 120_000 },
    ]);
    expect(config.shutdown).toEqual({ timeoutMs: 20_000 });
  });

  it('should report problems under the YAML names, also in a discriminated union and in cross-field rules', () => {
    const text = [
      'window: { length: 10s, resolution: 3s, maxSeries: 0 }',
      'limits: { idleTime: 5s }',
      'alerting:',
      '  rules: [{ name: r, kind: percentile, context: emergency, warning: soon }]',
      'receiver: { maxBodySize: 4 }',
      '',
    ].join('\n');
    try {
      parseConfig([{ file: 'headroom.yaml', text }], {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigInvalidError);
      expect((error as ConfigInvalidError).issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
        'window.resolution: window.length (10s) must be a whole multiple, 2 to 3600 times, of window.resolution (3s)',
        'window.maxSeries: must be at least 1; got 0',
        'limits.idleTime: limits.idleTime (5s) must be at least window.length (10s)',
        'alerting.rules[0].warning: expected a duration such as 50ms, 1.5s, 2m, 1h30m or 30d (units us, ms, s, m, h, d, w), got "soon"',
        'receiver.maxBodySize: expected a size such as 512KiB or 4MiB (units B, KB, MB, GB, KiB, MiB, GiB), got number 4',
      ]);
    }
  });
});
