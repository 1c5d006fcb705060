/**
 * `criticality.trustedPeers`: the addresses whose incoming baggage may set a request's class as it
 * is (from anyone else it can only lower it). Each entry is an IPv4 or IPv6 address (`10.0.0.7`,
 * `::1`, `::ffff:10.0.0.7`) or a CIDR block (`10.0.0.0/8`, `fd00::/8`); they are matched with
 * node:net's `BlockList`, which also matches an IPv4-mapped IPv6 peer (`::ffff:10.1.2.3`, what a
 * dual-stack server reports for an IPv4 client) against IPv4 entries and the reverse.
 */
import type { BlockList } from 'node:net';

/** One parsed entry. */
interface TrustedPeer {
  readonly address: string;
  /** CIDR prefix length; `undefined` for a single address. */
  readonly prefix: number | undefined;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * node:net, loaded only when trustedPeers lists something: an embedded import must not load it
 * (test/architecture/embedded-import.test.ts), and a service that trusts nobody never needs it.
 */
function net(): typeof import('node:net') {
  return process.getBuiltinModule('node:net');
}

/** The entry parsed, or why it is not an address or CIDR block. */
function parsePeer(entry: string): TrustedPeer | string {
  const [address = '', prefixText, ...rest] = entry.trim().split('/');
  const version = net().isIP(address);
  if (version === 0 || rest.length > 0) return 'is not an IP address or CIDR block';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, prefix: undefined, family };
  const maxPrefix = version === 4 ? 32 : 128;
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix <= maxPrefix)) return `has a prefix length that is not 0..${maxPrefix}`;
  return { address, prefix, family };
}

/** Adds one parsed entry to `list` (node:net takes whatever `isIP` accepted, zone ids included). */
function add(list: BlockList, peer: TrustedPeer): void {
  if (peer.prefix === undefined) list.addAddress(peer.address, peer.family);
  else list.addSubnet(peer.address, peer.prefix, peer.family);
}

/**
 * Why each invalid entry of `entries` is refused, as `[index, message]` pairs naming the entry
 * (`"10.0.0.0/33" has a prefix length that is not 0..32`); empty when all are valid.
 */
export function trustedPeerProblems(entries: readonly string[]): [number, string][] {
  const problems: [number, string][] = [];
  entries.forEach((entry, index) => {
    const problem = parsePeer(entry);
    if (typeof problem === 'string')
      problems.push([
        index,
        `${JSON.stringify(entry)} ${problem}; write an address (10.0.0.7, ::1) or a CIDR block (10.0.0.0/8, fd00::/8)`,
      ]);
  });
  return problems;
}

/** Matches a peer's address against `criticality.trustedPeers`. */
export interface TrustedPeers {
  /** Whether `address` (a socket's `remoteAddress`, IPv4, IPv6 or IPv4-mapped) is trusted; false for `undefined`. */
  trusts(address: string | undefined): boolean;
}

const TRUSTS_NOBODY: TrustedPeers = Object.freeze({ trusts: () => false });

/**
 * The matcher of validated `entries` (the config validated them: an entry that is still invalid is
 * skipped). Trusts nobody when `entries` is empty, without loading node:net.
 */
export function trustedPeers(entries: readonly string[]): TrustedPeers {
  if (entries.length === 0) return TRUSTS_NOBODY;
  const { BlockList, isIP } = net();
  const list = new BlockList();
  for (const entry of entries) {
    const peer = parsePeer(entry);
    if (typeof peer !== 'string') add(list, peer);
  }
  return {
    trusts(address) {
      if (typeof address !== 'string') return false;
      const version = isIP(address);
      return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
