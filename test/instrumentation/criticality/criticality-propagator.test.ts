/**
 * Headroom's baggage propagator tells the next service the class this service judged the work in,
 * never an incoming claim it did not vet (review15f H1): the settled class when code or the
 * middleware settled one, else the incoming claim as this service took it (at most CRITICAL).
 */
import {
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
} from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/index.ts';
import { withSettledCriticality } from '../../../instrumentation/criticality/active-criticality.ts';
import { criticalityPropagator } from '../../../instrumentation/index.ts';
import { testHeadroom } from '../../helpers/headroom.ts';

const propagator = criticalityPropagator();

/** The context a server instrumentation or a consumer extracts from an incoming `baggage` header. */
function incoming(header: string | undefined): Context {
  return header === undefined
    ? ROOT_CONTEXT
    : propagator.extract(ROOT_CONTEXT, { baggage: header }, defaultTextMapGetter);
}

/** The `baggage` header an outbound call made in `active` carries. */
function outbound(active: Context): string | undefined {
  const carrier: Record<string, string> = {};
  propagator.inject(active, carrier, defaultTextMapSetter);
  return carrier.baggage;
}

const CLAIMS: ReadonlyArray<readonly [string | undefined, string | undefined]> = [
  // incoming header, outbound header when nothing was settled here
  [undefined, undefined],
  ['headroom.criticality=CRITICAL_PLUS', 'headroom.criticality=CRITICAL'], // raising: judged CRITICAL
  ['headroom.criticality=CRITICAL', 'headroom.criticality=CRITICAL'],
  ['headroom.criticality=SHEDDABLE_PLUS', 'headroom.criticality=SHEDDABLE_PLUS'], // lowering: as is
  ['headroom.criticality=SHEDDABLE', 'headroom.criticality=SHEDDABLE'],
  ['headroom.criticality=critical_plus', 'headroom.criticality=CRITICAL'], // no class: judged CRITICAL
  ['headroom.criticality=', undefined], // an empty value is no entry (the W3C extractor drops it)
  ['tenant=acme,headroom.criticality=CRITICAL_PLUS', 'tenant=acme,headroom.criticality=CRITICAL'],
  ['tenant=acme', 'tenant=acme'],
];

describe('criticalityPropagator', () => {
  it.each(CLAIMS)('should forward an unsettled claim %j as %j', (header, expected) => {
    expect(outbound(incoming(header))).toBe(expected);
  });

  const SETTLED: Criticality[] = ['CRITICAL_PLUS', 'CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE'];
  it.each(SETTLED)(
    'should forward a class settled as %s whatever the claim, and whatever the baggage says since',
    (settled) => {
      const forwarded = CLAIMS.map(([header]) => {
        const active = withSettledCriticality(incoming(header), settled);
        // Code that rewrites the entry after the class was settled does not change what is judged.
        const rewritten = propagation.setBaggage(
          active,
          propagation.getBaggage(active)!.setEntry('headroom.criticality', { value: 'CRITICAL_PLUS' }),
        );
        return [outbound(active), outbound(rewritten), outbound(propagation.deleteBaggage(active))];
      });
      const entry = `headroom.criticality=${settled}`;
      expect(forwarded).toEqual(
        CLAIMS.map(([header]) => {
          const withTenant = header?.startsWith('tenant=acme') ? `tenant=acme,${entry}` : entry;
          return [withTenant, withTenant, entry];
        }),
      );
    },
  );

  it('should extract and name its fields as the W3C baggage propagator does', () => {
    const extracted = incoming('tenant=acme,headroom.criticality=CRITICAL_PLUS');
    expect(propagation.getBaggage(extracted)?.getAllEntries()).toEqual([
      ['tenant', { value: 'acme' }],
      ['headroom.criticality', { value: 'CRITICAL_PLUS' }],
    ]);
    expect(propagator.fields()).toEqual(['baggage']);
  });

  it("should count a throttle's call in the judged class, not in an unvetted claim's", async () => {
    const { headroom } = testHeadroom();
    try {
      const payments = headroom.throttle('payments');
      const classes = CLAIMS.map(([header]) =>
        context.with(incoming(header), () => payments.attempt().criticality),
      );
      expect(classes).toEqual([
        'CRITICAL',
        'CRITICAL',
        'CRITICAL',
        'SHEDDABLE_PLUS',
        'SHEDDABLE',
        'CRITICAL',
        'CRITICAL',
        'CRITICAL',
        'CRITICAL',
      ]);
    } finally {
      await headroom.shutdown();
    }
  });
});
