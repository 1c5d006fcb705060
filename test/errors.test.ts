import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as errors from '../errors.ts';

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
