/**
 * The fuzzer's seeded randomness: every case draws from its own generator derived from the run's
 * seed and the case's index, so one case can be replayed alone (`--seed S --only N`) and a run's
 * cases do not depend on the order they are generated in.
 */
import { mulberry32 } from '../test/helpers/random.ts';

/** A seeded source of the draws the case generator needs. */
export class Rng {
  readonly #next: () => number;

  /** @param seed any 32-bit integer; the same seed yields the same draws */
  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  /** The generator of case `index` of the run seeded `seed`. */
  static forCase(seed: number, index: number): Rng {
    // Mixes the two so neighbouring (seed, index) pairs land far apart (murmur3's finalizer).
    let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return new Rng((h ^ (h >>> 16)) >>> 0);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.#next();
  }

  /** An integer in [0, below). */
  int(below: number): number {
    return Math.floor(this.#next() * below);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A size skewed towards small values: most draws below 16, a few up to `max`. */
  size(max: number): number {
    return Math.min(max, Math.floor(2 ** (this.#next() * Math.log2(max + 1))) - 1 + this.int(2));
  }

  /** `length` random bytes. */
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }

  /** A 64-bit unsigned value, biased towards edges (0, 1, 2^31, 2^32, 2^63, 2^64 - 1). */
  uint64(): bigint {
    const edges = [0n, 1n, 127n, 128n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n];
    if (this.chance(0.5)) return this.pick([...edges, 2n ** 64n - 1n]);
    return (BigInt(this.int(2 ** 32)) << 32n) | BigInt(this.int(2 ** 32));
  }
}
