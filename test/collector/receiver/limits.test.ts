import { afterEach, describe, expect, it } from 'vitest';
import { connectDirectory } from '../../../collector/index.ts';
import { HeadroomMetricProducer, receiverMetrics } from '../../../exporters/metrics/index.ts';
import { exposition } from '../../../exporters/prometheus/index.ts';
import { jsonPayload, protobufPayload, rawRequest, spansOf } from './otlp-fixtures.ts';
import { JSON_TYPE, PROTOBUF, post, startTestReceiver, statusOf } from './receiver-harness.ts';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function receiver(input: Parameters<typeof startTestReceiver>[0] = {}) {
  const forwarded: Uint8Array[] = [];
  const started = await startTestReceiver(
    { limits: { services: 1000 }, ...input },
    {
      onTraces: (body) => {
        forwarded.push(body);
      },
    },
  );
  stop = () => started.receiver.close();
  return { ...started, forwarded };
}

const ok = { code: 0, message: '' };

describe('limits on received spans', () => {
  it('should accept spans with 4 MB names whole, keep their names cut to limits.nameLength and forward the request byte for byte', async () => {
    const { receiver: r, agent, clock, forwarded } = await receiver({ receiver: { maxBodySize: '32MiB' } });
    const now = clock.now();
    const names = Array.from({ length: 6 }, (_, i) => `${i}${'n'.repeat(4 * 1024 * 1024)}`);
    const payload = protobufPayload(
      spansOf(
        {},
        names.map((name) => ({
          name,
          startMs: now - 5,
          endMs: now,
          attributes: { 'headroom.budget.context': 'routine' },
        })),
      ),
    );

    const response = await post(r.url, PROTOBUF, payload);

    expect([response.status, statusOf(response)]).toEqual([200, ok]);
    expect(agent.registry.list().map((s) => s.operation)).toEqual(names.map((name) => name.slice(0, 256)));
    expect(agent.health().truncated.operation).toBe(6);
    expect(Buffer.from(forwarded[0] as Uint8Array).equals(Buffer.from(payload))).toBe(true);
    const text = await exposition(new HeadroomMetricProducer({ agent, maxSeries: 2000 }));
    expect(text.length).toBeLessThan(100_000);
  });

  it('should fold 100,000 distinct headroom.budget.context values into one overflow series per operation, acknowledging every span', async () => {
    const { receiver: r, agent, clock } = await receiver();
    const now = clock.now();
    for (let batch = 0; batch < 20; batch++) {
      const specs = Array.from({ length: 5000 }, (_, i) => ({
        name: 'checkout',
        startMs: now - 5,
        endMs: now,
        attributes: { 'headroom.budget.context': `ctx-${batch * 5000 + i}` },
      }));
      const response = await post(r.url, PROTOBUF, protobufPayload(spansOf({}, specs)));
      expect([response.status, statusOf(response)]).toEqual([200, ok]);
    }

    expect(agent.registry.list().map((s) => [s.service, s.operation, s.context, s.totals.count])).toEqual([
      ['checkout', 'checkout', '__overflow__', 100_000],
    ]);
    expect(agent.health().overflowed.context).toBe(100_000);
  });

  it('should refuse the spans of services past limits.services as partial success, counted', async () => {
    const { receiver: r, agent, clock, directory } = await receiver({ limits: { services: 2 } });
    const now = clock.now();
    const replies = [];
    for (const service of ['a', 'b', 'c']) {
      const payload = jsonPayload(spansOf({ service }, [{ name: 'op', startMs: now - 5, endMs: now }]));
      const response = await post(r.url, JSON_TYPE, payload);
      replies.push([response.status, JSON.parse(response.body.toString())]);
    }

    expect(replies).toEqual([
      [200, {}],
      [200, {}],
      [
        200,
        {
          partialSuccess: {
            rejectedSpans: '1',
            errorMessage:
              'rejected 1 of 1 spans: 1 from a new service or namespace while limits.services or limits.namespaces is reached',
          },
        },
      ],
    ]);
    expect([directory.size, directory.refused, agent.health().overflowed.service]).toEqual([2, 1, 1]);
  });
  it('should keep and export a sender with a 4 MB service.name or service.namespace only under its cut names, and forget its clock skew with it', async () => {
    const {
      receiver: r,
      agent,
      clock,
      directory,
    } = await receiver({
      receiver: { maxBodySize: '32MiB' },
      limits: { idleTime: '1m' },
      window: { length: '1m' },
    });
    connectDirectory(agent, directory);
    const now = clock.now();
    const huge = (c: string) => c.repeat(4 * 1024 * 1024);
    const resources = [
      { service: huge('s'), namespace: 'shop' },
      { service: 'checkout', namespace: huge('n') },
      { service: huge('b'), namespace: huge('m') },
    ].map((id) => ({
      ...id,
      spans: [
        {
          name: 'op',
          startMs: now - 2005,
          endMs: now - 2000,
          attributes: { 'headroom.budget.context': 'routine' },
        },
      ],
    }));

    const response = await post(r.url, PROTOBUF, rawRequest(resources));

    expect([response.status, statusOf(response)]).toEqual([200, ok]);
    const kept = [
      { namespace: 'shop', service: 's'.repeat(256) },
      { namespace: 'n'.repeat(256), service: 'checkout' },
      { namespace: 'm'.repeat(256), service: 'b'.repeat(256) },
    ];
    expect(directory.list().map(({ namespace, service }) => ({ namespace, service }))).toEqual(kept);
    expect(r.stats().clockSkews).toEqual(
      kept.map((id) => ({ service: id.service, namespace: id.namespace, skewMs: 2000 })),
    );
    const producer = new HeadroomMetricProducer({
      agent,
      maxSeries: 2000,
      sources: [receiverMetrics(() => r.stats())],
    });
    expect((await exposition(producer)).length).toBeLessThan(100_000);

    // Idle for limits.idleTime: the services are forgotten, their skew estimates with them.
    for (let t = 0; t <= 62_000; t += 1000) {
      clock.advance(1000);
      agent.tick();
    }
    expect([directory.size, r.stats().clockSkews]).toEqual([0, []]);
  });
});
