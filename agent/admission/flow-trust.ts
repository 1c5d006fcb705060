/**
 * Requests in flight are not a backlog (review15e H2). Admitted minus finished is the requests in
 * flight, admitted rate x latency by Little's law (L = λW), so it grows whenever the latency or
 * the admissions step up, with no queue and no capacity reached: for as long as the latency after
 * the step, the window admits more than it finishes (a dependency slowing to 2 s finishes nothing
 * new for 2 s; an easing step lets in more for as long). Only a service that cannot keep up goes
 * on finishing fewer than it admits beyond that. Where a healthy rate is known (healthy-rate.ts),
 * a load at or under it is one the service kept up with, so its growth is taken for requests in
 * flight unless the flow itself shows a capacity lost (see {@link trustedFlow}). Netflix
 * concurrency-limits reason the same way about in-flight work: the limit follows the latency
 * measured, a queue is what outgrows it.
 */

import { draining, FLOW_MARGIN, type Flow } from './admission-flow.ts';
import type { Moment } from './admission-tick.ts';
import { overCapacity } from './healthy-rate.ts';

/** A growth lasting this many windows beyond the latency the count implies is a backlog (see {@link trustedFlow}). */
const LASTING_WINDOWS = 2;

/** Ticks after the first of a run of short ticks ({@link Flow.shortMs}) that make it a lost capacity: 2 (3 ticks). */
const SHORT_TICKS = 2;

/**
 * The flow as the law may size from it. Where the admissions exceed the healthy rate by the
 * flow's margin (or no rate is learned yet, or the flow was never steady) it is taken as it is.
 * At or under the rate it is trusted only where it shows a capacity lost, with no easing step in
 * flight (each lets in more than finishes for the latency: in flight, again):
 * - the window has grown (admissions over completions) for {@link LASTING_WINDOWS} windows longer
 *   than the requests counted waiting imply by Little's law (backlog / admitted per ms): a latency
 *   step of d grows the count by rate x d and the window for d plus a window (plus the spread of
 *   the latencies), a service that cannot keep up grows it for as long as it lasts (a capacity 70
 *   for 80 admitted: trusted after 7 s);
 * - the last three ticks finished at a steady rate under their admissions ({@link Flow.shortMs},
 *   review15e H1): a service that lost capacity (a noisy neighbour, a heavier mix) finishes that
 *   way from its first tick, while after a latency step the requests finish nothing new for the
 *   step, then as many as are admitted (a proxy bounding the queue before `admit()` turns a lost
 *   capacity into a steady flow within seconds);
 * - it drains a backlog that a rise sized from the flow (the easing's `drain`, not released yet).
 * Else its growth is dropped (admissions counted at most as the completions) and it counts as not
 * {@link Flow.confirmed}: no early rise, no sized step, no release, no ramp kept rising or easing
 * held by a backlog (a dependency slowing from 0.1x to 2x of the budget at an unchanged load shed
 * CRITICAL up to 50 %: 2,208 rejected in 5 minutes); a draining flow stays draining.
 */
export function trustedFlow(flow: Flow | undefined, moment: Moment, windowMs: number): Flow | undefined {
  if (flow === undefined || !flow.confirmed) return flow;
  if (overCapacity(moment.rate, flow.arrivals / (1 + FLOW_MARGIN), windowMs) !== false) return flow;
  const { easing } = moment;
  const settled = (easing?.steps.length ?? 0) === 0;
  if (settled && flow.growingMs > LASTING_WINDOWS * windowMs + impliedMs(flow)) return flow;
  if (settled && flow.shortMs >= SHORT_TICKS * moment.tickMs) return flow;
  const drain = easing?.drain;
  if (draining(flow) && drain !== undefined && drain.releasedAtMs === undefined) return flow;
  const { completions } = flow;
  const expected = Math.min(flow.expected, completions);
  return { ...flow, confirmed: false, expected, shared: Math.min(flow.shared, completions) };
}

/** How long the requests counted waiting have waited at least, ms (Little's law: count / admitted per ms). */
function impliedMs(flow: Flow): number {
  return flow.expected <= 0 ? 0 : (flow.backlog * flow.spanMs) / flow.expected;
}
