import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../../agent/degradation/index.ts';
import { setup } from './setup.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('AuditLog', () => {
  it('should keep only the last auditLogSize decisions, oldest first', () => {
    const { manager } = setup({}, 3);
    for (const level of ['MINIMAL', 'MODERATE', 'SEVERE', 'CRITICAL', 'NONE'] as const)
      manager.override(level, 'step');
    const log = manager.auditLog;
    expect([log.capacity, log.size]).toEqual([3, 3]);
    expect(log.entries().map((d) => [d.seq, d.to])).toEqual([
      [3, 'SEVERE'],
      [4, 'CRITICAL'],
      [5, 'NONE'],
    ]);
  });

  it('should render the decisions as JSON with every field', () => {
    const { manager, ticks } = setup();
    const [escalation] = ticks(3, 82.1);
    const pinned = manager.override('CRITICAL', 'incident');
    expect(JSON.parse(JSON.stringify(manager.auditLog))).toEqual([escalation, pinned]);
    expect(manager.auditLog.toJSON()).toEqual([escalation, pinned]);
  });

  it('should render RFC 4180 CSV with ISO times, quoted messages and ;-joined feature lists', () => {
    const { manager, ticks, clock } = setup();
    ticks(3, 82.1);
    clock.advance(250);
    manager.override('CRITICAL', 'ops said "hold",\nthen left');
    manager.override('MINIMAL', 'calmer');
    expect(manager.auditLog.toCSV()).toBe(
      [
        'seq,at,service,from,to,reason,message,series,percentile,observed_ms,budget_ms,ratio,disabled,enabled',
        '1,2023-11-14T22:13:23.000Z,checkout,NONE,SEVERE,escalation,p95 of checkout/emergency 82.1ms is 1.64x its 50ms budget for 3 ticks,checkout/emergency,p95,82.1,50,1.642,recommendations;personalization;search_suggestions;analytics_events,',
        '2,2023-11-14T22:13:23.250Z,checkout,SEVERE,CRITICAL,manual-override,"manual override SEVERE -> CRITICAL: ops said ""hold"",\nthen left",,,,,,non_essential_writes,',
        '3,2023-11-14T22:13:23.250Z,checkout,CRITICAL,MINIMAL,manual-override,manual override CRITICAL -> MINIMAL: calmer,,,,,,,personalization;search_suggestions;analytics_events;non_essential_writes',
        '',
      ].join('\r\n'),
    );
  });

  it('should render an empty log as the header line alone', () => {
    expect(new AuditLog(5).toCSV()).toBe(
      'seq,at,service,from,to,reason,message,series,percentile,observed_ms,budget_ms,ratio,disabled,enabled\r\n',
    );
    expect(new AuditLog(5).toJSON()).toEqual([]);
  });

  it('should replace an unusable capacity and say so', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const capacities = [0, -3, 2.7, Number.NaN, Number.POSITIVE_INFINITY].map(
      (n) => new AuditLog(n).capacity,
    );
    expect(capacities).toEqual([1, 1, 2, 1000, 1000]);
    expect(warn).toHaveBeenCalledTimes(5);
    expect(warn.mock.calls[0]).toEqual(['headroom: audit log size 0 is not a whole number >= 1; using 1']);
  });
});
