import { describe, expect, it } from 'vitest';
import { generateCase } from '../../fuzz/cases.ts';
import { fuzzConfig } from '../../fuzz/fuzz-config.ts';
import { runFuzz } from '../../fuzz/fuzz-run.ts';
import { rssLimitBytes } from '../../fuzz/report.ts';

/** The CI run of the standing fuzzer (`npm run fuzz` runs 100,000 cases of any seed). */
const SEED = 20_261_129;
const CASES = 5000;
const OPTIONS = { maxBodyBytes: 1 << 20, nowMs: 1_700_000_000_000 };

/** Every mutation the generator has: the CI cases must reach them all. */
const MUTATION_CLASSES = [
  // protobuf structure
  'wire-type-',
  'edge-varint',
  'lying-length',
  'drop-field',
  'repeat-field-',
  'field-number-',
  'invalid-utf8',
  'deep-nesting-',
  'garbage-payload',
  'huge-bytes',
  // JSON structure
  'wrong-type',
  'number-as-string',
  'string-as-number',
  'bad-hex-id',
  'edge-time',
  'raw-number',
  'huge-string',
  'many-entries-',
  'bad-escape',
  'duplicate-key',
  'drop-value',
  // bytes
  'truncate',
  'bit-flips',
  'ff-run',
  'noise',
  'duplicate-chunk',
  'trailing-garbage',
  'bom',
  'only-noise',
  'empty',
  // envelope
  'plain',
  'gzip',
  'gzip-truncated',
  'gzip-corrupt',
  'gzip-bomb',
  'gzip-twice',
  'gzip-claimed',
  'bad-encoding',
  'bad-type',
  'other-type',
  'bad-method',
  'bad-path',
  // signals and encodings, unmutated too
  'traces/protobuf',
  'traces/json',
  'metrics/protobuf',
  'metrics/json',
  'valid',
];

describe('fuzzer', () => {
  it(`should answer ${CASES} seeded cases in-process and over HTTP without a crash, a hang or RSS over the limit`, async () => {
    const names: string[] = [];
    const report = await runFuzz({
      seed: SEED,
      cases: CASES,
      onCase: (fuzzCase) => names.push(fuzzCase.name),
    });
    expect({ cases: report.cases, crashes: report.crashes, hangs: report.hangs }).toEqual({
      cases: CASES,
      crashes: [],
      hangs: [],
    });
    expect(report.peakRssBytes.receiver).toBeGreaterThan(0);
    expect(report.peakRssBytes.receiver).toBeLessThanOrEqual(rssLimitBytes(fuzzConfig()));
    // Every kind of answer was reached: accepted, malformed, wrong path and method, too large, wrong type.
    expect(Object.keys(report.statuses)).toEqual(
      expect.arrayContaining(['200', '400', '404', '405', '413', '415']),
    );
    const reached = names.join(' ');
    expect(MUTATION_CLASSES.filter((name) => !reached.includes(name))).toEqual([]);
  }, 150_000);

  it('should generate the same bytes for the same seed and index, and other bytes for another seed', () => {
    const bodies = (seed: number) =>
      [0, 1, 2, 3, 999].map((i) => generateCase(seed, i, OPTIONS).envelope.wire);
    expect(bodies(7)).toEqual(bodies(7));
    expect(bodies(8)).not.toEqual(bodies(7));
  });
});
