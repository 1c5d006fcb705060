import { describe, expect, it } from 'vitest';
import { decisionEventId, parseDecisionEventId } from '../../../collector/api/sse-format.ts';
import { formatSseComment, formatSseEvent } from '../../../view/sse-format.ts';

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
    ['checkout:3', { namespace: '', service: 'checkout', seq: 3 }],
    ['checkout:0', { namespace: '', service: 'checkout', seq: 0 }],
    ['payments/checkout:12', { namespace: 'payments', service: 'checkout', seq: 12 }],
    ['team%3Acheckout:12', { namespace: '', service: 'team:checkout', seq: 12 }],
    ['a%2Fb/c%2Fd:1', { namespace: 'a/b', service: 'c/d', seq: 1 }],
    ['%C3%A9quipe/caf%C3%A9:2', { namespace: 'équipe', service: 'café', seq: 2 }],
  ])('should read %s and write it back', (id, expected) => {
    expect(parseDecisionEventId(id)).toEqual(expected);
    expect(decisionEventId(expected, expected.seq)).toBe(id);
  });

  it.each([
    [
      { namespace: '', service: 'lone\ud800' },
      'lone%EF%BF%BD:4',
      { namespace: '', service: 'lone\ufffd', seq: 4 },
    ],
    [
      { namespace: '\udc00x', service: 'y' },
      '%EF%BF%BDx/y:4',
      { namespace: '\ufffdx', service: 'y', seq: 4 },
    ],
  ])(
    'should write the id of a name that is not well-formed UTF-16 with U+FFFD, never throw',
    (id, written, read) => {
      expect(decisionEventId(id, 4)).toBe(written);
      expect(parseDecisionEventId(written)).toEqual(read);
    },
  );

  it('should read an unencoded colon in a name as older agents wrote it', () => {
    expect(parseDecisionEventId('team:checkout:12')).toEqual({
      namespace: '',
      service: 'team:checkout',
      seq: 12,
    });
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
    '/checkout:1',
    'payments/:1',
    'a/b/c:1',
    '%E0%A4%A/checkout:1',
  ])('should ignore %j', (id) => {
    expect(parseDecisionEventId(id)).toBeUndefined();
  });
});
