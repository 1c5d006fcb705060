import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, ManualClock } from '../../agent/index.ts';
import { type Alerting, startAlerting } from '../../app/alerting.ts';
import { configOf, recordMany, ScriptedLoad } from '../helpers/agent.ts';
import {
  type AlertmanagerServer,
  type GettableAlert,
  startAlertmanager,
  waitUntil,
} from './helpers/alertmanager.ts';

let alertmanager: AlertmanagerServer;
let alerting: Alerting | undefined;

beforeAll(async () => {
  alertmanager = await startAlertmanager();
}, 60_000);

afterAll(async () => {
  await alerting?.shutdown(2000);
  await alertmanager?.stop();
});

describe('a budget breach driven through the agent', () => {
  it('should reach a real Alertmanager as firing, then as resolved after recovery', async () => {
    // Alertmanager judges startsAt/endsAt against its own clock, and ignores a resolution whose
    // endsAt is still in its future: the agent's manual clock starts 30 s behind the real one so
    // that it stays behind after the test moves it forward.
    const clock = new ManualClock(Date.now() - 30_000);
    const agent = new Agent({
      clock,
      loadSampler: new ScriptedLoad(),
      config: configOf({
        service: { name: 'checkout' },
        evaluation: { minSamples: 10 },
        // A short window: recovery needs the slow samples gone, and the agent's clock may run only a
        // little ahead of Alertmanager's (a resolution's endsAt is the agent's now).
        window: { length: '2s', resolution: '1s' },
        alerting: {
          channels: [{ name: 'am', type: 'alertmanager', url: alertmanager.url, resendInterval: '1m' }],
          rules: [
            {
              name: 'EmergencyP95',
              kind: 'percentile',
              context: 'emergency',
              warning: '40ms',
              cooldown: '0s',
            },
          ],
        },
      }),
    });
    alerting = startAlerting(agent, { generatorUrl: 'http://127.0.0.1:4320/api/v1/services/checkout' });
    const quote = { service: 'checkout', operation: 'quote', context: 'emergency' };

    const sent: string[] = [];
    alerting.alerts.onAlert((event) => sent.push(`${event.status} ${event.rule} ${event.severity}`));
    recordMany(agent, clock, quote, 90, 50);
    agent.tick();
    expect(sent).toEqual(['firing EmergencyP95 warning']);
    let firing: GettableAlert | undefined;
    let seen = '';
    await waitUntil(
      async () => {
        const all = await alertmanager.alerts();
        seen = JSON.stringify(all);
        firing = all.find((alert) => alert.labels.alertname === 'EmergencyP95');
        return firing !== undefined;
      },
      10_000,
      () => `stats: ${JSON.stringify(alerting?.router.stats())}; alerts: ${seen}`,
    );
    expect(firing?.labels).toEqual({
      alertname: 'EmergencyP95',
      severity: 'warning',
      service: 'checkout',
      operation: 'quote',
      context: 'emergency',
    });
    expect(firing?.status.state).toBe('active');
    expect(firing?.generatorURL).toBe('http://127.0.0.1:4320/api/v1/services/checkout');

    // Recovery: the slow samples leave the 2 s window and fast ones replace them.
    clock.advance(2100);
    recordMany(agent, clock, quote, 10, 50);
    agent.tick();
    expect(sent).toEqual(['firing EmergencyP95 warning', 'resolved EmergencyP95 warning']);
    await waitUntil(
      async () => {
        const all = await alertmanager.alerts();
        seen = JSON.stringify(all);
        return all.every((alert) => alert.labels.alertname !== 'EmergencyP95');
      },
      10_000,
      () => `stats: ${JSON.stringify(alerting?.router.stats())}; alerts: ${seen}`,
    );
    expect(
      await alertmanager.metric('alertmanager_alerts_received_total{status="resolved",version="v2"}'),
    ).toBe(1);
  });
});
