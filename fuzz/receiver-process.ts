// The fuzzer's HTTP target, run as a child process: a real collector (`Collector.start`, as
// `headroom agent` runs it) with the fuzz configuration, on free ports of 127.0.0.1. It reports its
// URLs once listening and, when asked, its memory (current and peak RSS) over the IPC channel; an
// uncaught exception ends it, which the fuzzer counts as a crash.
//   node fuzz/receiver-process.ts <config-file>
import { Collector } from '../app/collector.ts';
import { createJsonLogger } from '../app/logging.ts';

/** Messages the child sends. */
export type ReceiverMessage =
  | { readonly type: 'ready'; readonly receiverUrl: string; readonly metricsUrl: string | undefined }
  | { readonly type: 'memory'; readonly rssBytes: number; readonly peakRssBytes: number };

const send = (message: ReceiverMessage) => process.send?.(message);

const configFile = process.argv[2];
if (configFile !== undefined && process.send !== undefined) {
  // Errors only (to stderr): the fuzzer's own report says what each case came to.
  const { logger } = createJsonLogger({ env: { OTEL_LOG_LEVEL: 'error' } });
  const collector = await Collector.start({ files: [configFile], env: {}, logger });
  const metricsUrl = collector.prometheus?.listening ? collector.prometheus.url : undefined;
  send({ type: 'ready', receiverUrl: collector.receiver.url, metricsUrl });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'memory')
      send({
        type: 'memory',
        rssBytes: process.memoryUsage.rss(),
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
      });
    else if (message.type === 'stop') void collector.shutdown(2000).then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
}
