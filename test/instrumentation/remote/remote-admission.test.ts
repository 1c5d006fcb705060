/**
 * connectDecisions' admission: the client keeps its service's rejection probabilities from a real
 * decision API (127.0.0.1, port 0) and admit() decides locally with them, drawing a scripted
 * random; it admits everything while it has no state or the stream is down.
 */
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AdmissionDecision, Agent, ManualClock } from '../../../agent/index.ts';
import { configOf, ScriptedLoad } from '../../helpers/agent.ts';
import { decisionApiHarness } from '../../helpers/decision-api.ts';

const harness = decisionApiHarness('checkout', 'payments');
const { serve, connect } = harness;
afterEach(async () => {
  await harness.close();
  vi.restoreAllMocks();
});

function newAgent() {
  const clock = new ManualClock(1_700_000_000_000);
  const agent = new Agent({ config: configOf({}), clock, loadSampler: new ScriptedLoad() });
  return { agent, clock };
}

/** A random that returns `values` in turn (the last one from then on). */
function scripted(...values: number[]) {
  let next = 0;
  return () => values[Math.min(next++, values.length - 1)] as number;
}

/**
 * `ticks` ticks of CRITICAL traffic at 3x its budget next to SHEDDABLE traffic within it:
 * SHEDDABLE rises by maxStep (10 %) per tick.
 */
function overload(agent: Agent, clock: ManualClock, ticks: number) {
  const admission = agent.admission('checkout', 'payments');
  for (let tick = 0; tick < ticks; tick++) {
    clock.advance(1000);
    for (let i = 0; i < 20; i++) {
      admission.record('CRITICAL', 3, clock.now() - i);
      admission.record('SHEDDABLE', 0.5, clock.now() - i);
    }
    agent.tick();
  }
}

const SHEDDABLE_AT_SEVERE = {
  admitted: false,
  criticality: 'SHEDDABLE',
  code: 'HEADROOM_ADMISSION_REJECTED',
  reason: 'degradation-level',
  probability: 1,
  retryAfterMs: 1000,
  message:
    'SHEDDABLE request rejected: the collector sheds 100% of SHEDDABLE requests of payments/checkout (degradation-level); retry after 1s',
};

