import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { nodeLoadSampler } from '../../../agent/load/index.ts';

function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy wait: the point is to hold the event loop.
  }
}

describe('nodeLoadSampler', () => {
  it('should see a 60 ms synchronous block in event-loop delay, utilization and cpu', async () => {
    const sampler = nodeLoadSampler();
    try {
      // Real time: the sampler measures the real event loop (its delay timer, CPU, utilization).
      await sleep(30);
      sampler.sample(); // starts a fresh interval
      // Node drops the delay-timer interval that spans a reset: let one tick pass before blocking.
      await sleep(15);
      blockEventLoop(60);
      await sleep(30); // lets the delay timer fire after the block
      const signals = sampler.sample();
      expect(signals.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(40);
      expect(signals.eventLoopUtilization).toBeGreaterThan(0);
      expect(signals.eventLoopUtilization).toBeLessThanOrEqual(1);
      expect(signals.cpu).toBeGreaterThan(0);
    } finally {
      sampler.close();
    }
  });

  it('should report no delay when the delay timer has not fired since the previous sample', () => {
    const sampler = nodeLoadSampler();
    try {
      sampler.sample();
      expect(sampler.sample().eventLoopDelayP99Ms).toBe(0);
    } finally {
      sampler.close();
    }
  });
});
