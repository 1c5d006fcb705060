/**
 * ViewCache: the view serialized once per filter and shared (review16c H2, H3): the same bytes for
 * the same filter until the agent's state moves (a tick, a decision, an override, an eviction) or
 * 1 s has passed on its clock, and different bytes for different filters.
 */
import { describe, expect, it } from 'vitest';
import { VerdictCache } from '../../view/verdict-cache.ts';
import { ViewCache } from '../../view/view-cache.ts';
import { ViewHistory } from '../../view/view-history.ts';
import { ViewModel } from '../../view/view-model.ts';
import { recordMany, testAgent } from '../helpers/agent.ts';

function cached() {
  const { agent, clock } = testAgent({ ui: { enabled: true } });
  const verdicts = new VerdictCache(agent);
  const history = new ViewHistory({ agent, verdicts, ...agent.config.ui.history });
  const model = new ViewModel({ agent, verdicts, history });
  return { agent, clock, views: new ViewCache(agent, model) };
}

const everyone = { principal: { name: 'reader', scopes: new Set<'read'>(['read']) } };
const payments = {
  principal: { name: 'payments', scopes: new Set<'read'>(['read']), namespace: 'payments' },
};

describe('ViewCache', () => {
  it('should give the same bytes to every reader of one filter, and others to another filter', () => {
    const { views } = cached();
    const first = views.json(everyone);
    expect(views.json({ ...everyone })).toBe(first);
    expect(views.json({ ...everyone, namespace: 'payments' })).not.toBe(first);
    expect(views.json(payments)).not.toBe(first);
    expect(views.json(payments)).toBe(views.json(payments));
    expect(JSON.parse(first.toString())).toMatchObject({ services: [] });
  });

  it('should serialize again after 1 s on the clock, and not before', () => {
    const { clock, views } = cached();
    const first = views.json(everyone);
    clock.advance(999);
    expect(views.json(everyone)).toBe(first);
    clock.advance(1);
    const next = views.json(everyone);
    expect(next).not.toBe(first);
    expect(JSON.parse(next.toString()).generatedAtMs).toBe(clock.now());
  });

  it('should serialize again once the agent ticks or decides (an override)', () => {
    const { agent, clock, views } = cached();
    recordMany(agent, clock, { service: 'checkout', operation: 'quote', context: 'routine' }, 40, 10);
    const before = views.json(everyone);
    agent.tick();
    const ticked = views.json(everyone);
    expect(ticked).not.toBe(before);
    agent.degradation('checkout').override('MODERATE', 'drill');
    const overridden = views.json(everyone);
    expect(overridden).not.toBe(ticked);
    expect(JSON.parse(overridden.toString()).services[0]).toMatchObject({
      service: 'checkout',
      level: 'MODERATE',
      overridden: true,
    });
    views.close();
    agent.tick();
    expect(views.json(everyone)).not.toBe(overridden); // closed: nothing kept, served fresh
  });
});
