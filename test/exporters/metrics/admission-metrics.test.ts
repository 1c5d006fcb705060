import { describe, expect, it } from 'vitest';
import { testAgent } from '../../helpers/agent.ts';
import { checkMetrics } from '../../integration/helpers/prometheus.ts';
import { expositionOf, family } from './families.ts';

const REQUESTS_HEAD = [
  "# HELP headroom_admission_requests_total Requests admission judged (admit() and the HTTP middleware in the agent's own process), by criticality class and outcome (admitted, rejected).",
  '# TYPE headroom_admission_requests_total counter',
];
const PROBABILITY_HEAD = [
  "# HELP headroom_admission_rejection_probability Probability (0..1) that admission rejects a request of the class now: the controller's value raised to the degradation level's floor, within its cap; always 0 for CRITICAL_PLUS.",
  '# TYPE headroom_admission_rejection_probability gauge',
];
const CLASSES = ['CRITICAL_PLUS', 'CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE'] as const;

/**
 * payments/checkout pinned at SEVERE (SHEDDABLE's floor 100 %) after one tick, with two SHEDDABLE
 * requests rejected and one CRITICAL and one CRITICAL_PLUS admitted; `cart` (no namespace) held
 * by the agent, nothing judged.
 */
function shedding() {
  const { agent } = testAgent();
  const admission = agent.admission('checkout', 'payments');
  agent.degradation('checkout', 'payments').override('SEVERE', 'incident 15');
  agent.admission('cart');
  agent.tick();
  for (const criticality of ['SHEDDABLE', 'SHEDDABLE', 'CRITICAL', 'CRITICAL_PLUS'] as const)
    admission.admit(criticality);
  return agent;
}

describe('admission metrics', () => {
  it('should count judged requests per class and outcome, and show every class probability of every service', async () => {
    const text = await expositionOf(shedding());
    const payments = 'service="checkout",service_namespace="payments"';
    const counts = { CRITICAL_PLUS: [1, 0], CRITICAL: [1, 0], SHEDDABLE_PLUS: [0, 0], SHEDDABLE: [0, 2] };
    expect(family(text, 'headroom_admission_requests_total')).toEqual([
      ...REQUESTS_HEAD,
      ...CLASSES.flatMap((c) => [
        `headroom_admission_requests_total{${payments},criticality="${c}",outcome="admitted"} ${counts[c][0]}`,
        `headroom_admission_requests_total{${payments},criticality="${c}",outcome="rejected"} ${counts[c][1]}`,
      ]),
    ]);
    expect(family(text, 'headroom_admission_rejection_probability')).toEqual([
      ...PROBABILITY_HEAD,
      ...CLASSES.map(
        (c) =>
          `headroom_admission_rejection_probability{${payments},criticality="${c}"} ${c === 'SHEDDABLE' ? 1 : 0}`,
      ),
      ...CLASSES.map((c) => `headroom_admission_rejection_probability{service="cart",criticality="${c}"} 0`),
    ]);
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });

  it('should fold services beyond the cap into service="__overflow__": counts summed, probabilities the highest', async () => {
    const agent = shedding();
    // cart, now judged too: its label sets fold with maxSeries 1.
    for (let i = 0; i < 3; i++) agent.admission('cart').admit('SHEDDABLE');
    const text = await expositionOf(agent, 1);
    expect(
      family(text, 'headroom_admission_requests_total')
        .slice(2)
        .filter((line) => line.includes('__overflow__')),
    ).toEqual(
      CLASSES.flatMap((c) => [
        `headroom_admission_requests_total{service="__overflow__",criticality="${c}",outcome="admitted"} ${c === 'SHEDDABLE' ? 3 : 0}`,
        `headroom_admission_requests_total{service="__overflow__",criticality="${c}",outcome="rejected"} 0`,
      ]),
    );
    expect(family(text, 'headroom_admission_rejection_probability').slice(2)).toEqual([
      ...CLASSES.map(
        (c) =>
          `headroom_admission_rejection_probability{service="checkout",service_namespace="payments",criticality="${c}"} ${c === 'SHEDDABLE' ? 1 : 0}`,
      ),
      ...CLASSES.map(
        (c) => `headroom_admission_rejection_probability{service="__overflow__",criticality="${c}"} 0`,
      ),
    ]);
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });

  it('should offer no admission series for an agent that holds no service', async () => {
    const text = await expositionOf(testAgent().agent);
    expect([
      family(text, 'headroom_admission_requests_total'),
      family(text, 'headroom_admission_rejection_probability'),
    ]).toEqual([[], []]);
  });
});
