import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import { runNode } from '../../helpers/child-process.ts';
import { protobufPayload, spansOf } from './otlp-fixtures.ts';
import { PROTOBUF, startTestReceiver, type TestResponse } from './receiver-harness.ts';

const open: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

/** Sends with `Expect: 100-continue` and writes the body only once the server says continue. */
function sendExpectingContinue(url: string, body: Uint8Array) {
  let continued = false;
  const response = new Promise<TestResponse>((resolve, reject) => {
    const request = httpRequest(new URL('/v1/traces', url), {
      method: 'POST',
      headers: { 'content-type': PROTOBUF, 'content-length': String(body.length), expect: '100-continue' },
      agent: false,
    });
    request.on('continue', () => {
      continued = true;
      request.end(body);
    });
    request.on('error', reject);
    request.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        if (!continued) request.destroy(); // refused before the body: nothing more to send
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) });
      });
    });
    request.flushHeaders();
  });
  return { response, continued: () => continued };
}

describe('OTLP/HTTP receiver lifecycle', () => {
  it('should ask for the body of an Expect: 100-continue request only once it is admitted', async () => {
    let heapBytes = 0;
    const started = await startTestReceiver({}, { heapUsedBytes: () => heapBytes });
    open.push(started.receiver);
    const now = started.clock.now();
    const body = protobufPayload(
      spansOf({}, [
        { name: 'op', startMs: now - 5, endMs: now, attributes: { 'headroom.budget.context': 'routine' } },
      ]),
    );
    const admitted = sendExpectingContinue(started.receiver.url, body);
    expect([(await admitted.response).status, admitted.continued()]).toEqual([200, true]);
    heapBytes = 1024 ** 4;
    const refused = sendExpectingContinue(started.receiver.url, body);
    expect([(await refused.response).status, refused.continued()]).toEqual([503, false]);
  });

  it('should let its process exit on its own after close, even with a request held open', async () => {
    const fixture = join(import.meta.dirname, 'exit-after-close.fixture.ts');
    const { code, stdout } = await runNode([fixture], { inheritStderr: true });
    expect(code).toBe(0);
    // Exit code 0 (not the SIGKILL at the killer's deadline) is the proof that nothing held the process.
    expect(JSON.parse(stdout)).toMatchObject({ requests: 2, inFlight: 0 });
  });
});
