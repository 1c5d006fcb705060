import { describe, expect, it } from 'vitest';
import { parseConfig, trustedPeers } from '../../config/index.ts';
import { ConfigInvalidError } from '../../errors.ts';

function parse(peers: readonly string[]) {
  const text = [
    'criticality:',
    '  trustedPeers:',
    ...peers.map((peer) => `    - ${JSON.stringify(peer)}`),
  ].join('\n');
  return parseConfig([{ file: 'peers.yaml', text }], {});
}

function issuesOf(peers: readonly string[]) {
  try {
    parse(peers);
  } catch (error) {
    if (error instanceof ConfigInvalidError)
      return error.issues.map(({ path, line, message }) => ({ path, line, message }));
    throw error;
  }
  return [];
}

const HOW = 'write an address (10.0.0.7, ::1) or a CIDR block (10.0.0.0/8, fd00::/8)';

describe('config: criticality.trustedPeers', () => {
  it('should accept IPv4, IPv6 and IPv4-mapped addresses and CIDR blocks at every prefix edge', () => {
    const peers = [
      '10.0.0.7',
      '10.0.0.0/8',
      '0.0.0.0/0',
      '192.168.1.1/32',
      '::1',
      '::/0',
      'fd00::/8',
      '2001:db8::1/128',
      '::ffff:10.0.0.1',
      '::ffff:10.0.0.0/104',
    ];
    expect(parse(peers).criticality.trustedPeers).toEqual(peers);
  });

  it('should refuse every entry that is not an address or CIDR block, naming the entry and its place', () => {
    const prefix = (bits: number) => `has a prefix length that is not 0..${bits}`;
    const notAnAddress = 'is not an IP address or CIDR block';
    /** Each bad entry and why, in the order written after one good entry (line 3). */
    const bad: readonly (readonly [entry: string, why: string])[] = [
      ['10.0.0.0/33', prefix(32)],
      ['::1/129', prefix(128)],
      ['zz', notAnAddress],
      ['10.0.0.256', notAnAddress],
      ['10.0.0.1/8/2', notAnAddress],
      ['10.0.0.1/', prefix(32)],
      ['10.0.0.0/-1', prefix(32)],
      ['10.0.0.0/8.5', prefix(32)],
      ['localhost', notAnAddress],
      ['10.1', notAnAddress],
    ];
    expect(issuesOf(['10.0.0.0/8', ...bad.map(([entry]) => entry)])).toEqual(
      bad.map(([entry, why], i) => ({
        path: `criticality.trustedPeers[${i + 1}]`,
        line: i + 4,
        message: `${JSON.stringify(entry)} ${why}; ${HOW}`,
      })),
    );
  });
});

describe('trustedPeers: matching a peer address', () => {
  const peers = trustedPeers(['10.0.0.0/8', '192.168.1.5', '::1', 'fd00::/8', '::ffff:172.16.0.9']);

  it.each([
    ['10.0.0.0', true],
    ['10.255.255.255', true],
    ['9.255.255.255', false],
    ['11.0.0.0', false],
    ['::ffff:10.1.2.3', true],
    ['::ffff:11.1.2.3', false],
    ['192.168.1.5', true],
    ['192.168.1.6', false],
    ['::ffff:192.168.1.5', true],
    ['::1', true],
    ['::2', false],
    ['fd12:3456::1', true],
    ['fe80::1', false],
    ['172.16.0.9', true],
    ['::ffff:172.16.0.9', true],
    ['127.0.0.1', false],
  ])('should answer %s: %s', (address, trusted) => {
    expect(peers.trusts(address)).toBe(trusted);
  });

  it('should trust no unknown, empty or malformed address, and nobody when the list is empty', () => {
    for (const address of [undefined, '', 'garbage', '10.0.0.1:80', ' 10.0.0.1'])
      expect(peers.trusts(address)).toBe(false);
    for (const address of ['10.0.0.1', '::1', '::ffff:10.0.0.1'])
      expect(trustedPeers([]).trusts(address)).toBe(false);
  });

  it('should skip an entry that is not an address (the config refuses it; a direct caller is not thrown at)', () => {
    const peers = trustedPeers(['garbage', '10.0.0.0/33', '10.0.0.0/8']);
    expect([peers.trusts('10.1.1.1'), peers.trusts('11.1.1.1')]).toEqual([true, false]);
  });
});
