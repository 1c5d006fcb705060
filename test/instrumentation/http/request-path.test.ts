// The path a request routes by (review15g H1), as Express's parseurl and Fastify read a target, and
// the lenient reading node:http's `routes` fall back to.
import { describe, expect, it } from 'vitest';
import { lenientPath, routingPath } from '../../../instrumentation/http/request-path.ts';

describe('routingPath: the path of a request target', () => {
  it.each([
    [undefined, '/'],
    ['', '/'],
    ['/reports/1', '/reports/1'],
    ['/reports/1?a=1', '/reports/1'],
    ['/reports/1#top', '/reports/1'],
    ['/reports/1#top?a=1', '/reports/1'],
    ['?a=1', '/'],
    ['http://host/reports/1', '/reports/1'],
    ['HTTPS://HOST:8443/reports/1?a=1', '/reports/1'],
    ['http://user:secret@host/reports/1', '/reports/1'],
    ['http://[::1]:8080/reports/1#x', '/reports/1'],
    ['ftp://host/reports/1', '/reports/1'],
    ['http://host', '/'],
    ['http://host?a=1', '/'],
    ['*', '*'],
    ['/%72eports//1', '/%72eports//1'],
  ])('%s -> %s', (target, path) => {
    expect(routingPath(target)).toBe(path);
  });
});

describe('lenientPath: the path as lenient routers read it', () => {
  it.each([
    ['/reports/1', '/reports/1'],
    ['/%72eports/%31', '/reports/1'],
    ['/a%2Fb/%7e%2d%2E%5F', '/a%2Fb/~-._'],
    ['/a%20b', '/a%20b'],
    ['//reports///1', '/reports/1'],
    ['/x/../reports/./1', '/reports/1'],
    ['/../../reports/1', '/reports/1'],
    ['/x/%2e%2e/reports/1', '/reports/1'],
    ['/reports/1/', '/reports/1'],
    ['/', '/'],
    ['*', '*'],
  ])('%s -> %s', (path, lenient) => {
    expect(lenientPath(path)).toBe(lenient);
  });
});
