import { describe, expect, it } from 'vitest';
import { ManualClock, sleep, systemClock } from '../../agent/index.ts';

describe('ManualClock', () => {
  it('should fire one-shot and interval timers in time order, ties in the order they were set', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.every(10, () => fired.push(`every10@${clock.now()}`));
    clock.after(10, () => fired.push(`after10@${clock.now()}`));
    clock.after(5, () => fired.push(`after5@${clock.now()}`));
    clock.after(0, () => fired.push(`after0@${clock.now()}`));
    clock.advance(25);
    expect(fired).toEqual(['after0@0', 'after5@5', 'every10@10', 'after10@10', 'every10@20']);
    expect(clock.now()).toBe(25);
    expect(clock.pendingTimers).toBe(1);
  });

  it('should not fire a cancelled timer, nor a one-shot timer twice', () => {
    const clock = new ManualClock(0);
    let count = 0;
    const handle = clock.after(10, () => count++);
    clock.after(10, () => count++);
    handle.cancel();
    clock.advance(100);
    expect(count).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('should treat a negative delay as 0 and never loop on a 0 ms interval', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.after(-5, () => fired.push(clock.now()));
    const interval = clock.every(0, () => fired.push(clock.now()));
    clock.advance(3);
    interval.cancel();
    expect(fired).toEqual([0, 1, 2, 3]);
  });

  it('should run the promise chains timers start, so a retry loop progresses in advanceAsync', async () => {
    const clock = new ManualClock(0);
    const attempts: number[] = [];
    const loop = (async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        attempts.push(clock.now());
        await Promise.resolve();
        await sleep(clock, 1000 * 2 ** attempt);
      }
      return clock.now();
    })();
    await clock.advanceAsync(7000);
    await expect(loop).resolves.toBe(7000);
    expect(attempts).toEqual([0, 1000, 3000]);
  });

  it('should leave timers set by callbacks for later in advance() when they fall beyond the target', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.after(5, () => clock.after(10, () => fired.push(clock.now())));
    clock.advance(10);
    expect(fired).toEqual([]);
    clock.advance(5);
    expect(fired).toEqual([15]);
  });
});

describe('sleep', () => {
  it('should reject with the signal reason when aborted while waiting, and cancel its timer', async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const slept = sleep(clock, 1000, controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(slept).rejects.toThrow('shutting down');
    expect(clock.pendingTimers).toBe(0);
  });

  it('should reject at once with an AbortError when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sleep(new ManualClock(0), 1000, controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('should resolve on the system clock without keeping the process alive', async () => {
    const started = Date.now();
    await sleep(systemClock, 1);
    expect(Date.now()).toBeGreaterThanOrEqual(started);
  });

  it('should never let a timer of the system clock keep the process alive', () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
    const baseline = timeouts();
    const handles = [systemClock.every(10_000, () => {}), systemClock.after(10_000, () => {})];
    expect(timeouts()).toBe(baseline);
    for (const handle of handles) handle.cancel();
    expect(timeouts()).toBe(baseline);
  });
});
