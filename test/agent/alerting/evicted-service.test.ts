// What an evicted service keeps of its alerts: a firing alert holds it (firingFor), its cooldowns go (forgetService).
import { describe, expect, it } from 'vitest';
import type { ServiceLevel } from '../../../agent/alerting/types.ts';
import { DEGRADED_RULE, levels, MINUTE_MS, setup } from './setup.ts';

const DEGRADED = DEGRADED_RULE;
const at = (namespace: string, service: string, level: ServiceLevel['level']): ServiceLevel => ({
  namespace,
  service,
  level,
});

describe('alerts of an evicted service', () => {
  it('should say which services have a firing alert, by name and namespace exactly', () => {
    const { alerts, evaluate } = setup([DEGRADED]);
    evaluate({
      levels: [at('', 'checkout', 'SEVERE'), at('shop', 'cart', 'SEVERE'), at('', 'search', 'NONE')],
    });
    const ids = [
      { namespace: '', service: 'checkout' },
      { namespace: 'shop', service: 'cart' },
      { namespace: '', service: 'cart' },
      { namespace: 'shop', service: 'checkout' },
      { namespace: '', service: 'search' },
      { namespace: '', service: 'check' },
    ];
    expect(ids.map((id) => alerts.firingFor(id))).toEqual([true, true, false, false, false, false]);
  });

  it('should forget the cooldown of an evicted service, so its next alert fires at once', () => {
    const { alerts, clock, evaluate } = setup([DEGRADED]);
    evaluate({ levels: levels({ checkout: 'SEVERE', checkouts: 'SEVERE' }) });
    clock.advance(MINUTE_MS);
    expect(
      evaluate({ levels: levels({ checkout: 'NONE', checkouts: 'NONE' }) }).map((e) => e.status),
    ).toEqual(['resolved', 'resolved']);
    alerts.forgetService({ namespace: '', service: 'checkout' });
    clock.advance(MINUTE_MS);
    // checkout fires again within what was its cooldown; checkouts (a longer name) keeps its cooldown.
    const fired = evaluate({ levels: levels({ checkout: 'SEVERE', checkouts: 'SEVERE' }) });
    expect(fired.map((e) => [e.status, e.labels.service])).toEqual([['firing', 'checkout']]);
  });

  it('should keep the alerts that fire and the instances of other namespaces when forgetting a service', () => {
    const { alerts, clock, evaluate } = setup([DEGRADED]);
    evaluate({ levels: [at('', 'checkout', 'SEVERE'), at('shop', 'checkout', 'SEVERE')] });
    clock.advance(MINUTE_MS);
    evaluate({ levels: [at('', 'checkout', 'SEVERE'), at('shop', 'checkout', 'NONE')] });
    alerts.forgetService({ namespace: '', service: 'checkout' });
    alerts.forgetService({ namespace: 'other', service: 'checkout' });
    expect(alerts.firingFor({ namespace: '', service: 'checkout' })).toBe(true);
    clock.advance(MINUTE_MS);
    // shop/checkout is still in its cooldown: nothing new fires, nothing resolves.
    expect(evaluate({ levels: [at('', 'checkout', 'SEVERE'), at('shop', 'checkout', 'SEVERE')] })).toEqual(
      [],
    );
    alerts.forgetService({ namespace: 'shop', service: 'checkout' });
    clock.advance(MINUTE_MS);
    const fired = evaluate({ levels: [at('', 'checkout', 'SEVERE'), at('shop', 'checkout', 'SEVERE')] });
    expect(fired.map((e) => [e.status, e.labels.service, e.labels.service_namespace])).toEqual([
      ['firing', 'checkout', 'shop'],
    ]);
  });
});
