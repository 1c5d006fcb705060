import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTracesJson } from '../../../../agent/collector/receiver/json-trace-decoder.ts';
import {
  countDataPointsJson,
  countDataPointsProtobuf,
} from '../../../../agent/collector/receiver/metrics-decoder.ts';
import { decodeTracesWire } from '../../../../agent/collector/receiver/wire-trace-decoder.ts';
import { mulberry32 } from '../../../helpers/random.ts';
import { metricsJson, metricsProtobuf, sampleMetrics } from './metrics-fixtures.ts';
import { httpBatch, jsonPayload, protobufPayload, rawRequest } from './otlp-fixtures.ts';
import { decodeTracesProtobufjs } from './protobufjs-trace-decoder.ts';
import { JSON_TYPE, PROTOBUF, post, startTestReceiver } from './receiver-harness.ts';

const T = 1_700_000_000_000;
const JSON_TOKENS = ['{', '}', '[', ']', '"', ':', ',', 'null', '-1', '1e400', '"x"', 'true', '0', ' '];

/** Mutations of valid payloads and plain noise, drawn from a seeded PRNG (same inputs every run). */
class Mutator {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  int(below: number): number {
    return Math.floor(this.#next() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  noise(maxLength: number): Buffer {
    return Buffer.from(Array.from({ length: this.int(maxLength + 1) }, () => this.int(256)));
  }

  /** Flips, truncates, inserts, duplicates or overwrites with 0xff runs (endless varints). */
  binary(valid: Uint8Array): Buffer {
    const bytes = Buffer.from(valid);
    const at = this.int(bytes.length);
    switch (this.int(5)) {
      case 0:
        for (let i = 0; i <= this.int(8); i++) bytes[this.int(bytes.length)] = this.int(256);
        return bytes;
      case 1:
        return bytes.subarray(0, at);
      case 2:
        return Buffer.concat([bytes.subarray(0, at), this.noise(16), bytes.subarray(at)]);
      case 3:
        return Buffer.concat([bytes.subarray(0, at), bytes.subarray(this.int(at + 1)), bytes.subarray(at)]);
      default:
        return Buffer.concat([
          bytes.subarray(0, at),
          Buffer.alloc(1 + this.int(12), 0xff),
          bytes.subarray(at),
        ]);
    }
  }

  /** Replaces characters with JSON tokens, truncates, or nests deeply. */
  json(valid: Uint8Array): Buffer {
    const text = Buffer.from(valid).toString('utf8');
    const at = this.int(text.length);
    switch (this.int(3)) {
      case 0: {
        let mutated = text;
        for (let i = 0; i <= this.int(6); i++) {
          const where = this.int(mutated.length);
          mutated = mutated.slice(0, where) + this.pick(JSON_TOKENS) + mutated.slice(where + this.int(3));
        }
        return Buffer.from(mutated);
      }
      case 1:
        return Buffer.from(text.slice(0, at));
      default:
        return Buffer.from(`${text.slice(0, at)}${'['.repeat(this.int(5000))}${text.slice(at)}`);
    }
  }
}

const traceProtobuf = [
  protobufPayload(httpBatch(5, T)),
  rawRequest([
    { service: 's', spans: [{ startMs: T - 5, endMs: T, attributes: { 'headroom.budget.context': 'x' } }] },
  ]),
];
const traceJson = [jsonPayload(httpBatch(5, T))];

describe('receiver fuzzing', () => {
  it('should decode 15 000 mutated and random payloads without throwing', async () => {
    const metrics = await sampleMetrics();
    const metricBodies = { protobuf: metricsProtobuf(metrics), json: metricsJson(metrics) };
    const mutate = new Mutator(1);
    const failures: string[] = [];
    let disagreements = 0;
    for (let i = 0; i < 2500; i++) {
      const traces = mutate.binary(mutate.pick(traceProtobuf));
      const noise = mutate.noise(300);
      const wire = decodeTracesWire(traces);
      const reference = decodeTracesProtobufjs(traces);
      // Where both decoders accept a mutation they must read the same spans.
      if (wire.ok && reference.ok && !isDeepStrictEqual(wire.value, reference.value)) disagreements++;
      for (const result of [
        wire,
        decodeTracesWire(noise),
        decodeTracesJson(mutate.json(mutate.pick(traceJson))),
        decodeTracesJson(noise),
        countDataPointsProtobuf(mutate.binary(metricBodies.protobuf)),
        countDataPointsJson(mutate.json(metricBodies.json)),
      ]) {
        if (typeof result.ok !== 'boolean' || (!result.ok && result.reason === ''))
          failures.push(String(result));
      }
    }
    expect(failures).toEqual([]);
    expect(disagreements).toBe(0);
  });

  describe('over HTTP', () => {
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 8 });
    let harness: Awaited<ReturnType<typeof startTestReceiver>>;

    beforeAll(async () => {
      harness = await startTestReceiver({ receiver: { maxBodySize: '1MiB' } });
    });
    afterAll(async () => {
      agent.destroy();
      await harness.receiver.close();
    });

    function sendOn(contentType: string, body: Buffer): Promise<number> {
      return new Promise((resolve, reject) => {
        const request = httpRequest(new URL('/v1/traces', harness.receiver.url), {
          method: 'POST',
          headers: { 'content-type': contentType },
          agent,
        });
        request.on('error', reject);
        request.on('response', (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        request.end(body);
      });
    }

    it('should answer 3 000 mutated and random requests with 200 or 400, then still serve a valid one', async () => {
      const mutate = new Mutator(2);
      const statuses = new Map<number, number>();
      for (let batch = 0; batch < 375; batch++) {
        const requests = Array.from({ length: 8 }, (_, i) => {
          if (i % 4 === 0) return sendOn(PROTOBUF, mutate.noise(400));
          if (i % 4 === 1) return sendOn(JSON_TYPE, mutate.json(mutate.pick(traceJson)));
          return sendOn(PROTOBUF, mutate.binary(mutate.pick(traceProtobuf)));
        });
        for (const status of await Promise.all(requests))
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      expect([...statuses.keys()].sort()).toEqual([200, 400]);
      const { receiver, clock } = harness;
      const valid = await post(receiver.url, PROTOBUF, protobufPayload(httpBatch(3, clock.now())));
      expect(valid.status).toBe(200);
      expect(receiver.stats()).toMatchObject({
        requests: 3001,
        inFlight: 0,
        refused: { bad_request: statuses.get(400) },
      });
    });
  });
});