describe('connectDecisions: admission', () => {
  it('should admit everything before it has heard any admission state', () => {
    const client = connect({ url: 'http://127.0.0.1:9' });
    expect([client.admit('SHEDDABLE'), client.admit(), client.state().admission]).toEqual([
      { admitted: true, criticality: 'SHEDDABLE' },
      { admitted: true, criticality: 'CRITICAL' },
      undefined,
    ]);
  });

  it("should take the service's probabilities from the stream and shed with them, CRITICAL_PLUS never", async () => {
    const { agent, clock } = newAgent();
    agent.admission('checkout', 'payments');
    agent.degradation('checkout', 'payments').override('SEVERE', 'incident 15');
    agent.tick();
    const server = await serve(agent);
    const seen: AdmissionDecision[] = [];
    const client = connect({
      url: server.url,
      random: scripted(0.999),
      onAdmissionDecision: (d) => seen.push(d),
    });
    await vi.waitFor(() => expect(client.state().admission).toBeDefined());
    expect(client.state().admission).toEqual({
      enabled: true,
      probabilities: { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 1 },
      retryAfterMs: 1000,
    });
    expect(client.admit('SHEDDABLE')).toEqual(SHEDDABLE_AT_SEVERE);
    expect([
      client.admit('CRITICAL_PLUS'),
      client.admit('CRITICAL'),
      client.admit('bogus' as 'CRITICAL'),
    ]).toEqual([
      { admitted: true, criticality: 'CRITICAL_PLUS' },
      { admitted: true, criticality: 'CRITICAL' },
      { admitted: true, criticality: 'CRITICAL' },
    ]);
    // Decisions taken while connected arrive as they happen; the state that follows is applied.
    // Back at NONE the floor's share is the controller's (review15g H2): recovery eases it a step.
    agent.degradation('checkout', 'payments').override('NONE', 'over');
    const controller = agent.admission('checkout', 'payments');
    for (let s = 0; s < 120 && controller.probability('SHEDDABLE') === 1; s++) {
      clock.advance(1000);
      agent.tick();
    }
    await vi.waitFor(() => expect(client.state().admission?.probabilities.SHEDDABLE).toBe(0.9));
    expect(seen.map((d) => [d.seq, d.criticality, d.from, d.to, d.reason])).toEqual([
      [2, 'SHEDDABLE', 1, 0.9, 'recovery'],
    ]);
    expect(seen[0]).toEqual(
      JSON.parse(JSON.stringify(agent.admission('checkout', 'payments').auditLog.entries()[1])),
    );
    expect(client.admit('SHEDDABLE')).toEqual({ admitted: true, criticality: 'SHEDDABLE' });
    // Counted where the service runs (review15g): the collector sees spans, not admissions.
    expect(client.state().requests).toEqual({
      CRITICAL_PLUS: { admitted: 1, rejected: 0 },
      CRITICAL: { admitted: 2, rejected: 0 },
      SHEDDABLE_PLUS: { admitted: 0, rejected: 0 },
      SHEDDABLE: { admitted: 1, rejected: 1 },
    });
  });

  it("should reject with the controller's probability, drawn from random: overload", async () => {
    const { agent, clock } = newAgent();
    overload(agent, clock, 2);
    const server = await serve(agent);
    const client = connect({ url: server.url, random: scripted(0.19, 0.2, 0.5) });
    await vi.waitFor(() => expect(client.state().admission?.probabilities.SHEDDABLE).toBe(0.2));
    expect([client.admit('SHEDDABLE'), client.admit('SHEDDABLE'), client.admit('SHEDDABLE_PLUS')]).toEqual([
      {
        admitted: false,
        criticality: 'SHEDDABLE',
        code: 'HEADROOM_ADMISSION_REJECTED',
        reason: 'overload',
        probability: 0.2,
        retryAfterMs: 1000,
        message:
          'SHEDDABLE request rejected: the collector sheds 20% of SHEDDABLE requests of payments/checkout (overload); retry after 1s',
      },
      { admitted: true, criticality: 'SHEDDABLE' },
      { admitted: true, criticality: 'SHEDDABLE_PLUS' },
    ]);
  });

  it('should admit, not throw, when the random source throws or draws garbage (read15 L6)', async () => {
    const { agent, clock } = newAgent();
    overload(agent, clock, 2);
    const server = await serve(agent);
    const errors = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const draws: (() => number)[] = [
      () => {
        throw new Error('entropy exhausted');
      },
      () => Number.NaN,
      () => 7,
    ];
    let next = 0;
    const client = connect({
      url: server.url,
      random: () => (draws[next++ % draws.length] as () => number)(),
    });
    await vi.waitFor(() => expect(client.state().admission?.probabilities.SHEDDABLE).toBe(0.2));
    expect([client.admit('SHEDDABLE'), client.admit('SHEDDABLE'), client.admit('SHEDDABLE')]).toEqual([
      { admitted: true, criticality: 'SHEDDABLE' },
      { admitted: true, criticality: 'SHEDDABLE' },
      { admitted: true, criticality: 'SHEDDABLE' },
    ]);
    expect(errors.mock.calls.map(([message]) => message)).toEqual([
      'headroom: the admission random source threw; the request is admitted',
    ]);
  });

  it('should admit everything while the stream is down, and drop the state a restarted agent did not say', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    vi.spyOn(diag, 'info').mockImplementation(() => {});
    const { agent } = newAgent();
    agent.admission('checkout', 'payments');
    agent.degradation('checkout', 'payments').override('SEVERE', 'incident 15');
    agent.tick();
    const first = await serve(agent);
    const client = connect({ url: first.url, random: scripted(0) });
    await vi.waitFor(() => expect(client.admit('SHEDDABLE').admitted).toBe(false));
    await first.close();
    await vi.waitFor(() => expect(client.connected).toBe(false));
    // Kept, but not used: the client sheds only on the word of an agent it hears now.
    expect(client.state().admission?.probabilities.SHEDDABLE).toBe(1);
    expect(client.admit('SHEDDABLE')).toEqual({ admitted: true, criticality: 'SHEDDABLE' });
    const restarted = newAgent().agent;
    await serve(restarted, first.port);
    await vi.waitFor(() => expect(client.state().agentInstanceId).toBe(restarted.instanceId));
    await vi.waitFor(() => expect(client.state().admission?.probabilities.SHEDDABLE).toBe(0));
    expect(client.admit('SHEDDABLE')).toEqual({ admitted: true, criticality: 'SHEDDABLE' });
  });

  it("should admit everything when the collector's admission is disabled", async () => {
    const state = {
      namespace: 'payments',
      service: 'checkout',
      enabled: false,
      classes: Object.fromEntries(
        ['CRITICAL_PLUS', 'CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE'].map((c) => [
          c,
          { probability: c === 'CRITICAL_PLUS' ? 0 : 1, minProbability: 0 },
        ]),
      ),
      retryAfterMs: 1000,
      instanceId: 'agent-1',
    };
    const body = `event: agent\ndata: {"instanceId":"agent-1"}\n\nevent: admission-state\ndata: ${JSON.stringify(state)}\n\n`;
    const fetchOnce: typeof fetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start: (controller) => controller.enqueue(new TextEncoder().encode(body)),
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    const client = connect({ url: 'http://agent.invalid', fetch: fetchOnce, random: scripted(0) });
    await vi.waitFor(() => expect(client.state().admission?.enabled).toBe(false));
    expect([client.admit('SHEDDABLE'), client.admit('CRITICAL')]).toEqual([
      { admitted: true, criticality: 'SHEDDABLE' },
      { admitted: true, criticality: 'CRITICAL' },
    ]);
  });

  it('should ignore malformed admission events and other services, and survive a throwing listener', async () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const classes = (sheddable: unknown) => ({
      CRITICAL_PLUS: { probability: 0, minProbability: 0 },
      CRITICAL: { probability: 0, minProbability: 0 },
      SHEDDABLE_PLUS: { probability: 0, minProbability: 0 },
      SHEDDABLE: { probability: sheddable, minProbability: 0 },
    });
    const state = (service: string, sheddable: unknown) => ({
      namespace: 'payments',
      service,
      enabled: true,
      classes: classes(sheddable),
      retryAfterMs: 2000,
      instanceId: 'agent-1',
    });
    const decision = {
      seq: 7,
      namespace: 'payments',
      service: 'checkout',
      criticality: 'SHEDDABLE',
      to: 0.5,
    };
    const event = (name: string, data: unknown) =>
      `event: ${name}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
    const body = [
      event('agent', { instanceId: 'agent-1' }),
      event('admission-state', '{not json'),
      event('admission-state', state('checkout', 1.5)),
      event('admission-state', { ...state('checkout', 0.5), retryAfterMs: -1 }),
      event('admission-state', state('other', 0.9)),
      event('admission-decision', { ...decision, criticality: 'LOW' }),
      event('admission-decision', { ...decision, service: 'other' }),
      event('admission-decision', decision),
      event('admission-state', state('checkout', 0.5)),
    ].join('');
    const fetchOnce: typeof fetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start: (controller) => controller.enqueue(new TextEncoder().encode(body)),
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    const seen: unknown[] = [];
    const client = connect({
      url: 'http://agent.invalid',
      fetch: fetchOnce,
      onAdmissionDecision: (d) => {
        seen.push(d);
        throw new Error('host bug');
      },
    });
    await vi.waitFor(() => expect(client.state().admission?.probabilities.SHEDDABLE).toBe(0.5));
    expect(client.state().admission).toEqual({
      enabled: true,
      probabilities: { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0.5 },
      retryAfterMs: 2000,
    });
    expect(seen).toEqual([decision]);
    const malformed = (what: string) =>
      `headroom: ignored a malformed ${what} event from the decision stream of payments/checkout`;
    expect(warn.mock.calls.map((call) => call[0])).toEqual([
      malformed('admission-state'),
      malformed('admission-state'),
      malformed('admission-state'),
      malformed('admission-decision'),
    ]);
    expect(error.mock.calls.map((call) => call[0])).toEqual([
      'headroom: an onAdmissionDecision listener threw',
    ]);
  });
});
