import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/clock.ts';
import { SteadyClock } from '../../agent/steady-clock.ts';

/** A manual wall clock that can step: its time plus `shiftMs`. */
function wallClock() {
  const manual = new ManualClock(1_000_000);
  let shiftMs = 0;
  return {
    now: () => manual.now() + shiftMs,
    every: (ms: number, fn: () => void) => manual.every(ms, fn),
    after: (ms: number, fn: () => void) => manual.after(ms, fn),
    manual,
    step: (ms: number) => {
      shiftMs += ms;
    },
  };
}

describe('SteadyClock (review15g M2)', () => {
  it('should follow the wall clock while it goes forward', () => {
    const wall = wallClock();
    const steady = new SteadyClock(wall);
    expect(steady.now()).toBe(1_000_000);
    wall.manual.advance(1500);
    expect([steady.now(), steady.fromWall(1_001_200)]).toEqual([1_001_500, 1_001_200]);
  });

  it('should go on from where it was when the wall clock steps back, and put wall times after the step on its scale', () => {
    const wall = wallClock();
    const steady = new SteadyClock(wall);
    wall.manual.advance(1000);
    expect(steady.now()).toBe(1_001_000);
    wall.step(-60_000);
    expect(steady.now()).toBe(1_001_000);
    wall.manual.advance(2000);
    // Wall 943,000: 58 s of steps back added.
    expect([steady.now(), steady.fromWall(942_500)]).toEqual([1_003_000, 1_002_500]);
    wall.step(-1);
    wall.step(-10_000);
    expect(steady.now()).toBe(1_003_000);
    wall.manual.advance(1);
    expect(steady.now()).toBe(1_003_001);
  });

  it('should follow a jump ahead as it is', () => {
    const wall = wallClock();
    const steady = new SteadyClock(wall);
    steady.now();
    wall.step(3_600_000);
    expect([steady.now(), steady.fromWall(4_599_000)]).toEqual([4_600_000, 4_599_000]);
  });

  it("should run its timers on the wall clock's", () => {
    const wall = wallClock();
    const steady = new SteadyClock(wall);
    const fired: string[] = [];
    steady.every(1000, () => fired.push('every'));
    const cancelled = steady.after(500, () => fired.push('cancelled'));
    steady.after(1500, () => fired.push('after'));
    cancelled.cancel();
    wall.manual.advance(2000);
    expect(fired).toEqual(['every', 'after', 'every']);
  });
});
