import { describe, expect, it } from 'vitest';
import { type DegradationState, formatService } from '../../agent/index.ts';
import { connectDirectory, ServiceDirectory } from '../../collector/index.ts';
import { recordMany, testAgent } from '../helpers/agent.ts';

const IDLE_MS = 120_000;

/** The services the agent holds, by their text form. */
const names = (agent: { services(): { namespace: string; service: string }[] }) =>
  agent.services().map(formatService);
const TICK_MS = 1000;

/** An agent with `limits.idleTime: 2m`, its evictions recorded. */
function setup() {
  const { agent, clock } = testAgent({ limits: { idleTime: '2m' } });
  const evicted: [string, DegradationState][] = [];
  agent.onServiceEvicted((id, state) => evicted.push([formatService(id), state]));
  /** Advances the clock tick by tick (evaluating each time) for `ms`. */
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += TICK_MS) {
      clock.advance(TICK_MS);
      agent.tick();
    }
  };
  return { agent, clock, evicted, run };
}

describe('idle eviction', () => {
  it('should evict a series idle for limits.idleTime, freeing its window, and the service with it', () => {
    const { agent, clock, evicted, run } = setup();
    recordMany(agent, clock, { service: 'checkout', operation: 'quote', context: 'routine' }, 10, 30);
    const createdMs = clock.now();
    agent.tick();

    run(IDLE_MS - TICK_MS);
    expect([agent.registry.size, names(agent), evicted]).toStrictEqual([1, ['checkout'], []]);

    run(TICK_MS);
    expect(agent.registry.size).toBe(0);
    expect(names(agent)).toStrictEqual([]);
    expect(evicted).toStrictEqual([
      [
        'checkout',
        {
          namespace: '',
          service: 'checkout',
          level: 'NONE',
          overridden: false,
          since: createdMs,
          disabledFeatures: [],
        },
      ],
    ]);
    expect([agent.health().seriesEvicted, agent.health().servicesEvicted]).toStrictEqual([1, 1]);
  });

  it('should keep a service that is overridden, whatever its idle time, and evict it idleTime after the clear', () => {
    const { agent, evicted, run } = setup();
    const manager = agent.degradation('checkout');
    manager.override('NONE', 'pinned by the on-call');

    run(10 * IDLE_MS);
    expect([names(agent), evicted.length]).toStrictEqual([['checkout'], 0]);

    manager.clearOverride('done');
    run(IDLE_MS - TICK_MS);
    expect(names(agent)).toStrictEqual(['checkout']);
    run(TICK_MS);
    expect([names(agent), evicted.map(([service]) => service)]).toStrictEqual([[], ['checkout']]);
  });

  it('should keep a service above NONE, and one an activity source holds (a firing alert)', () => {
    const { agent, clock, evicted, run } = setup();
    agent.degradation('degraded').override('SEVERE', 'incident');
    agent.degradation('alerting');
    let firing = true;
    agent.addServiceActivity((service, nowMs) =>
      service.service === 'alerting' && firing ? nowMs : Number.NEGATIVE_INFINITY,
    );

    run(3 * IDLE_MS);
    expect(names(agent).sort()).toStrictEqual(['alerting', 'degraded']);

    firing = false;
    const resolvedMs = clock.now();
    run(IDLE_MS);
    expect(evicted.map(([service, state]) => [service, state.level])).toStrictEqual([['alerting', 'NONE']]);
    expect(clock.now() - resolvedMs).toBe(IDLE_MS);
  });

  it('should give the service directory its room back within idleTime + 2 ticks after a burst', () => {
    const { agent, clock, run } = setup();
    const directory = new ServiceDirectory({ limits: agent.registry.limits });
    connectDirectory(agent, directory);
    // One request of 1000 resources with no spans fills limits.services (1000).
    for (let i = 0; i < 1000; i++) directory.note(`burst-${i}`, '', clock.now());
    const burstMs = clock.now();
    expect(directory.note('legit', 'shop', clock.now())).toBe(false);
    expect(directory.refused).toBe(1);

    let acceptedAfterMs = -1;
    while (acceptedAfterMs < 0 && clock.now() - burstMs < IDLE_MS + 10 * TICK_MS) {
      run(TICK_MS);
      if (directory.note('legit', 'shop', clock.now())) acceptedAfterMs = clock.now() - burstMs;
    }
    expect(acceptedAfterMs).toBeGreaterThan(0);
    expect(acceptedAfterMs).toBeLessThanOrEqual(IDLE_MS + 2 * TICK_MS);
    expect(directory.list().map((info) => info.service)).toStrictEqual(['legit']);
    expect(agent.registry.limits.overflowed().service).toBe(acceptedAfterMs / TICK_MS);
  });

  it('should refuse a new namespace past limits.namespaces and count it by dimension', () => {
    const { agent, clock } = testAgent({ limits: { namespaces: 2 } });
    const directory = new ServiceDirectory({ limits: agent.registry.limits });
    expect(['a', 'b', 'c'].map((ns) => directory.note(`svc-${ns}`, ns, clock.now()))).toStrictEqual([
      true,
      true,
      false,
    ]);
    expect(directory.note('no-namespace', '', clock.now())).toBe(true);
    expect([directory.namespaces, directory.refused]).toStrictEqual([2, 1]);
    expect(agent.registry.limits.overflowed().namespace).toBe(1);
  });
});
