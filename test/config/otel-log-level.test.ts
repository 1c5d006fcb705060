import { describe, expect, it } from 'vitest';
import { otelLogLevel } from '../../config/index.ts';

describe('OTEL_LOG_LEVEL', () => {
  it.each([
    [undefined, { level: 'info', unknown: undefined }],
    ['', { level: 'info', unknown: undefined }],
    ['  ', { level: 'info', unknown: undefined }],
    ['none', { level: 'none', unknown: undefined }],
    ['ERROR', { level: 'error', unknown: undefined }],
    [' Warn ', { level: 'warn', unknown: undefined }],
    ['debug', { level: 'debug', unknown: undefined }],
    ['VERBOSE', { level: 'verbose', unknown: undefined }],
    ['all', { level: 'all', unknown: undefined }],
    ['loud', { level: 'info', unknown: 'loud' }],
    ['0', { level: 'info', unknown: '0' }],
  ])('should read %j as %j (spec default info, unknown values reported)', (value, expected) => {
    expect(otelLogLevel({ OTEL_LOG_LEVEL: value })).toEqual(expected);
  });
});
