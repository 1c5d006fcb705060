// The Prometheus exporter as the tests start it: defaults on loopback, an ephemeral port, shut down after each test.
import { afterEach } from 'vitest';
import { type PrometheusExporterHandle, startPrometheusExporter } from '../../exporters/prometheus/index.ts';
import { configOf } from './agent.ts';

/** The resolved `exporters.prometheus` section: the defaults (127.0.0.1, /metrics, 2000 series, 32 MiB, ...), port 0. */
export function prometheusConfig() {
  return configOf({ exporters: { prometheus: { port: 0 } } }).exporters.prometheus;
}

/**
 * Registers an afterEach that shuts down every exporter started through the returned function
 * (which resolves with the handle, listening or not).
 */
export function prometheusExporters(): (
  options: Parameters<typeof startPrometheusExporter>[0],
) => Promise<PrometheusExporterHandle> {
  const handles: PrometheusExporterHandle[] = [];
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((handle) => handle.shutdown()));
  });
  return async (options) => {
    const handle = await startPrometheusExporter(options);
    handles.push(handle);
    return handle;
  };
}

/** `handle`, after checking that it listens (throws with its error otherwise). */
export function listening(
  handle: PrometheusExporterHandle,
): Extract<PrometheusExporterHandle, { listening: true }> {
  if (!handle.listening) throw new Error(`not listening: ${handle.error}`);
  return handle;
}
