// Cost of the recorder's hot path and of a window query, in one run:
//   node bench/window.bench.ts        (Node >= 22.18 runs TypeScript directly; npx node uses the pinned 24)
// Each case runs warm-up rounds, then ROUNDS timed rounds; the table shows the median round.
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import { SlidingWindow } from '../agent/window/index.ts';
import { mulberry32, standardNormal } from '../test/helpers/random.ts';

const OPS_PER_ROUND = 2_000_000;
const WARMUP_ROUNDS = 3;
const ROUNDS = 9;
const SNAPSHOTS_PER_ROUND = 200;
const VALUE_MASK = 0xffff;

// Log-normal latencies (median 50 ms, sigma 0.8), drawn once so every case reads the same values.
const next = mulberry32(42);
const values = Float64Array.from({ length: VALUE_MASK + 1 }, () => 50 * Math.exp(0.8 * standardNormal(next)));
let sink = 0; // consumed at the end so no loop can be optimised away

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Case {
  readonly name: string;
  readonly opsPerRound: number;
  readonly round: () => void;
}

/**
 * Median ns per op of each case. Rounds are interleaved (case A, B, C, A, B, C, ...) so a noisy
 * neighbour slows every case alike instead of whichever case happened to run at that moment.
 */
function measure(cases: readonly Case[]): number[] {
  const perOpNs = cases.map((): number[] => []);
  for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
    cases.forEach((c, index) => {
      const start = process.hrtime.bigint();
      c.round();
      const elapsedNs = Number(process.hrtime.bigint() - start);
      if (r >= WARMUP_ROUNDS) perOpNs[index]!.push(elapsedNs / c.opsPerRound);
    });
  }
  return perOpNs.map(median);
}

function emptyLoop(): void {
  let sum = 0;
  for (let i = 0; i < OPS_PER_ROUND; i++) sum += values[i & VALUE_MASK]!;
  sink += sum;
}

function acceptInto(sketch: { accept(value: number): void }): () => void {
  return () => {
    for (let i = 0; i < OPS_PER_ROUND; i++) sketch.accept(values[i & VALUE_MASK]!);
    sink += 1;
  };
}

// 10 000 samples per simulated second, so every round rotates through all slots many times
// (lazy slot clearing included) like a busy service does.
function recordInto(window: SlidingWindow): () => void {
  let nextEndTimeMs = 1_700_000_000_000;
  return () => {
    let accepted = 0;
    let endTimeMs = nextEndTimeMs; // a local, not the captured variable, inside the loop
    for (let i = 0; i < OPS_PER_ROUND; i++) {
      if (window.record(values[i & VALUE_MASK]!, (i & 63) === 0, endTimeMs)) accepted++;
      endTimeMs += 0.1;
    }
    nextEndTimeMs = endTimeMs;
    sink += accepted;
  };
}

/** A 60 x 1 s window with `perSlot` samples in every slot; returns it and a `nowMs` inside its newest slot. */
function fullWindow(perSlot: number): { window: SlidingWindow; nowMs: number } {
  const window = new SlidingWindow({ windowMs: 60_000, resolutionMs: 1000 });
  const startMs = 1_700_000_000_000;
  for (let slot = 0; slot < 60; slot++) {
    for (let i = 0; i < perSlot; i++)
      window.record(values[(slot * perSlot + i) & VALUE_MASK]!, false, startMs + slot * 1000 + i);
  }
  return { window, nowMs: startMs + 59_999 };
}

function snapshotsOf(window: SlidingWindow, nowMs: number, lastMs?: number): () => void {
  return () => {
    for (let i = 0; i < SNAPSHOTS_PER_ROUND; i++) sink += window.snapshot(nowMs, lastMs).count;
  };
}

// For reference only: the library's own merge into a fresh sketch (allocates; see agent/window/sketch.ts).
function libraryMerge(perSlot: number): () => void {
  const slots = Array.from({ length: 60 }, (_, slot) => {
    const sketch = new LogCollapsingLowestDenseDDSketch();
    for (let i = 0; i < perSlot; i++) sketch.accept(values[(slot * perSlot + i) & VALUE_MASK]!);
    return sketch;
  });
  return () => {
    for (let i = 0; i < SNAPSHOTS_PER_ROUND; i++) {
      const merged = new LogCollapsingLowestDenseDDSketch();
      for (const sketch of slots) merged.merge(sketch);
      sink += merged.getValueAtQuantile(0.95);
    }
  };
}

// Only the collapsing-lowest sketch class runs here: a second store class would make `accept`
// polymorphic for every case and blur the comparison.
const [loopNs, acceptNs, recordNs] = measure([
  { name: 'empty loop', opsPerRound: OPS_PER_ROUND, round: emptyLoop },
  { name: 'accept', opsPerRound: OPS_PER_ROUND, round: acceptInto(new LogCollapsingLowestDenseDDSketch()) },
  { name: 'record', opsPerRound: OPS_PER_ROUND, round: recordInto(new SlidingWindow()) },
]) as [number, number, number];
const full = fullWindow(1000);
const [snapshotNs, subSnapshotNs, libMergeNs] = measure([
  { name: 'snapshot', opsPerRound: SNAPSHOTS_PER_ROUND, round: snapshotsOf(full.window, full.nowMs) },
  { name: 'sub', opsPerRound: SNAPSHOTS_PER_ROUND, round: snapshotsOf(full.window, full.nowMs, 10_000) },
  { name: 'library merge', opsPerRound: SNAPSHOTS_PER_ROUND, round: libraryMerge(1000) },
]) as [number, number, number];

const ratio = (ns: number): string => `${(ns / acceptNs).toFixed(2)}x`;
const us = (ns: number): string => (ns / 1000).toFixed(1);
console.log(
  `Node ${process.version}, ${OPS_PER_ROUND} ops per round, median of ${ROUNDS} interleaved rounds\n`,
);
console.table([
  { case: 'empty loop (value read)', 'ns/op': loopNs.toFixed(1), 'vs accept': ratio(loopNs) },
  {
    case: 'DDSketch.accept, collapsing-lowest (baseline)',
    'ns/op': acceptNs.toFixed(1),
    'vs accept': '1.00x',
  },
  {
    case: 'SlidingWindow.record (60 x 1 s, rotating)',
    'ns/op': recordNs.toFixed(1),
    'vs accept': ratio(recordNs),
  },
]);
console.table([
  { query: 'snapshot(), 60 slots x 1000 samples', 'µs/op': us(snapshotNs) },
  { query: 'snapshot(now, 10_000), 10 of 60 slots', 'µs/op': us(subSnapshotNs) },
  { query: 'library merge of 60 sketches + p95 (reference)', 'µs/op': us(libMergeNs) },
]);
if (Number.isNaN(sink)) console.log('unreachable'); // keeps `sink` observable
