import { connect, type Socket } from 'node:net';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { EXPOSITION_CONTENT_TYPE } from '../../../exporters/prometheus/index.ts';
import { recordMany, testAgent } from '../../helpers/agent.ts';
import { listening, prometheusConfig, prometheusExporters } from '../../helpers/prometheus-exporter.ts';

const config = prometheusConfig();
const started = prometheusExporters();

describe('startPrometheusExporter', () => {
  it('should serve the exposition on the port picked for port 0 at the configured path', async () => {
    const { agent, clock } = testAgent({ service: { name: 'svc' } });
    recordMany(agent, clock, { service: 'svc', operation: 'checkout', context: 'emergency' }, 40, 3);
    const resource = resourceFromAttributes({ 'service.name': 'svc' });
    const handle = listening(await started({ agent, config: { ...config, path: '/custom' }, resource }));
    expect(handle.port).toBeGreaterThan(0);
    expect(handle.url).toBe(`http://127.0.0.1:${handle.port}/custom`);
    const response = await fetch(handle.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(EXPOSITION_CONTENT_TYPE);
    const text = await response.text();
    expect(text.split('\n').slice(0, 3)).toEqual([
      '# HELP target_info Target metadata',
      '# TYPE target_info gauge',
      'target_info{service_name="svc"} 1',
    ]);
    expect(text).toContain(
      'headroom_operations_total{service="svc",operation="checkout",context="emergency"} 3\n',
    );
    expect(text).not.toContain('otel_scope_name');
  });

  it('should answer 404 on any other path', async () => {
    const { agent } = testAgent();
    const handle = listening(await started({ agent, config }));
    const response = await fetch(`http://127.0.0.1:${handle.port}/other`);
    expect(response.status).toBe(404);
  });

  it('should report a port already in use in the handle instead of throwing', async () => {
    const { agent } = testAgent();
    const first = listening(await started({ agent, config }));
    const second = await started({ agent, config: { ...config, port: first.port } });
    expect(second.listening).toBe(false);
    expect(!second.listening && (second.error as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    await expect(second.shutdown()).resolves.toBeUndefined();
    expect((await fetch(first.url)).status).toBe(200);
  });

  it('should release the port on shutdown, and a second shutdown should be a no-op', async () => {
    const { agent } = testAgent();
    const handle = listening(await started({ agent, config }));
    await handle.shutdown();
    await handle.shutdown();
    await expect(fetch(handle.url)).rejects.toThrow();
    const again = listening(await started({ agent, config: { ...config, port: handle.port } }));
    expect(again.port).toBe(handle.port);
  });

  it('should start nothing when disabled', async () => {
    const { agent } = testAgent();
    const handle = await started({ agent, config: { ...config, enabled: false } });
    expect(handle).toEqual({ listening: false, error: undefined, shutdown: expect.any(Function) });
  });
});

/** A raw connection that sent a request line and one header, then nothing: what a slow client holds. */
function slowClient(port: number): Promise<{ socket: Socket; reply: Promise<string> }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk;
      });
      socket.on('error', () => {});
      const reply = new Promise<string>((done) => socket.on('close', () => done(received)));
      resolve({ socket, reply });
    });
  });
}

describe('the Prometheus endpoint under slow or many clients', () => {
  it('should hold at most maxConnections connections, close further ones at once, and serve again once they leave', async () => {
    const { agent } = testAgent();
    const handle = listening(await started({ agent, config: { ...config, maxConnections: 3 } }));
    const held = await Promise.all([1, 2, 3].map(() => slowClient(handle.port)));
    // The server counts a connection when it accepts it: wait until all three are counted.
    const extra = await slowClient(handle.port);
    expect(await extra.reply).toBe('');
    for (const client of held) client.socket.destroy();
    await Promise.all(held.map((client) => client.reply));
    const response = await fetch(handle.url);
    expect(response.status).toBe(200);
    await response.text();
  });

  it('should answer 408 and close a connection whose headers are not complete within headersTimeout', async () => {
    const { agent } = testAgent();
    const handle = listening(await started({ agent, config: { ...config, headersTimeoutMs: 1000 } }));
    const startedMs = performance.now();
    const client = await slowClient(handle.port);
    const reply = await client.reply;
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(performance.now() - startedMs).toBeLessThan(1000 + 1000);
  });
});
