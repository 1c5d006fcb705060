import { describe, expect, it } from 'vitest';
import { formatLatency, formatNumber, formatPercent, formatSpan } from '../../../agent/alerting/format.ts';
import { canonicalLabels } from '../../../agent/alerting/index.ts';

describe('annotation formats', () => {
  it('should round numbers to two decimals without trailing zeros', () => {
    expect([
      formatNumber(14.399999999999999),
      formatNumber(1 / 3),
      formatNumber(5),
      formatNumber(-0.005),
    ]).toEqual(['14.4', '0.33', '5', '0']);
    expect([formatLatency(259.736), formatPercent(0.025), formatPercent(-0.39)]).toEqual([
      '259.74 ms',
      '2.5%',
      '-39%',
    ]);
  });

  it('should write spans in their two largest whole units', () => {
    const spans = [30 * 86_400_000, 5_400_000, 90_000, 600_000, 1500, 250, 0, Number.POSITIVE_INFINITY];
    expect(spans.map(formatSpan)).toEqual(['30d', '1h30m', '1m30s', '10m', '1s', '250ms', '0ms', 'Infinity']);
  });
});

describe('canonicalLabels', () => {
  it('should sort keys and JSON-quote values, so equal label sets give equal fingerprints', () => {
    expect(canonicalLabels({ severity: 'page', alertname: 'a "b"', team: 'x\\y' })).toBe(
      '{alertname="a \\"b\\"",severity="page",team="x\\\\y"}',
    );
    expect(canonicalLabels({ b: '1', a: '2' })).toBe(canonicalLabels({ a: '2', b: '1' }));
  });
});
