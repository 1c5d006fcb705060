import { diag, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../agent/clock.ts';
import { startEmbedded as start } from '../../app/start.ts';
import { InvalidArgumentError } from '../../errors.ts';
import { EXTERNAL_SDK_WARNING } from '../../instrumentation/external-sdk-check.ts';
import type { EmbeddedHeadroom as Headroom } from '../../instrumentation/headroom.ts';
import { ScriptedLoad } from '../helpers/agent.ts';

const running: Headroom[] = [];
afterEach(async () => {
  for (const headroom of running.splice(0)) await headroom.shutdown();
  trace.disable();
  vi.restoreAllMocks();
});

function startHeadroom(sdk: 'own' | 'external', clock = new ManualClock()) {
  const headroom = start({
    config: {
      service: { name: 'checkout' },
      exporters: { prometheus: { enabled: false } },
      adaptive: { modifiers: { black_friday: { factor: 2 } } },
    },
    env: {},
    sdk,
    registerGlobal: false,
    clock,
    loadSampler: new ScriptedLoad(),
  });
  running.push(headroom);
  return headroom;
}

/** What `fn` threw, as the fields a caller sees. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    const e = error as InvalidArgumentError;
    return {
      isInvalidArgument: e instanceof InvalidArgumentError,
      code: e.code,
      argument: e.argument,
      message: e.message,
    };
  }
  return 'nothing thrown';
}

describe('explicit control calls with invalid arguments', () => {
  it('should throw a coded error for an unknown override level, with the closest level, and keep the level', () => {
    const headroom = startHeadroom('own');
    expect(thrown(() => headroom.override('CRITCAL' as 'CRITICAL', 'x'))).toEqual({
      isInvalidArgument: true,
      code: 'HEADROOM_ERR_API_INVALID_ARGUMENT',
      argument: 'level',
      message:
        'headroom.override: unknown level "CRITCAL" (did you mean "CRITICAL"?); levels: NONE, MINIMAL, MODERATE, SEVERE, CRITICAL',
    });
    expect(thrown(() => headroom.override('critical' as 'CRITICAL', 'x'))).toMatchObject({
      argument: 'level',
      message: expect.stringContaining('(did you mean "CRITICAL"?)'),
    });
    expect(thrown(() => headroom.override(undefined as unknown as 'NONE', 'x'))).toMatchObject({
      message:
        'headroom.override: unknown level undefined; levels: NONE, MINIMAL, MODERATE, SEVERE, CRITICAL',
    });
    expect(thrown(() => headroom.override('SEVERE', 'x', { untilMs: Number.NaN }))).toEqual({
      isInvalidArgument: true,
      code: 'HEADROOM_ERR_API_INVALID_ARGUMENT',
      argument: 'untilMs',
      message: 'headroom.override: untilMs must be a time in ms since the epoch, got NaN',
    });
    expect([headroom.level, headroom.auditLog.entries().length]).toEqual(['NONE', 0]);
    headroom.override('CRITICAL', 'valid');
    expect(headroom.level).toBe('CRITICAL');
  });

  it('should throw a coded error for an unknown modifier and keep the active ones', () => {
    const headroom = startHeadroom('own');
    expect(thrown(() => headroom.modifiers.set('nope'))).toEqual({
      isInvalidArgument: true,
      code: 'HEADROOM_ERR_API_INVALID_ARGUMENT',
      argument: 'name',
      message: 'unknown adaptive modifier "nope"; adaptive.modifiers has: black_friday',
    });
    expect(headroom.modifiers.set('black_friday')).toBe(true);
    expect(headroom.modifiers.active()).toEqual(['black_friday']);
  });

  it('should never throw from recording paths, whatever their arguments', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const headroom = startHeadroom('own');
    expect(headroom.track('', 'no-such-context', () => 1)).toBe(1);
    expect(await headroom.track('op', undefined as unknown as string, async () => 2)).toBe(2);
    expect(headroom.wrap('op', 'CRITCAL', (a: number) => a + 1)(2)).toBe(3);
  });
});

describe("start({ sdk: 'external' }) without headroom.spanProcessor", () => {
  it('should warn once, at the first tracked operation, when its span reached no processor', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const headroom = startHeadroom('external');
    expect(headroom.track('quote', 'emergency', () => 'ok')).toBe('ok');
    headroom.track('quote', 'emergency', () => 'ok');
    headroom.wrap('quote', 'emergency', () => 'ok')();
    expect(warn.mock.calls).toEqual([[EXTERNAL_SDK_WARNING]]);
  });

  it('should warn once, 10 s after start, when no span reached the processor and nothing was tracked', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const clock = new ManualClock();
    const headroom = startHeadroom('external', clock);
    clock.advance(9_999);
    expect(warn).not.toHaveBeenCalled();
    clock.advance(1);
    clock.advance(60_000);
    headroom.track('quote', 'emergency', () => 'ok');
    expect(warn.mock.calls).toEqual([[EXTERNAL_SDK_WARNING]]);
  });

  it('should say nothing when the service added headroom.spanProcessor to its provider, and count the operation', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const clock = new ManualClock();
    const headroom = startHeadroom('external', clock);
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [headroom.spanProcessor] }));
    headroom.track('quote', 'emergency', () => 'ok');
    clock.advance(60_000);
    expect(warn).not.toHaveBeenCalled();
    expect(headroom.agent.registry.list().map((series) => series.operation)).toEqual(['quote']);
  });

  it('should say nothing when Headroom owns the SDK', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const clock = new ManualClock();
    const headroom = startHeadroom('own', clock);
    headroom.track('quote', 'emergency', () => 'ok');
    clock.advance(60_000);
    expect(warn).not.toHaveBeenCalled();
  });
});
