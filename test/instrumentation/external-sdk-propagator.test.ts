/**
 * With `sdk: 'external'` the service's own SDK propagates; one whose baggage propagator forwards
 * an incoming `headroom.criticality` claim unvetted (NodeSDK's default W3CBaggagePropagator) is
 * told once, with the external SDK check (review15f H1: such a service must not be trusted).
 */
import { diag, propagation, type TextMapPropagator, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../agent/clock.ts';
import { startEmbedded as start } from '../../app/start.ts';
import { UNVETTED_PROPAGATOR_WARNING } from '../../instrumentation/criticality/criticality-propagator.ts';
import type { EmbeddedHeadroom as Headroom } from '../../instrumentation/headroom.ts';
import { criticalityPropagator } from '../../instrumentation/index.ts';
import { ScriptedLoad } from '../helpers/agent.ts';

const running: Headroom[] = [];
afterEach(async () => {
  for (const headroom of running.splice(0)) await headroom.shutdown();
  trace.disable();
  propagation.disable();
  vi.restoreAllMocks();
});

/** An external-SDK Headroom whose host SDK is set up as documented, `propagator` (if any) global. */
function hostWith(propagator: TextMapPropagator | undefined, clock: ManualClock) {
  const headroom = start({
    config: { service: { name: 'checkout' }, exporters: { prometheus: { enabled: false } } },
    env: {},
    sdk: 'external',
    registerGlobal: false,
    clock,
    loadSampler: new ScriptedLoad(),
  });
  running.push(headroom);
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [...headroom.spanProcessors], sampler: headroom.sampler() }),
  );
  if (propagator !== undefined) propagation.setGlobalPropagator(propagator);
  return headroom;
}

const composite = (baggage: TextMapPropagator) =>
  new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), baggage] });

describe("start({ sdk: 'external' }) and the SDK's propagator", () => {
  it.each([
    ["NodeSDK's default (W3C trace context and baggage)", 1, composite(new W3CBaggagePropagator())],
    ['a bare W3CBaggagePropagator', 1, new W3CBaggagePropagator()],
    ["Headroom's criticalityPropagator()", 0, composite(criticalityPropagator())],
    ['no baggage propagator', 0, new W3CTraceContextPropagator()],
    ['no propagator at all', 0, undefined],
  ] as const)(
    'with %s, should say %i time(s) that it forwards unvetted claims',
    (_name, warnings, propagator) => {
      const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
      const clock = new ManualClock();
      const headroom = hostWith(propagator, clock);
      headroom.track('quote', 'emergency', () => 'ok');
      headroom.track('quote', 'emergency', () => 'ok');
      clock.advance(60_000);
      expect(warn.mock.calls).toEqual(Array(warnings).fill([UNVETTED_PROPAGATOR_WARNING]));
    },
  );

  it('should check the propagator 10 s after start when nothing was tracked', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const clock = new ManualClock();
    hostWith(composite(new W3CBaggagePropagator()), clock);
    clock.advance(9_999);
    expect(warn).not.toHaveBeenCalled();
    clock.advance(1);
    expect(warn.mock.calls).toEqual([[UNVETTED_PROPAGATOR_WARNING]]);
  });

  it('should not throw into the host when its propagator throws, and log it as an error', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const broken: TextMapPropagator = {
      inject: () => {
        throw new Error('broken propagator');
      },
      extract: (context) => context,
      fields: () => [],
    };
    const headroom = hostWith(broken, new ManualClock());
    expect(headroom.track('quote', 'emergency', () => 'ok')).toBe('ok');
    expect(error.mock.calls.map(([message]) => message)).toEqual([
      'headroom: the propagator check could not inject its probe',
    ]);
  });
});
