import { describe, expect, it } from 'vitest';
import { type SseMessage, SseParser } from '../../../instrumentation/remote/sse-parser.ts';

function parse(chunks: readonly string[]) {
  const events: SseMessage[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = new SseParser({
    onEvent: (e) => events.push(e),
    onComment: (c) => comments.push(c),
    onRetry: (ms) => retries.push(ms),
  });
  for (const chunk of chunks) parser.push(chunk);
  return { events, comments, retries, parser };
}

describe('SseParser', () => {
  it('should join multi-line data with LF and default the event type to message', () => {
    expect(parse(['data: first\ndata: second\n\n']).events).toEqual([
      { event: 'message', data: 'first\nsecond', id: '' },
    ]);
  });

  it('should read event, id and data, and keep the id for later events while the type resets', () => {
    const { events } = parse(['event: decision\nid: checkout:3\ndata: {"a":1}\n\ndata: x\n\n']);
    expect(events).toEqual([
      { event: 'decision', data: '{"a":1}', id: 'checkout:3' },
      { event: 'message', data: 'x', id: 'checkout:3' },
    ]);
  });

  it('should treat CRLF, CR and LF alike, also when a CRLF is split across chunks', () => {
    const { events } = parse(['data: a\r\ndata: b\rdata: c\r', '\n\r', '\n']);
    expect(events).toEqual([{ event: 'message', data: 'a\nb\nc', id: '' }]);
  });

  it('should reassemble fields split anywhere across chunks', () => {
    const text = 'event: state\nid: s:1\ndata: {"level":"NONE"}\n\n';
    const { events } = parse(text.split(''));
    expect(events).toEqual([{ event: 'state', data: '{"level":"NONE"}', id: 's:1' }]);
  });

  it('should report comments and never dispatch them', () => {
    const { events, comments } = parse([': keepalive\n\n:no space\n\n']);
    expect([events, comments]).toEqual([[], ['keepalive', 'no space']]);
  });

  it('should strip exactly one space after the colon, and none when there is none', () => {
    const { events } = parse(['data:x\n\ndata:  two\n\n']);
    expect(events.map((e) => e.data)).toEqual(['x', ' two']);
  });

  it('should dispatch an empty data line as an empty string, but not an event without data', () => {
    const { events } = parse(['event: nothing\n\ndata\n\n']);
    expect(events).toEqual([{ event: 'message', data: '', id: '' }]);
  });

  it('should ignore an id holding NUL, unknown fields and a non-numeric retry', () => {
    const { events, retries } = parse([
      'id: good\n\nid: b\u0000d\nfoo: bar\nretry: 1s\nretry: 250\ndata: x\n\n',
    ]);
    expect(events).toEqual([{ event: 'message', data: 'x', id: 'good' }]);
    expect(retries).toEqual([250]);
  });

  it('should strip a leading byte order mark', () => {
    expect(parse(['\uFEFFdata: x\n\n']).events).toEqual([{ event: 'message', data: 'x', id: '' }]);
  });

  it('should discard an unterminated event on reset and keep the last event id', () => {
    const { events, parser } = parse(['id: s:1\ndata: done\n\nid: s:2\ndata: half']);
    parser.reset();
    parser.push('data: after\n\n');
    expect(events.map((e) => [e.data, e.id])).toEqual([
      ['done', 's:1'],
      ['after', 's:2'],
    ]);
    expect(parser.lastEventId).toBe('s:2');
  });
});
