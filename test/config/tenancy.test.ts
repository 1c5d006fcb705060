import { describe, expect, it } from 'vitest';
import { tenancyLine } from '../../app/tenancy-line.ts';
import { parseConfig } from '../../config/index.ts';
import { ConfigInvalidError } from '../../errors.ts';

const READ = 'read-token-0123456789';

function parse(text: string, env: Record<string, string> = {}) {
  return parseConfig([{ file: 'tenancy.yaml', text }], env);
}

function issuesOf(text: string, env: Record<string, string> = {}) {
  try {
    parse(text, env);
  } catch (error) {
    if (error instanceof ConfigInvalidError)
      return error.issues.map(({ path, line, message }) => ({ path, line, message }));
    throw error;
  }
  return [];
}

describe('config: namespace-bound API tokens need authenticated senders', () => {
  it('should refuse api.tokens[].namespace without receiver.tokens, naming both fields', () => {
    const text = [
      'api:',
      '  tokens:',
      `    - { name: dashboards, token: ${READ}, scopes: [read] }`,
      `    - { name: payments-ops, token: ${READ}x, scopes: [read, override], namespace: payments }`,
      `    - { name: root-ops, token: ${READ}y, scopes: [read], namespace: "" }`,
    ].join('\n');
    expect(issuesOf(text)).toEqual([
      {
        path: 'api.tokens[1].namespace',
        line: 4,
        message:
          'api.tokens[1].namespace "payments" needs receiver.tokens: without them any sender can claim any service.namespace, so the binding isolates nothing; add receiver.tokens bound to namespaces, or remove api.tokens[1].namespace',
      },
      {
        path: 'api.tokens[2].namespace',
        line: 5,
        message:
          'api.tokens[2].namespace "" needs receiver.tokens: without them any sender can claim any service.namespace, so the binding isolates nothing; add receiver.tokens bound to namespaces, or remove api.tokens[2].namespace',
      },
    ]);
    expect(issuesOf(`receiver:\n  tokens: []\n${text}`)).toHaveLength(2);
  });

  it('should accept them once receiver tokens authenticate senders, and unbound API tokens without', () => {
    const bound = parse(
      [
        'receiver:',
        '  tokens:',
        '    - { name: payments-services, token: sender-token-0123456789, namespace: payments }',
        'api:',
        `  tokens: [{ name: payments-ops, token: ${READ}, scopes: [read], namespace: payments }]`,
      ].join('\n'),
    );
    expect(bound.receiver.tokens).toEqual([
      { name: 'payments-services', token: 'sender-token-0123456789', namespace: 'payments' },
    ]);
    expect(parse(`api:\n  tokens: [{ name: ops, token: ${READ}, scopes: [read] }]`).receiver.tokens).toEqual(
      [],
    );
  });

  it('should refuse short receiver tokens and empty namespaces', () => {
    expect(issuesOf('receiver:\n  tokens: [{ name: s, token: short, namespace: "" }]')).toEqual([
      {
        path: 'receiver.tokens[0].token',
        line: 2,
        message: expect.stringContaining('tokens must be at least 16 characters'),
      },
      { path: 'receiver.tokens[0].namespace', line: 2, message: expect.stringContaining('at least 1') },
    ]);
  });
});

describe('config: each token secret once', () => {
  const SENDER = 'sender-token-0123456789';
  it('should refuse a secret configured twice, in api.tokens and in receiver.tokens, naming the first entry', () => {
    const text = [
      'receiver:',
      '  tokens:',
      `    - { name: shop-services, token: ${SENDER}, namespace: shop }`,
      `    - { name: any-services, token: ${SENDER} }`,
      'api:',
      '  tokens:',
      `    - { name: shop-ops, token: ${READ}, scopes: [read], namespace: shop }`,
      `    - { name: rotated, token: ${READ}x, scopes: [read] }`,
      `    - { name: root, token: ${READ}, scopes: [read, override] }`,
      `    - { name: rotated, token: ${READ}y, scopes: [read] }`,
    ].join('\n');
    expect(issuesOf(text)).toEqual([
      {
        path: 'receiver.tokens[1].token',
        line: 4,
        message:
          'the same secret as tokens[0] ("shop-services"): each secret may be configured once, with its scopes and namespace; give this entry its own secret',
      },
      {
        path: 'api.tokens[2].token',
        line: 9,
        message:
          'the same secret as tokens[0] ("shop-ops"): each secret may be configured once, with its scopes and namespace; give this entry its own secret',
      },
    ]);
  });
});

