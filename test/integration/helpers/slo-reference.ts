/**
 * The SLO side of the durable-state scenario: the error budget left as the agent under test
 * exports it, and as an uninterrupted run on the same input computes it.
 */
import { ManualClock } from '../../../agent/index.ts';
import { startTestCollector } from '../../helpers/collector.ts';
import { type AgentPorts, agentYaml, SLO } from './durable-agent.ts';
import { type AcceptedRequest, LOAD_SERVICE } from './steady-load.ts';

/** `headroom_slo_error_budget_remaining_ratio` of {@link SLO} on the agent's /metrics. */
export async function exportedBudgetRemaining(ports: AgentPorts): Promise<number | undefined> {
  const name = 'headroom_slo_error_budget_remaining_ratio{';
  const text = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(`slo="${SLO}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/**
 * The uninterrupted run on the same input: an in-process agent with the same budgets and SLO on a
 * manual clock, fed every accepted request once, in order, each at the time it was accepted, then
 * evaluated once more. Returns the SLO's error budget left (a ratio; 1 with no events).
 */
export async function referenceBudgetRemaining(accepted: readonly AcceptedRequest[]): Promise<number> {
  const clock = new ManualClock((accepted[0]?.acceptedAtMs ?? Date.now()) - 1000);
  const { collector } = await startTestCollector(agentYaml(), { clock });
  try {
    for (const request of accepted) {
      clock.advance(Math.max(0, request.acceptedAtMs - clock.now()));
      const reply = await fetch(`${collector.receiver.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: request.body,
      });
      if (!reply.ok) throw new Error(`reference run refused request ${request.index}: HTTP ${reply.status}`);
    }
    clock.advance(1000);
    const status = collector.alerting.slos.status(SLO, LOAD_SERVICE);
    if (status === undefined) throw new Error(`reference run has no ${SLO} status`);
    return status.errorBudgetRemaining;
  } finally {
    await collector.shutdown(2000);
  }
}
