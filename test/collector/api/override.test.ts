import { describe, expect, it } from 'vitest';
import { apiPerTest, TOKENS } from './setup.ts';

const T0 = 1_700_000_000_000;
const SEVERE_FEATURES = ['recommendations', 'personalization', 'search_suggestions', 'analytics_events'];
const token = TOKENS.admin;
const path = '/api/v1/namespaces/payments/services/checkout/override';

const api = apiPerTest();
const start = () => api.start();

describe('PUT /api/v1/services/:service/override', () => {
  it('should pin the level, answer the decision and state, and show it in the audit log with the reason', async () => {
    const { request } = await start();
    const put = await request(path, {
      method: 'PUT',
      token,
      body: { level: 'SEVERE', reason: 'incident 7' },
    });
    const decision = {
      seq: 1,
      at: T0,
      namespace: 'payments',
      service: 'checkout',
      from: 'NONE',
      to: 'SEVERE',
      reason: 'manual-override',
      message: 'manual override NONE -> SEVERE: incident 7 (by admin)',
      actions: { disabled: SEVERE_FEATURES, enabled: [] },
      disabledFeatures: SEVERE_FEATURES,
    };
    const state = {
      service: 'checkout',
      namespace: 'payments',
      level: 'SEVERE',
      overridden: true,
      since: T0,
      disabledFeatures: SEVERE_FEATURES,
    };
    expect([put.status, put.body]).toEqual([200, { decision, state }]);
    const detail = await request('/api/v1/namespaces/payments/services/checkout', { token });
    expect(detail.body).toMatchObject({ ...state, lastDecision: decision });
    const history = await request('/api/v1/namespaces/payments/services/checkout/decisions', { token });
    expect(history.body).toEqual({ namespace: 'payments', service: 'checkout', decisions: [decision] });
  });

  it('should take until as a duration from now and release the pin once it has passed', async () => {
    const { agent, clock, request } = await start();
    const put = await request(path, {
      method: 'PUT',
      token,
      body: { level: 'minimal', reason: 'drill', until: '30m' },
    });
    expect(put.body.decision.message).toBe(
      `manual override NONE -> MINIMAL until ${new Date(T0 + 1_800_000).toISOString()}: drill (by admin)`,
    );
    clock.advance(1_800_000);
    agent.tick();
    expect(agent.degradation('checkout', 'payments').state()).toMatchObject({
      level: 'MINIMAL',
      overridden: false,
    });
    expect(
      agent
        .degradation('checkout', 'payments')
        .auditLog.entries()
        .map((d) => d.reason),
    ).toEqual(['manual-override', 'override-expired']);
  });

  it.each([
    ['8638300000000000ms', '+275760-09-13T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
  ])('should take until %s, at the edge of what a date holds, as %s', async (until, expiry) => {
    const { request } = await start();
    const put = await request(path, { method: 'PUT', token, body: { level: 'SEVERE', reason: 'r', until } });
    expect([put.status, put.body.decision.message]).toEqual([
      200,
      `manual override NONE -> SEVERE until ${expiry}: r (by admin)`,
    ]);
  });

  it('should take until as an ISO 8601 time', async () => {
    const { request } = await start();
    const until = '2030-01-01T00:00:00Z';
    const put = await request(path, {
      method: 'PUT',
      token,
      body: { level: 'CRITICAL', reason: 'r', until },
    });
    expect(put.body.decision.message).toBe(
      'manual override NONE -> CRITICAL until 2030-01-01T00:00:00.000Z: r (by admin)',
    );
  });

  const LEVELS = 'one of NONE, MINIMAL, MODERATE, SEVERE, CRITICAL';
  const UNTIL = 'an ISO 8601 time such as 2030-01-01T12:00:00Z or a duration such as 30m or 2h';
  const beyondDates = (got: string) =>
    `until must end by +275760-09-13T00:00:00.000Z, the latest time a date can hold (omit until for an override without an end); got ${got}`;
  it.each([
    [{ level: 'HIGH', reason: 'r' }, `level must be ${LEVELS}; got "HIGH"`],
    [{ reason: 'r' }, `level must be ${LEVELS}; got nothing`],
    [{ level: 3, reason: 'r' }, `level must be ${LEVELS}; got 3`],
    [{ level: 'SEVERE' }, 'reason is required: say why, for the audit log (a non-empty string)'],
    [
      { level: 'SEVERE', reason: '   ' },
      'reason is required: say why, for the audit log (a non-empty string)',
    ],
    [{ level: 'SEVERE', reason: 'x'.repeat(501) }, 'reason must be at most 500 characters, got 501'],
    [{ level: 'SEVERE', reason: 'r', until: 'soon' }, `until must be ${UNTIL}; got "soon"`],
    [{ level: 'SEVERE', reason: 'r', until: 60 }, `until must be ${UNTIL}; got 60`],
    [
      { level: 'SEVERE', reason: 'r', until: '2020-01-01T00:00:00Z' },
      'until must be in the future; got "2020-01-01T00:00:00Z"',
    ],
    [['SEVERE'], 'the body must be a JSON object { level, reason, until? }'],
    [{ level: 'SEVERE', reason: 'r', until: '99999999d' }, beyondDates('"99999999d"')],
    // One ms past the latest date from T0; 8638300000000000ms lands on it exactly (accepted below).
    [{ level: 'SEVERE', reason: 'r', until: '8638300000000001ms' }, beyondDates('"8638300000000001ms"')],
    [{ level: 'SEVERE', reason: 'r', until: `${'9'.repeat(400)}d` }, beyondDates(`"${'9'.repeat(400)}d"`)],
    [{ level: 'SEVERE', reason: 'r', until: '-5m' }, `until must be ${UNTIL}; got "-5m"`],
    [{ level: 'SEVERE', reason: 'r', until: '0s' }, 'until must be in the future; got "0s"'],
    [
      { level: 'SEVERE', reason: 'r', until: '+275760-09-14T00:00:00Z' },
      `until must be ${UNTIL}; got "+275760-09-14T00:00:00Z"`,
    ],
    [{ level: 'SEVERE', reason: 'r', until: '2030-02-31' }, `until must be ${UNTIL}; got "2030-02-31"`],
  ])('should refuse %j with 400: %s', async (body, message) => {
    const { agent, request } = await start();
    const put = await request(path, { method: 'PUT', token, body });
    expect([put.status, put.body]).toEqual([400, { error: { code: 'bad_request', message } }]);
    expect(agent.degradation('checkout', 'payments').auditLog.size).toBe(0);
  });

  it.each([
    ['malformed JSON', '{"level": "SEVERE", '],
    ['an empty JSON body', ''],
  ])('should refuse %s with 400 in the error format', async (_what, text) => {
    const { server } = await start();
    const response = await fetch(`${server.url}${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: text,
    });
    const body = (await response.json()) as { error: { code: string; message: unknown } };
    expect([response.status, body.error.code, typeof body.error.message]).toEqual([
      400,
      'bad_request',
      'string',
    ]);
  });

  it('should refuse an oversized body with 413', async () => {
    const { request } = await start();
    const put = await request(path, {
      method: 'PUT',
      token,
      body: { level: 'SEVERE', reason: 'x'.repeat(20_000) },
    });
    expect([put.status, put.body.error.code]).toEqual([413, 'payload_too_large']);
  });
});

describe('DELETE /api/v1/services/:service/override', () => {
  it('should release the pin with the reason from the body or from ?reason=', async () => {
    const { request } = await start();
    await request(path, { method: 'PUT', token, body: { level: 'SEVERE', reason: 'incident 7' } });
    const del = await request(path, { method: 'DELETE', token, body: { reason: 'resolved' } });
    expect([del.status, del.body]).toEqual([
      200,
      {
        decision: {
          seq: 2,
          at: T0,
          namespace: 'payments',
          service: 'checkout',
          from: 'SEVERE',
          to: 'SEVERE',
          reason: 'override-cleared',
          message: 'override cleared at SEVERE: resolved (by admin); automatic transitions resume',
          actions: { disabled: [], enabled: [] },
          disabledFeatures: SEVERE_FEATURES,
        },
        state: {
          service: 'checkout',
          namespace: 'payments',
          level: 'SEVERE',
          overridden: false,
          since: T0,
          disabledFeatures: SEVERE_FEATURES,
        },
      },
    ]);
    await request(path, { method: 'PUT', token, body: { level: 'NONE', reason: 'again' } });
    const byQuery = await request(`${path}?reason=${encodeURIComponent('all clear')}`, {
      method: 'DELETE',
      token,
    });
    expect(byQuery.body.decision.message).toBe(
      'override cleared at NONE: all clear (by admin); automatic transitions resume',
    );
  });

  it('should answer a null decision when no override is active', async () => {
    const { request } = await start();
    const del = await request(`${path}?reason=nothing`, { method: 'DELETE', token });
    expect([del.status, del.body.decision, del.body.state.overridden]).toEqual([200, null, false]);
  });

  it('should refuse a release without a reason', async () => {
    const { request } = await start();
    const del = await request(path, { method: 'DELETE', token });
    expect([del.status, del.body]).toEqual([
      400,
      {
        error: {
          code: 'bad_request',
          message: 'reason is required: say why, for the audit log (a non-empty string)',
        },
      },
    ]);
  });
});
