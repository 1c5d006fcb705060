/**
 * The CSV audit exports neutralise spreadsheet formulas (OWASP "CSV Injection", review F15): every
 * field starting with = + - @, a tab or a CR gets a leading `'`, except a plain number.
 */
import { describe, expect, it } from 'vitest';
import { admissionAuditLog } from '../../../agent/admission/admission-audit.ts';
import { AuditLog } from '../../../agent/degradation/audit-log.ts';
import { csvField } from '../../../agent/degradation/csv-field.ts';

describe('csvField', () => {
  it.each([
    // Formula starts: prefixed, then quoted when the RFC 4180 characters appear.
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1', "'+1"],
    ['+41 22 555 00 00', "'+41 22 555 00 00"],
    ['-1+1', "'-1+1"],
    ["-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
    ['-', "'-"],
    ['--', "'--"],
    ['- 1', "'- 1"],
    ['-Infinity', "'-Infinity"],
    ['-NaN', "'-NaN"],
    ['-0x1F', "'-0x1F"],
    ['-1.50', "'-1.50"], // not how a number prints: text
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['@', "'@"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['=', "'="],
    // Plain numbers as String(n) prints them stay numbers, negative ones included.
    ['-1', '-1'],
    ['-0.25', '-0.25'],
    ['-1e-7', '-1e-7'],
    ['-1e+21', '-1e+21'],
    ['1.642', '1.642'],
    ['0', '0'],
    // Neighbours that are no formula: untouched (quoted only for RFC 4180).
    ['', ''],
    ['checkout', 'checkout'],
    [' =1', ' =1'],
    ['a=1', 'a=1'],
    ['\n=1', '"\n=1"'],
    ['x,y', '"x,y"'],
    ['say "hi"', '"say ""hi"""'],
    ['SHEDDABLE rejection 0% -> 10%', 'SHEDDABLE rejection 0% -> 10%'],
    ['2023-11-14T22:13:23.000Z', '2023-11-14T22:13:23.000Z'],
    ['＝1', '＝1'], // a full-width sign is no formula start
  ])('%j -> %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('the audit logs as CSV', () => {
  it('should neutralise the names an OTLP sender chose in the degradation CSV', () => {
    const log = new AuditLog(5);
    log.add({
      seq: 1,
      at: Date.UTC(2026, 10, 30, 12),
      namespace: '',
      service: '=HYPERLINK("http://x","y")',
      from: 'NONE',
      to: 'MINIMAL',
      reason: 'escalation',
      message: 'p95 of @SUM(1)/web 120ms is 1.2x its 100ms budget for 3 ticks',
      evidence: {
        series: { namespace: '', service: 'x', operation: '@SUM(1)', context: 'web', phase: '' },
        percentile: 'p95',
        observedMs: 120,
        budgetMs: 100,
        ratio: 1.2,
        samples: 40,
      },
      actions: { disabled: ['+feature'], enabled: [] },
      disabledFeatures: ['+feature'],
    });
    expect(log.toCSV().split('\r\n')[1]).toBe(
      `1,2026-11-30T12:00:00.000Z,"'=HYPERLINK(""http://x"",""y"")",NONE,MINIMAL,escalation,p95 of @SUM(1)/web 120ms is 1.2x its 100ms budget for 3 ticks,'@SUM(1)/web,p95,120,100,1.2,'+feature,`,
    );
  });

  it('should neutralise namespace and service in the admission CSV and keep its numbers numbers', () => {
    const log = admissionAuditLog(5);
    log.add({
      seq: 7,
      at: Date.UTC(2026, 10, 30, 12),
      namespace: "-2+3+cmd|' /C calc'!A0",
      service: '\tcheckout',
      criticality: 'SHEDDABLE',
      from: 0,
      to: 0.1,
      reason: 'overload',
      message: 'SHEDDABLE rejection 0% -> 10%: CRITICAL p95 is 2x its budget (target 1x, 30 samples in 3s)',
      evidence: { criticality: 'CRITICAL', percentile: 'p95', ratio: 2, thresholdRatio: 1, samples: 30 },
      level: 'NONE',
    });
    expect(log.toCSV().split('\r\n')[1]).toBe(
      `7,2026-11-30T12:00:00.000Z,'-2+3+cmd|' /C calc'!A0,'\tcheckout,SHEDDABLE,0,0.1,overload,NONE,"SHEDDABLE rejection 0% -> 10%: CRITICAL p95 is 2x its budget (target 1x, 30 samples in 3s)",CRITICAL,p95,2,1,30,,,,,`,
    );
  });
});
