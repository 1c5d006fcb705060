import { describe, expect, it } from 'vitest';
import { ClassRequests } from '../../../agent/admission/class-requests.ts';
import { ClassWindows } from '../../../agent/admission/class-windows.ts';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import { nextReach, shortAlone } from '../../../agent/admission/window-reach.ts';
import { ManualClock } from '../../../agent/clock.ts';

/** Samples a window per class, the same in every window. */
function steady(perWindow: Partial<Record<Criticality, number>>) {
  return (criticality: Criticality, windows: number) => (perWindow[criticality] ?? 0) * windows;
}

const MOST = { most: 10, judged: ['SHEDDABLE'] } as const;

describe('nextReach (review15f H3)', () => {
  it('should grow at once to the fewest windows where the group judging the class has minSamples', () => {
    // The class itself (5 a window) has more than the classes above it (2): 4 windows.
    expect(nextReach(1, steady({ SHEDDABLE: 5, CRITICAL: 2 }), 20, MOST)).toBe(4);
    // The classes above it pooled (4 + 3 a window): 3 windows.
    expect(nextReach(1, steady({ SHEDDABLE: 1, CRITICAL: 4, CRITICAL_PLUS: 3 }), 20, MOST)).toBe(3);
    expect(nextReach(1, steady({ SHEDDABLE: 20 }), 20, MOST)).toBe(1);
  });

  it('should shrink only to where the group has half again minSamples, and hold in between', () => {
    expect(nextReach(4, steady({ SHEDDABLE: 6 }), 20, MOST)).toBe(4); // 30 needs 5
    expect(nextReach(4, steady({ SHEDDABLE: 10 }), 20, MOST)).toBe(3);
    expect(nextReach(4, steady({ SHEDDABLE: 15 }), 20, MOST)).toBe(2);
    expect(nextReach(4, steady({ SHEDDABLE: 40 }), 20, MOST)).toBe(1);
  });

  it('should hold where even the most windows are short, and need nothing for a class without samples', () => {
    expect(nextReach(3, steady({ SHEDDABLE: 1 }), 20, MOST)).toBe(3);
    expect(nextReach(1, steady({ SHEDDABLE: 1 }), 20, MOST)).toBe(1);
    expect(nextReach(6, steady({ CRITICAL: 30 }), 20, MOST)).toBe(1);
  });

  it('should take the farthest of the classes judged (the frontier and the most important class shed)', () => {
    const counts = steady({ SHEDDABLE: 10, CRITICAL: 3, CRITICAL_PLUS: 1 });
    // SHEDDABLE: 2 windows (10 each); CRITICAL: 7 windows (3 each, CRITICAL_PLUS 1 each).
    expect(nextReach(1, counts, 20, { most: 10, judged: ['SHEDDABLE', 'CRITICAL'] })).toBe(7);
    expect(nextReach(1, counts, 20, { most: 5, judged: ['SHEDDABLE', 'CRITICAL'] })).toBe(2);
  });
});

describe('shortAlone', () => {
  it('should say whether the window alone has under half again minSamples for a class judged', () => {
    const alone = (c: Criticality) => ({ SHEDDABLE: 29, CRITICAL: 3 })[c as 'SHEDDABLE'] ?? 0;
    expect(shortAlone(alone, 20, ['SHEDDABLE'])).toBe(true);
    expect(shortAlone((c) => (c === 'SHEDDABLE' ? 30 : 0), 20, ['SHEDDABLE'])).toBe(false);
    expect(shortAlone(() => 0, 20, ['SHEDDABLE'])).toBe(false);
  });
});

describe('ClassWindows reaching back (review15f H3)', () => {
  /** Windows of `windowMs` on a manual clock, fed `perSecond` SHEDDABLE samples a second. */
  function windows(windowMs = 3000, requests?: ClassRequests) {
    const clock = new ManualClock();
    const classes = new ClassWindows(windowMs, clock, requests);
    const second = (perSecond: number, ratio = 0.5) => {
      for (let i = 0; i < perSecond; i++) classes.record('SHEDDABLE', ratio, clock.now());
      clock.advance(1000);
      classes.reach(20, ['SHEDDABLE']);
      return classes.windowMs;
    };
    return { clock, classes, second };
  }

  it('should read back whole windows once the ring holds them, and read the ring', () => {
    const { classes, second } = windows();
    // 4 a second: 8 in the window alone (the newest slot is still empty); the ring starts at
    // the first tick short and holds 20 in 6 s (5 whole seconds) from the sixth.
    const reach = Array.from({ length: 8 }, () => second(4));
    expect(reach).toEqual([3000, 3000, 3000, 3000, 3000, 6000, 6000, 6000]);
    expect(classes.count('SHEDDABLE')).toBe(20);
    expect(classes.read('SHEDDABLE', 'p95')).toEqual({ ratio: expect.closeTo(0.5, 2), samples: 20 });
  });

  it('should fall back to the window alone when nothing arrives, and reach again when samples do', () => {
    const { second } = windows();
    for (let s = 0; s < 10; s++) second(4);
    // A second with none: further back for 20 while the window has some; then none in it.
    expect([second(0), second(0), second(0), second(4)]).toEqual([9000, 3000, 3000, 9000]);
  });

  it('should keep reaching while requests arrive though nothing finishes in the window', () => {
    const requests = new ClassRequests(0);
    const { clock, second } = windows(3000, requests);
    for (let s = 0; s < 10; s++) second(4);
    let judged = 0;
    const reach = Array.from({ length: 4 }, () => {
      judged += 4;
      requests.mark(clock.now(), (c) => (c === 'SHEDDABLE' ? judged : 0), 3000);
      return second(0);
    });
    expect(reach).toEqual([9000, 9000, 9000, 12000]);
  });

  it('should drop the rings after a ring span with the window alone enough, and start them again', () => {
    const { second } = windows();
    for (let s = 0; s < 10; s++) second(4);
    // 15 a second: 30 in the window alone; back to it at once, the rings kept for 30 s more.
    const dense = Array.from({ length: 32 }, () => second(15));
    expect(dense.slice(0, 3)).toEqual([6000, 3000, 3000]);
    const again = Array.from({ length: 8 }, () => second(4));
    expect(again).toEqual([3000, 3000, 3000, 3000, 3000, 6000, 6000, 6000]);
  });

  it('should not reach where a ring would hold too many slots', () => {
    // 3,001 ms: 1 ms slots, 3,001 of them a window; a ring of two windows would pass 3,600.
    const { second } = windows(3001);
    expect(Array.from({ length: 20 }, () => second(4)).every((ms) => ms === 3001)).toBe(true);
  });
});
