import { describe, expect, it } from 'vitest';
import { judge } from '../../fuzz/judge.ts';

const JSON_TYPE = { 'content-type': 'application/json' };
const reason = (message: string) => Buffer.from(JSON.stringify({ code: 3, message }));
// google.rpc.Status { code: 3, message: "bad" } in protobuf
const PROTOBUF_STATUS = Buffer.from([0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]);

describe("the fuzzer's judge", () => {
  it.each([
    [
      'the predicted status',
      { statuses: [400], problems: [] },
      { status: 400, headers: JSON_TYPE, body: reason('bad') },
      undefined,
    ],
    [
      'a success',
      { statuses: [200], problems: [] },
      { status: 200, headers: JSON_TYPE, body: Buffer.from('{}') },
      undefined,
    ],
    [
      'a refusal with a protobuf Status',
      { statuses: [413], problems: [] },
      { status: 413, headers: { 'content-type': 'application/x-protobuf' }, body: PROTOBUF_STATUS },
      undefined,
    ],
    [
      'overload with Retry-After',
      { statuses: [200], problems: [] },
      { status: 429, headers: { ...JSON_TYPE, 'retry-after': '1' }, body: reason('busy') },
      undefined,
    ],
    [
      'overload without Retry-After',
      { statuses: [200], problems: [] },
      { status: 503, headers: JSON_TYPE, body: reason('busy') },
      'expected 200, got 503: busy',
    ],
    [
      'a 500',
      { statuses: [400], problems: [] },
      { status: 500, headers: JSON_TYPE, body: reason('internal') },
      'expected 400, got 500: internal',
    ],
    [
      'a 500 where the in-process run threw',
      { statuses: [], problems: ['threw'] },
      { status: 500, headers: JSON_TYPE, body: reason('x') },
      'expected a status below 500, got 500: x',
    ],
    [
      'another status',
      { statuses: [400, 413], problems: [] },
      { status: 200, headers: JSON_TYPE, body: Buffer.from('{}') },
      'expected 400 or 413, got 200',
    ],
    [
      'a refusal without a reason',
      { statuses: [415], problems: [] },
      { status: 415, headers: JSON_TYPE, body: reason('') },
      '415 without a reason (content type application/json)',
    ],
    ['no answer', { statuses: [200], problems: [] }, { error: 'ECONNRESET' }, 'no answer: ECONNRESET'],
  ])('should judge %s', (_, prediction, outcome, verdict) => {
    expect(judge(prediction, outcome)).toBe(verdict);
  });
});
