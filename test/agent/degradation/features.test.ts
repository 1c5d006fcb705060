import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/clock.ts';
import { DEGRADATION_LEVELS, DegradationManager, LevelTable } from '../../../agent/degradation/index.ts';
import { configSchema } from '../../../config/schema.ts';
import { degradationConfig, setup, TICK_MS } from './setup.ts';

describe('DegradationManager features', () => {
  it('should switch off the features of a level and of every level below it', () => {
    const { manager } = setup();
    const seen = DEGRADATION_LEVELS.map((level) => {
      manager.override(level, 'walk the levels');
      return [level, manager.features.disabled()];
    });
    expect(seen).toEqual([
      ['NONE', []],
      ['MINIMAL', ['recommendations']],
      ['MODERATE', ['recommendations', 'personalization', 'search_suggestions']],
      ['SEVERE', ['recommendations', 'personalization', 'search_suggestions', 'analytics_events']],
      [
        'CRITICAL',
        [
          'recommendations',
          'personalization',
          'search_suggestions',
          'analytics_events',
          'non_essential_writes',
        ],
      ],
    ]);
  });

  it('should answer enabled() for the current level, true for names no level lists', () => {
    const { manager } = setup();
    const names = ['recommendations', 'search_suggestions', 'analytics_events', 'payments', ''];
    expect(names.map((name) => manager.features.enabled(name))).toEqual([true, true, true, true, true]);
    manager.override('MODERATE', 'drill');
    expect(names.map((name) => manager.features.enabled(name))).toEqual([false, false, true, true, true]);
    manager.override('NONE', 'drill over');
    expect(names.map((name) => manager.features.enabled(name))).toEqual([true, true, true, true, true]);
  });

  it('should list only newly disabled names on the way up and re-enabled names on the way down', () => {
    const { manager } = setup();
    const moves = (['SEVERE', 'CRITICAL', 'MINIMAL', 'MINIMAL'] as const).map((level) => {
      const decision = manager.override(level, 'move');
      return [decision?.from, decision?.to, decision?.actions];
    });
    expect(moves).toEqual([
      [
        'NONE',
        'SEVERE',
        {
          disabled: ['recommendations', 'personalization', 'search_suggestions', 'analytics_events'],
          enabled: [],
        },
      ],
      ['SEVERE', 'CRITICAL', { disabled: ['non_essential_writes'], enabled: [] }],
      [
        'CRITICAL',
        'MINIMAL',
        {
          disabled: [],
          enabled: ['personalization', 'search_suggestions', 'analytics_events', 'non_essential_writes'],
        },
      ],
      ['MINIMAL', 'MINIMAL', { disabled: [], enabled: [] }],
    ]);
  });

  it('should list a feature named by several levels once, at the lowest level naming it', () => {
    const config = degradationConfig({
      levels: {
        minimal: { disable: ['a'] },
        moderate: { disable: ['b', 'a'] },
        severe: { disable: [] },
        critical: { disable: ['c', 'b'] },
      },
    });
    const table = new LevelTable(config);
    expect(DEGRADATION_LEVELS.map((level) => table.row(level))).toEqual([
      { level: 'NONE', enterRatio: 0, exitRatio: 0, disabledFeatures: [] },
      { level: 'MINIMAL', enterRatio: 1, exitRatio: 0.75, disabledFeatures: ['a'] },
      { level: 'MODERATE', enterRatio: 1.25, exitRatio: 0.9375, disabledFeatures: ['a', 'b'] },
      { level: 'SEVERE', enterRatio: 1.5, exitRatio: 1.125, disabledFeatures: ['a', 'b'] },
      { level: 'CRITICAL', enterRatio: 2, exitRatio: 1.5, disabledFeatures: ['a', 'b', 'c'] },
    ]);
    expect(
      [0.99, 1, 1.2499, 1.25, 1.5, 1.99, 2, Number.POSITIVE_INFINITY].map((r) => table.targetFor(r)),
    ).toEqual(['NONE', 'MINIMAL', 'MINIMAL', 'MODERATE', 'SEVERE', 'SEVERE', 'CRITICAL', 'CRITICAL']);
  });

  it('should report its state for APIs, with the last decision', () => {
    const { manager, startMs, ticks } = setup();
    expect(manager.state()).toEqual({
      namespace: '',
      service: 'checkout',
      level: 'NONE',
      overridden: false,
      since: startMs,
      disabledFeatures: [],
    });
    const [decision] = ticks(3, 55);
    ticks(5, 55);
    expect(manager.state()).toEqual({
      namespace: '',
      service: 'checkout',
      level: 'MINIMAL',
      overridden: false,
      since: startMs + 3 * TICK_MS,
      disabledFeatures: ['recommendations'],
      lastDecision: decision,
    });
    const pinned = manager.override('MINIMAL', 'hold');
    expect(manager.state()).toEqual({
      namespace: '',
      service: 'checkout',
      level: 'MINIMAL',
      overridden: true,
      since: startMs + 3 * TICK_MS, // the level did not change
      disabledFeatures: ['recommendations'],
      lastDecision: pinned,
    });
  });

  it('should hand out frozen decisions so a listener cannot rewrite what others see', () => {
    const { manager } = setup();
    const decision = manager.override('SEVERE', 'freeze check');
    expect([
      Object.isFrozen(decision),
      Object.isFrozen(decision?.actions),
      Object.isFrozen(decision?.actions.disabled),
      Object.isFrozen(decision?.disabledFeatures),
      Object.isFrozen(manager.features.disabled()),
    ]).toEqual([true, true, true, true, true]);
  });
});

describe('DegradationManager reconfigure', () => {
  it('should keep the level and switch features to the new lists without publishing a decision', () => {
    const before = configSchema.parse({
      degradation: { levels: { minimal: { disable: ['a'] } } },
    }).degradation;
    const after = configSchema.parse({
      degradation: { levels: { minimal: { disable: ['b'] } } },
    }).degradation;
    const manager = new DegradationManager({ config: before, clock: new ManualClock(), service: 's' });
    manager.override('MINIMAL', 'test');
    const seen: unknown[] = [];
    manager.subscribe((d) => seen.push(d));
    manager.reconfigure(after);
    expect([
      manager.level,
      manager.overridden,
      manager.features.enabled('a'),
      manager.features.enabled('b'),
    ]).toEqual(['MINIMAL', true, true, false]);
    expect(seen).toEqual([]);
    expect(manager.auditLog.size).toBe(1);
  });
});
