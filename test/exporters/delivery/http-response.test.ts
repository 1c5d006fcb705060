import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base';
import { describe, expect, it } from 'vitest';
import {
  classifyNetworkError,
  classifyReply,
  isRetryableAlertStatus,
  parseRetryAfterMs,
} from '../../../exporters/delivery/index.ts';

const now = Date.parse('2030-01-01T00:00:00Z');

describe('parseRetryAfterMs', () => {
  it.each([
    [undefined, undefined],
    ['0', 0],
    ['3', 3000],
    [' 120 ', 120_000],
    ['Tue, 01 Jan 2030 00:00:05 GMT', 5000],
    ['Mon, 31 Dec 2029 23:59:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
  ])('should read %j as %j ms', (header, ms) => {
    expect(parseRetryAfterMs(header, now)).toBe(ms);
  });
});

describe('classifyReply', () => {
  it('should treat 2xx as success and keep the body for partial-success parsing', () => {
    expect(classifyReply({ status: 200, statusMessage: 'OK', body: Buffer.from('{}') }, now)).toEqual({
      status: 'success',
      rejected: 0,
      body: Buffer.from('{}'),
    });
  });

  it.each([429, 502, 503, 504])('should retry %i, honouring Retry-After', (status) => {
    const response = classifyReply(
      { status, statusMessage: 'busy', retryAfter: '2', body: Buffer.alloc(0) },
      now,
    );
    expect(response).toMatchObject({ status: 'retryable', retryAfterMs: 2000 });
  });

  it.each([400, 401, 403, 404, 413, 415, 500])('should not retry %i and say why', (status) => {
    const reply = { status, statusMessage: 'Bad Request', body: Buffer.from('bad span') };
    const response = classifyReply(reply, now);
    expect(response.status).toBe('failure');
    const error = (response as { error: OTLPExporterError }).error;
    expect([error instanceof OTLPExporterError, error.code, error.data]).toEqual([true, status, 'bad span']);
  });
});

describe('classifyReply for alert receivers', () => {
  it.each([408, 429, 500, 502, 503, 504, 599])('should retry %i', (status) => {
    const reply = { status, body: Buffer.from('try later') };
    expect(classifyReply(reply, now, isRetryableAlertStatus).status).toBe('retryable');
  });

  it.each([301, 400, 401, 404, 413])('should not retry %i and keep the reply in the message', (status) => {
    const reply = { status, body: Buffer.from(' bad alert ') };
    const response = classifyReply(reply, now, isRetryableAlertStatus);
    expect([response.status, (response as { error: Error }).error.message]).toEqual([
      'failure',
      `HTTP ${status}: bad alert`,
    ]);
  });
});

describe('classifyNetworkError', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'])(
    'should retry %s: the backend is down or restarting',
    (code) => {
      expect(classifyNetworkError(withCode(code)).status).toBe('retryable');
    },
  );

  it('should not retry other failures (TLS, protocol)', () => {
    expect(classifyNetworkError(withCode('CERT_HAS_EXPIRED')).status).toBe('failure');
    expect(classifyNetworkError('weird').status).toBe('failure');
  });
});
