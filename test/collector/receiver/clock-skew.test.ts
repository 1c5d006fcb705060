import { describe, expect, it } from 'vitest';
import { ClockSkewEstimator } from '../../../collector/receiver/clock-skew.ts';

const NOW = 1_700_000_000_000;

/** Observes one batch whose spans ended `newestAgoMs` .. `oldestAgoMs` before it arrived at `atMs`. */
function batch(skews: ClockSkewEstimator, atMs: number, newestAgoMs: number, oldestAgoMs = newestAgoMs) {
  return skews.observe('checkout', 'shop', atMs, atMs - newestAgoMs, atMs - oldestAgoMs);
}

describe('ClockSkewEstimator', () => {
  it('should estimate a lagging sender by the freshest span of its recent batches', () => {
    const skews = new ClockSkewEstimator();
    // A host 120 s behind that batches for 5 s: each batch's freshest span waited 0.1 to 4 s.
    expect(batch(skews, NOW, 124_000, 125_000)).toBe(124_000);
    expect(batch(skews, NOW + 5000, 120_100, 125_000)).toBe(120_100);
    expect(batch(skews, NOW + 10_000, 122_000, 125_000)).toBe(120_100);
    expect(skews.list(NOW + 10_000)).toEqual([{ service: 'checkout', namespace: 'shop', skewMs: 120_100 }]);
  });

  it('should say 0 for an honest sender, whatever its batching delay', () => {
    const skews = new ClockSkewEstimator();
    expect(batch(skews, NOW, 0, 5000)).toBe(0);
    // A sparse sender: its only span of the batch had waited 3 s; the next one 0.4 s.
    const sparse = new ClockSkewEstimator();
    expect(batch(sparse, NOW, 3000)).toBe(3000);
    expect(batch(sparse, NOW + 5000, 400)).toBe(400);
  });

  it('should estimate an ahead sender by the stalest span, never beyond the true offset', () => {
    const skews = new ClockSkewEstimator();
    // 120 s ahead, batching for 5 s: spans "ended" 115 to 120 s after they arrived.
    expect(batch(skews, NOW, -119_900, -115_000)).toBe(-115_000);
    expect(batch(skews, NOW + 5000, -119_000, -116_000)).toBe(-115_000);
  });

  it('should move toward 0 when batches disagree (a stray timestamp), never away from it', () => {
    const skews = new ClockSkewEstimator();
    expect(batch(skews, NOW, 120_000, 121_000)).toBe(120_000);
    // One span in this batch claims to end 10 min in the future.
    expect(batch(skews, NOW + 1000, -600_000, 121_000)).toBe(0);
    const honest = new ClockSkewEstimator();
    // A batch holding one span from yesterday moves nothing: its freshest span is on time.
    expect(batch(honest, NOW, 200, 86_400_000)).toBe(200);
  });

  it('should forget batches beyond the last 8 and older than 5 minutes', () => {
    const skews = new ClockSkewEstimator();
    batch(skews, NOW, 30_000);
    for (let i = 1; i <= 7; i++) expect(batch(skews, NOW + i * 1000, 60_000)).toBe(30_000);
    // The 9th batch pushes the first one out.
    expect(batch(skews, NOW + 8000, 60_000)).toBe(60_000);
    expect(skews.list(NOW + 8000 + 299_999)).toEqual([
      { service: 'checkout', namespace: 'shop', skewMs: 60_000 },
    ]);
    expect(skews.list(NOW + 8000 + 300_000)).toEqual([]);
    // After a quiet spell, the first new batch alone decides (the host's clock was fixed).
    expect(batch(skews, NOW + 400_000, 100)).toBe(100);
  });

  it('should keep services apart by namespace and forget the least recently heard beyond its cap', () => {
    const skews = new ClockSkewEstimator({ maxServices: 2 });
    skews.observe('checkout', 'shop', NOW, NOW - 10_000, NOW - 10_000);
    skews.observe('checkout', 'payments', NOW, NOW - 20_000, NOW - 20_000);
    skews.observe('checkout', 'shop', NOW + 1, NOW - 10_000, NOW - 10_000);
    skews.observe('cart', 'shop', NOW + 2, NOW - 30_000, NOW - 30_000);
    expect(skews.list(NOW + 2)).toEqual([
      { service: 'checkout', namespace: 'shop', skewMs: 10_000 },
      { service: 'cart', namespace: 'shop', skewMs: 30_002 },
    ]);
  });
  it('should hold no service past the horizon once another is heard from, and forget one on demand', () => {
    const skews = new ClockSkewEstimator();
    for (let i = 0; i < 500; i++) skews.observe(`burst-${i}`, 'shop', NOW, NOW - 1000, NOW - 1000);
    skews.observe('checkout', 'shop', NOW + 300_000, NOW + 299_000, NOW + 299_000);
    expect([skews.size, skews.list(NOW + 300_000)]).toEqual([
      1,
      [{ service: 'checkout', namespace: 'shop', skewMs: 1000 }],
    ]);
    skews.forget('checkout', 'shop');
    skews.forget('checkout', 'unknown');
    expect([skews.size, skews.list(NOW + 300_000)]).toEqual([0, []]);
  });
});
