import { describe, expect, it } from 'vitest';
import { TokenAuth } from '../../../view/token-auth.ts';
import { apiPerTest, DEFAULT_API, TOKENS } from './setup.ts';

const testApi = apiPerTest();
const start = (api = DEFAULT_API) => testApi.start(api);

const REALM = 'Bearer realm="headroom"';
const pin = { method: 'PUT', body: { level: 'SEVERE', reason: 'incident 7' } };

describe('decision API authentication and scopes', () => {
  it('should answer 401 with a Bearer challenge when no token is sent', async () => {
    const { request } = await start();
    const { status, headers, body } = await request('/api/v1/services');
    expect([status, headers.get('www-authenticate'), body]).toEqual([
      401,
      REALM,
      { error: { code: 'unauthorized', message: 'this request needs a bearer token with the "read" scope' } },
    ]);
  });

  it.each([
    ['an unknown token', 'Bearer not-a-known-token-at-all'],
    ['a prefix of a real token', `Bearer ${TOKENS.admin.slice(0, -1)}`],
    ['a real token with one character more', `Bearer ${TOKENS.admin}x`],
    ['another scheme', `Basic ${TOKENS.admin}`],
    ['a scheme without a token', 'Bearer '],
  ])('should answer 401 invalid_token for %s', async (_what, authorization) => {
    const { request } = await start();
    const { status, headers, body } = await request('/api/v1/services', { headers: { authorization } });
    expect([status, headers.get('www-authenticate'), body]).toEqual([
      401,
      `${REALM}, error="invalid_token"`,
      { error: { code: 'unauthorized', message: 'the bearer token is missing, malformed or unknown' } },
    ]);
  });

  it('should answer 403 insufficient_scope when a read token tries to override, and change nothing', async () => {
    const { agent, request } = await start();
    const { status, headers, body } = await request(
      '/api/v1/namespaces/payments/services/checkout/override',
      {
        ...pin,
        token: TOKENS.reader,
      },
    );
    expect([status, headers.get('www-authenticate'), body]).toEqual([
      403,
      `${REALM}, error="insufficient_scope", scope="override"`,
      { error: { code: 'forbidden', message: 'token "reader" lacks the "override" scope' } },
    ]);
    expect(agent.degradation('checkout', 'payments').level).toBe('NONE');
  });

  it('should let a token with the override scope override', async () => {
    const { agent, request } = await start();
    const { status } = await request('/api/v1/namespaces/payments/services/checkout/override', {
      ...pin,
      token: TOKENS.admin,
    });
    expect(status).toBe(200);
    expect(agent.degradation('checkout', 'payments').level).toBe('SEVERE');
  });

  it('should accept the scheme in any case', async () => {
    const { request } = await start();
    const { status } = await request('/api/v1/services', {
      headers: { authorization: `bearer ${TOKENS.reader}` },
    });
    expect(status).toBe(200);
  });

  it('should serve the probes without a token', async () => {
    const { request } = await start();
    expect((await request('/-/healthy')).status).toBe(200);
    expect((await request('/-/ready')).status).toBe(503);
  });

  it('should grant anonymous callers the configured scopes only', async () => {
    const { request } = await start({ ...DEFAULT_API, anonymous: ['read'] });
    const list = await request('/api/v1/services');
    expect(list.status).toBe(200);
    expect(list.body.services.map((s: { service: string }) => s.service)).toEqual(['checkout', 'search']);
    const write = await request('/api/v1/namespaces/payments/services/checkout/override', pin);
    expect([write.status, write.headers.get('www-authenticate'), write.body.error.code]).toEqual([
      401,
      REALM,
      'unauthorized',
    ]);
    // A token still counts when one is sent: a wrong one is refused even though anonymous could read.
    expect((await request('/api/v1/services', { token: 'wrong-token-0123456789' })).status).toBe(401);
  });
});

describe('decision API tenant isolation', () => {
  const token = TOKENS.paymentsOps;

  it('should list only the services of the token namespace', async () => {
    const { request } = await start();
    const { body } = await request('/api/v1/services', { token });
    expect(
      body.services.map((s: { service: string; namespace: string }) => [s.service, s.namespace]),
    ).toEqual([['checkout', 'payments']]);
  });

  it('should answer 404, exactly as for a missing service, for a service of another namespace', async () => {
    const { request } = await start();
    const missing = await request('/api/v1/namespaces/search/services/no-such-service', { token });
    for (const path of [
      '/api/v1/namespaces/search/services/search',
      '/api/v1/namespaces/search/services/search/decisions',
    ]) {
      const hidden = await request(path, { token });
      expect([hidden.status, hidden.body]).toEqual([
        404,
        { error: { code: 'not_found', message: 'no service named "search" in namespace "search"' } },
      ]);
    }
    expect(missing.body).toEqual({
      error: { code: 'not_found', message: 'no service named "no-such-service" in namespace "search"' },
    });
  });

  it('should answer 404 to an override of another namespace and leave it untouched', async () => {
    const { agent, request } = await start();
    for (const method of ['PUT', 'DELETE']) {
      const { status, body } = await request('/api/v1/namespaces/search/services/search/override', {
        ...pin,
        method,
        token,
      });
      expect([status, body]).toEqual([
        404,
        { error: { code: 'not_found', message: 'no service named "search" in namespace "search"' } },
      ]);
    }
    expect(agent.degradation('search', 'search').state()).toMatchObject({ level: 'NONE', overridden: false });
    expect(agent.degradation('search', 'search').auditLog.size).toBe(0);
  });

  it('should let it read and override its own namespace', async () => {
    const { agent, request } = await start();
    expect((await request('/api/v1/namespaces/payments/services/checkout', { token })).status).toBe(200);
    expect(
      (await request('/api/v1/namespaces/payments/services/checkout/override', { ...pin, token })).status,
    ).toBe(200);
    expect(agent.degradation('checkout', 'payments').level).toBe('SEVERE');
  });

  it('should hide services the directory does not know from a namespaced token', async () => {
    const { agent, request } = await start();
    agent.degradation('embedded-only');
    const admin = await request('/api/v1/services', { token: TOKENS.admin });
    expect(admin.body.services.map((s: { service: string }) => s.service)).toEqual([
      'embedded-only',
      'checkout',
      'search',
    ]);
    expect((await request('/api/v1/services/embedded-only', { token })).status).toBe(404);
  });
});

describe('TokenAuth', () => {
  const auth = new TokenAuth({
    tokens: [
      { name: 'a', token: 'aaaaaaaaaaaaaaaa', scopes: ['read'] },
      {
        name: 'b',
        token: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
        scopes: ['read', 'override'],
        namespace: 'n',
      },
    ],
    anonymous: [],
  });

  it('should find each token whatever its length, with its scopes and namespace', () => {
    const a = auth.authorize('Bearer aaaaaaaaaaaaaaaa', 'read');
    const b = auth.authorize(`Bearer ${'b'.repeat(46)}`, 'override');
    expect(a).toEqual({ ok: true, principal: { name: 'a', scopes: new Set(['read']) } });
    expect(b).toEqual({
      ok: true,
      principal: { name: 'b', scopes: new Set(['read', 'override']), namespace: 'n' },
    });
  });

  it('should create no principal for an empty token list', () => {
    const none = new TokenAuth({ tokens: [], anonymous: [] });
    expect(none.authorize('Bearer aaaaaaaaaaaaaaaa', 'read')).toMatchObject({
      ok: false,
      failure: { status: 401 },
    });
  });
});
