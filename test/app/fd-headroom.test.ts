/**
 * Decision streams cannot starve ingestion (issue 9, fault 8): `headroom agent` under `ulimit -n
 * 256` derives its stream cap from the limit; streams past it get a 429 while the receiver keeps
 * accepting spans.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStream } from '../collector/api/setup.ts';
import { protobufPayload, spansOf } from '../collector/receiver/otlp-fixtures.ts';
import { PROTOBUF, post } from '../collector/receiver/receiver-harness.ts';
import { apiUrl, killCollectors, receiverUrl, startCollectorProcess } from '../helpers/collector-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'headroom-fds-'));
const streams: Awaited<ReturnType<typeof openStream>>[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) await stream.close();
  await killCollectors();
});

const TOKEN = 'reader-token-0123456789';

describe('headroom agent under ulimit -n 256', () => {
  it('should cap decision streams from the descriptor limit and keep receiving spans', async () => {
    const file = join(dir, 'fds.yaml');
    writeFileSync(
      file,
      'receiver: { port: 0, grpc: { port: 0 } }\nexporters: { prometheus: { port: 0 } }\n' +
        `api:\n  port: 0\n  maxStreamsPerToken: 1000\n  tokens: [{ name: reader, token: ${TOKEN}, scopes: [read] }]\n`,
    );
    const agent = startCollectorProcess([file], {}, { fdLimit: 256 });
    const streamUrl = `${await apiUrl(agent)}/api/v1/decisions/stream`;
    const fds = await agent.waitFor((r) => r.msg.startsWith('file descriptors'), 'descriptor budget');
    expect(fds.msg).toBe(
      'file descriptors: limit 256; receiver up to 144 connections, decision API up to 48 connections (32 streams)',
    );
    const headers = { authorization: `Bearer ${TOKEN}` };
    for (let i = 0; i < 32; i++) streams.push(await openStream(streamUrl, headers));
    expect(streams.map((stream) => stream.response.status)).toEqual(new Array(32).fill(200));

    const refused = await fetch(streamUrl, { headers });
    expect([refused.status, refused.headers.get('retry-after'), await refused.json()]).toEqual([
      429,
      '5',
      {
        error: {
          code: 'too_many_streams',
          message: 'too many open streams (32, api.maxStreams); retry later',
        },
      },
    ]);

    const receiver = await receiverUrl(agent);
    const nowMs = Date.now();
    const body = protobufPayload(spansOf({}, [{ name: 'op', startMs: nowMs - 20, endMs: nowMs - 1 }]));
    const replies = await Promise.all(Array.from({ length: 50 }, () => post(receiver, PROTOBUF, body)));
    expect(replies.map((reply) => reply.status)).toEqual(new Array(50).fill(200));
  });
});
