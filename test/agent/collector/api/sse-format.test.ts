import { describe, expect, it } from 'vitest';
import {
  decisionEventId,
  formatSseComment,
  formatSseEvent,
  parseDecisionEventId,
} from '../../../../agent/collector/api/sse-format.ts';

describe('formatSseEvent', () => {
  it('should write event, id and one data line per line of the payload', () => {
    expect(formatSseEvent({ event: 'decision', id: 'checkout:3', data: '{"a":1}\nsecond\r\nthird' })).toBe(
      'event: decision\nid: checkout:3\ndata: {"a":1}\ndata: second\ndata: third\n\n',
    );
  });

  it('should drop an id or event name the format cannot carry rather than break the stream', () => {
    expect(formatSseEvent({ event: 'a\nb', id: 'svc\n:1', data: 'x' })).toBe('data: x\n\n');
    expect(formatSseEvent({ id: 'svc\u0000:1', data: '' })).toBe('data: \n\n');
  });

  it('should keep a comment on one line', () => {
    expect(formatSseComment('keep\nalive')).toBe(': keep alive\n\n');
  });
});

describe('parseDecisionEventId', () => {
  it.each([
    ['checkout:3', { service: 'checkout', seq: 3 }],
    ['checkout:0', { service: 'checkout', seq: 0 }],
    ['team:checkout:12', { service: 'team:checkout', seq: 12 }],
  ])('should read %s', (id, expected) => {
    expect(parseDecisionEventId(id)).toEqual(expected);
    expect(decisionEventId(expected.service, expected.seq)).toBe(id);
  });

  it.each([
    undefined,
    '',
    'checkout',
    'checkout:',
    ':3',
    'checkout:-1',
    'checkout:1.5',
    'checkout:1e3',
    `checkout:${'9'.repeat(20)}`,
  ])('should ignore %j', (id) => {
    expect(parseDecisionEventId(id)).toBeUndefined();
  });
});
