/**
 * The configuration both targets run with: the schema's defaults (so `receiver.maxMemory` is the
 * shipped one) except a 1 MiB body limit, which keeps a case's extremes cheap while every limit
 * path (413 on the wire, after decompression, gzip bombs) is reached as it would be at 4 MiB.
 */
import { stringify } from 'yaml';
import { parseConfig, type ResolvedConfig } from '../config/index.ts';

/** The config file text: receiver (HTTP and gRPC), Prometheus endpoint on free ports, no decision API. */
export const FUZZ_CONFIG_YAML = stringify({
  // The gRPC listener on a free port too: its default, 4317, may be taken (another collector, a test).
  receiver: { host: '127.0.0.1', port: 0, maxBodySize: '1MiB', grpc: { port: 0 } },
  api: { enabled: false },
  exporters: { prometheus: { enabled: true, host: '127.0.0.1', port: 0 } },
  // Every server span is judged, so decoded spans reach windows, series caps and the exposition.
  rules: [{ match: { kind: 'server' }, context: 'routine' }],
});

/** The same configuration, resolved. */
export function fuzzConfig(): ResolvedConfig {
  return parseConfig([{ file: 'fuzz.yaml', text: FUZZ_CONFIG_YAML }], {});
}
