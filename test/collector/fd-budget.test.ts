import { describe, expect, it } from 'vitest';
import { fdBudget, parseFdLimit } from '../../collector/fd-budget.ts';

const LIMITS = (soft: string, hard = '4096') =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     `,
    'Max locked memory         8388608              8388608              bytes     ',
  ].join('\n');

describe('parseFdLimit', () => {
  it.each([
    ['1024', 1024],
    ['20000', 20000],
    ['unlimited', undefined],
    ['0', undefined],
  ])('should read the soft limit %s as %s', (soft, expected) => {
    expect(parseFdLimit(LIMITS(soft))).toBe(expected);
  });

  it('should give undefined for text without the line', () => {
    expect(parseFdLimit('Max processes 1 1 processes\n')).toBeUndefined();
  });
});

describe('fdBudget', () => {
  it.each([
    // limit, receiver connections, API connections, streams: 10 % (at least 64) reserved, a quarter of the rest to the API.
    [1024, 691, 230, 214],
    [256, 144, 48, 32],
    [20_000, 13_500, 4500, 4484],
    [64, 1, 17, 1],
  ])(
    'should split %i descriptors: receiver %i, API %i (%i streams), within the limit',
    (limit, receiver, api, streams) => {
      const budget = fdBudget(limit);
      expect(budget).toEqual({ fdLimit: limit, receiverConnections: receiver, apiConnections: api, streams });
      if (limit > 64) expect(receiver + api).toBeLessThanOrEqual(limit - 64);
    },
  );

  it('should keep the fixed stream cap and no connection limits when the limit is unknown', () => {
    expect(fdBudget(undefined)).toEqual({
      fdLimit: undefined,
      receiverConnections: undefined,
      apiConnections: undefined,
      streams: 1000,
    });
  });

  it('should let configured values win, with room for ordinary API requests beside the streams', () => {
    expect(fdBudget(1024, { receiverConnections: 50, streams: 10 })).toEqual({
      fdLimit: 1024,
      receiverConnections: 50,
      apiConnections: 26,
      streams: 10,
    });
    expect(fdBudget(undefined, { streams: 10 })).toMatchObject({ apiConnections: 26, streams: 10 });
  });
});
