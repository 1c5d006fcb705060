// What a user reads for a value of the wrong type or out of range: the field, what it takes, what it got.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/index.ts';
import { issuesOf } from '../helpers/config-issues.ts';

const DURATION = 'expected a duration such as 50ms, 1.5s, 2m, 1h30m or 30d (units us, ms, s, m, h, d, w)';
const PERCENT = 'expected a percentage from 0% to 100%, such as 20%';
const SIZE = 'expected a size such as 512KiB or 4MiB (units B, KB, MB, GB, KiB, MiB, GiB)';

const messages = (text: string) =>
  issuesOf(() => parseConfig([{ file: 'f.yaml', text }], {})).map((issue) => [issue.path, issue.message]);

describe('messages for a wrong value', () => {
  it.each([
    ['window: { length: [1] }', 'window.length', `${DURATION}, got a list`],
    ['window: { length: { a: 1 } }', 'window.length', `${DURATION}, got a mapping`],
    ['window: { length: null }', 'window.length', `${DURATION}, got null`],
    ['window: { length: true }', 'window.length', `${DURATION}, got boolean true`],
    ['window: { length: "" }', 'window.length', `${DURATION}, got ""`],
    ['window: { length: 0s }', 'window.length', 'must be at least 1s, got "0s"'],
    [
      'exporters: { prometheus: { headersTimeout: 10ms } }',
      'exporters.prometheus.headersTimeout',
      'must be at least 1s, got "10ms"',
    ],
    [
      'contexts: { c: { budget: 10ms, phases: { a: 120% } } }',
      'contexts.c.phases.a',
      `${PERCENT}, got "120%"`,
    ],
    [
      'contexts: { c: { budget: 10ms, phases: { a: [1] } } }',
      'contexts.c.phases.a',
      `${PERCENT}, got a list`,
    ],
    ['receiver: { maxBodySize: 0MiB }', 'receiver.maxBodySize', `${SIZE}, got "0MiB"`],
    ['receiver: { maxBodySize: 12 }', 'receiver.maxBodySize', `${SIZE}, got number 12`],
    ['receiver: { maxBodySize: 4 parsecs }', 'receiver.maxBodySize', `${SIZE}, got "4 parsecs"`],
    [
      'adaptive: { load: { minFactor: 3, maxFactor: 2 } }',
      'adaptive.load.minFactor',
      'adaptive.load.minFactor (3) must be at most adaptive.load.maxFactor (2)',
    ],
    [
      'adaptive: { qos: { default: gold, classes: { silver: 1 } } }',
      'adaptive.qos.default',
      'adaptive.qos.default "gold" is not one of adaptive.qos.classes (silver)',
    ],
  ])('%s', (text, path, message) => {
    expect(messages(text)).toEqual([[path, message]]);
  });
});