describe('config: token secrets a bearer header can carry (RFC 6750 b64token)', () => {
  const RULE =
    'a token may hold only letters, digits and -._~+/, with = only at the end (RFC 6750 b64token: all an Authorization: Bearer header can carry)';
  /** Both token lists, each secret from $SECRET (as a mounted secret file is read); the receiver's is "x" + $SECRET. */
  const text = [
    'receiver:',
    '  tokens:',
    '    - { name: senders, token: "x${SECRET}" }',
    'api:',
    '  tokens:',
    '    - { name: oncall, token: "${SECRET}", scopes: [read] }',
  ].join('\n');
  const atEnd = (what: string) =>
    `${RULE}; found ${what} at the end: a secret file's trailing newline? (strip it where the secret is read)`;
  const at = (what: string, character: number) => `${RULE}; found ${what} at character ${character}`;

  it.each([
    ['a trailing newline (a mounted secret file)', `${READ}\n`, atEnd('a newline'), atEnd('a newline')],
    ['a trailing CRLF', `${READ}\r\n`, atEnd('a newline'), atEnd('a newline')],
    ['a trailing space', `${READ} `, atEnd('whitespace'), atEnd('whitespace')],
    ['a space inside', `${READ} x`, at('whitespace U+0020', 23), at('whitespace U+0020', 22)],
    ['a tab inside', `${READ}\tx`, at('whitespace U+0009', 23), at('whitespace U+0009', 22)],
    [
      'a non-ASCII letter (node:http reads headers as latin1)',
      `é${READ}`,
      at('the character U+00E9', 2),
      at('the character U+00E9', 1),
    ],
    ['an emoji', `${READ}🔑x`, at('the character U+1F511', 23), at('the character U+1F511', 22)],
    ['a colon', `${READ}:x`, at('the character U+003A', 23), at('the character U+003A', 22)],
    ['= before the end', `${READ}=x`, `${RULE}; found = before the end`, `${RULE}; found = before the end`],
  ])(
    'should refuse a secret with %s in receiver.tokens and api.tokens, naming file, path and line',
    (_, secret, receiver, api) => {
      expect(issuesOf(text, { SECRET: secret })).toEqual([
        { path: 'receiver.tokens[0].token', line: 3, message: receiver },
        { path: 'api.tokens[0].token', line: 6, message: api },
      ]);
    },
  );

  it('should take every b64token character, with = padding at the end', () => {
    const secret = 'AZaz09-._~+/secret==';
    const config = parse(text, { SECRET: secret });
    expect([config.receiver.tokens[0]?.token, config.api.tokens[0]?.token]).toEqual([`x${secret}`, secret]);
  });
});

describe('collector startup line on tenancy', () => {
  it('should say single-tenant without receiver tokens and list the bound namespaces with them', () => {
    expect(tenancyLine([])).toBe(
      'single-tenant: receiver.tokens is empty, so any sender can send for any service.namespace (set receiver.tokens to authenticate senders and bind them to namespaces)',
    );
    const token = 'sender-token-0123456789';
    expect(
      tenancyLine([
        { name: 'a', token, namespace: 'payments' },
        { name: 'b', token, namespace: 'shop' },
        { name: 'c', token, namespace: 'shop' },
        { name: 'gateway', token },
      ]),
    ).toBe(
      'multi-tenant: the receiver authenticates senders with 4 bearer tokens (namespaces payments, shop; 1 unbound (any namespace))',
    );
    expect(tenancyLine([{ name: 'gateway', token }])).toBe(
      'multi-tenant: the receiver authenticates senders with 1 bearer token (none bound to a namespace; 1 unbound (any namespace))',
    );
  });
});
