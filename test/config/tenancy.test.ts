import { describe, expect, it } from 'vitest';
import { tenancyLine } from '../../app/tenancy-line.ts';
import { parseConfig } from '../../config/index.ts';
import { ConfigInvalidError } from '../../errors.ts';

const READ = 'read-token-0123456789';

function parse(text: string) {
  return parseConfig([{ file: 'tenancy.yaml', text }], {});
}

function issuesOf(text: string) {
  try {
    parse(text);
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
