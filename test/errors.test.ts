import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CardinalityLimits } from '../agent/limits/index.ts';
import { SeriesRegistry, SlidingWindow } from '../agent/window/index.ts';
import * as errors from '../errors.ts';
import { HeadroomMetricProducer } from '../exporters/metrics/index.ts';
import { testAgent } from './helpers/agent.ts';

const classes = Object.values(errors).filter(
  (value): value is typeof errors.HeadroomError =>
    typeof value === 'function' && value.prototype instanceof errors.HeadroomError,
);

function instanceOf(cls: (typeof classes)[number]): errors.HeadroomError {
  const Ctor = cls as unknown as new (...args: unknown[]) => errors.HeadroomError;
  if (cls === (errors.ConfigInvalidError as unknown))
    return new Ctor([{ file: 'f.yaml', path: 'a', message: 'm' }]);
  return new Ctor('f.yaml');
}

describe('error codes', () => {
  it('should have exactly the pinned set of codes, each documented in docs/errors.md', () => {
    const codes = classes.map((cls) => instanceOf(cls).code).sort();
    expect(codes).toEqual([
      'HEADROOM_ERR_API_INVALID_ARGUMENT',
      'HEADROOM_ERR_CLIENT_OPTIONS_INVALID',
      'HEADROOM_ERR_COLLECTOR_LISTEN',
      'HEADROOM_ERR_CONFIG_EMPTY',
      'HEADROOM_ERR_CONFIG_INVALID',
      'HEADROOM_ERR_CONFIG_READ',
      'HEADROOM_ERR_LIMITS_OPTIONS_INVALID',
      'HEADROOM_ERR_METRICS_NAME_TAKEN',
      'HEADROOM_ERR_METRICS_OPTIONS_INVALID',
      'HEADROOM_ERR_NODE_UNSUPPORTED',
      'HEADROOM_ERR_SERIES_OPTIONS_INVALID',
      'HEADROOM_ERR_STORE_LOCKED',
      'HEADROOM_ERR_STORE_OPEN',
      'HEADROOM_ERR_STORE_READ',
      'HEADROOM_ERR_WINDOW_OPTIONS_INVALID',
    ]);
    const doc = readFileSync('docs/errors.md', 'utf8');
    for (const code of codes) expect(doc).toContain(`\`${code}\``);
  });

  it('should name each error after its class and keep the HEADROOM_ERR_ prefix', () => {
    for (const cls of classes) {
      const error = instanceOf(cls);
      expect(error.name).toBe(cls.name);
      expect(error.code).toMatch(/^HEADROOM_ERR_[A-Z]+_[A-Z_]+$/);
      expect(error).toBeInstanceOf(Error);
    }
  });

  it('should format config issues as file:line:column path: message', () => {
    const error = new errors.ConfigInvalidError([
      { file: 'a.yaml', path: 'window.length', line: 3, column: 5, message: 'bad' },
      { file: '<env OTEL_X>', path: 'exporters.otlp.protocol', message: 'worse' },
    ]);
    expect(error.message).toBe(
      'invalid configuration (2 problems):\n  a.yaml:3:5 window.length: bad\n  <env OTEL_X> exporters.otlp.protocol: worse',
    );
  });
});

describe('ListenError', () => {
  it('should name the listener, the address and the system error code', () => {
    const cause = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const error = new errors.ListenError('OTLP receiver', '127.0.0.1:4318', { cause });
    expect([error.code, error.message, error.cause]).toEqual([
      'HEADROOM_ERR_COLLECTOR_LISTEN',
      'cannot listen on 127.0.0.1:4318 for the OTLP receiver (EADDRINUSE)',
      cause,
    ]);
  });
});

describe('constructor options', () => {
  const cases: [string, () => unknown, errors.HeadroomError][] = [
    [
      'SlidingWindow windowMs 0',
      () => new SlidingWindow({ windowMs: 0 }),
      new errors.WindowOptionsError('windowMs', 'SlidingWindow: windowMs must be a positive integer, got 0'),
    ],
    [
      'SeriesRegistry maxSeries 0',
      () => new SeriesRegistry({ maxSeries: 0 }),
      new errors.SeriesOptionsError(
        'maxSeries',
        'SeriesRegistry: maxSeries must be a positive integer, got 0',
      ),
    ],
    [
      'CardinalityLimits nameLength 0',
      () => new CardinalityLimits({ nameLength: 0 }),
      new errors.LimitsOptionsError(
        'nameLength',
        'CardinalityLimits: nameLength must be a positive integer, got 0',
      ),
    ],
    [
      'HeadroomMetricProducer maxSeries 0',
      () => new HeadroomMetricProducer({ agent: testAgent().agent, maxSeries: 0 }),
      new errors.MetricsOptionsError(
        'maxSeries',
        'HeadroomMetricProducer: maxSeries must be a positive integer, got 0',
      ),
    ],
  ];
  for (const [name, build, expected] of cases) {
    it(`should refuse ${name} with ${expected.code}`, () => {
      // toThrow(error) compares the class, the message and the own fields (code, option).
      expect(build).toThrow(expected);
    });
  }
});

/** Product folders: everything a user's process runs. */
const PRODUCT = ['agent', 'app', 'collector', 'config', 'exporters', 'instrumentation'];

/**
 * Throws of other classes that never leave their module: each is caught a few lines away and turned
 * into a value (a 400 reason, a logged sampling failure).
 */
const INTERNAL_THROWS = [
  'agent/load/load-monitor.ts TypeError', // caught in #read(): logged, the load factor is kept
  'app/cli/command.ts UsageError', // caught by the CLI's main(): one line on stderr, exit 2
  'app/cli/state-command.ts UsageError', // the same
  'app/cli/top-command.ts UsageError', // the same
  'app/cli/types-command.ts UsageError', // the same
  'collector/receiver/json-shape.ts JsonShapeError', // caught by the JSON decoder: a 400 reason
  'collector/receiver/wire-reader.ts MalformedPayload', // caught by the protobuf decoder: a 400 reason
  'exporters/delivery/grpc-status.ts Error', // caught in retryDelayMs(): a malformed status has no delay
  'exporters/otlp/otlp-json-fields.ts JsonFieldError', // caught by the OTLP/JSON converter: the reason of an unconvertible request
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('every throw in the product', () => {
  it('should throw a coded HeadroomError, but for the internal throws listed', () => {
    const coded = new Set(classes.map((cls) => cls.name));
    const uncoded: string[] = [];
    for (const file of [...PRODUCT.flatMap(sourceFiles), 'index.ts', 'errors.ts', 'node-version.ts']) {
      for (const match of readFileSync(file, 'utf8').matchAll(/throw new (\w+)\(/g)) {
        if (!coded.has(match[1]!)) uncoded.push(`${file} ${match[1]}`);
      }
    }
    expect([...new Set(uncoded)].sort()).toEqual(INTERNAL_THROWS);
  });
});
