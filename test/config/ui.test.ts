import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/index.ts';
import { issuesOf as issuesOfAction } from '../helpers/config-issues.ts';

const parse = (text: string) => parseConfig([{ file: 'headroom.yaml', text }], {});
const issuesOf = (text: string) => issuesOfAction(() => parse(text));

describe('ui', () => {
  it('should default to off, 127.0.0.1:9466, no external URL and 10 s x 15 min of history', () => {
    expect(parse('').ui).toEqual({
      enabled: false,
      host: '127.0.0.1',
      port: 9466,
      externalUrl: '',
      history: { resolutionMs: 10_000, lengthMs: 900_000 },
    });
  });

  it('should take an external URL as its origin: lower-case host, no default port, no trailing slash; and port 0', () => {
    const externalUrls = [
      'https://headroom.example.com/',
      'https://Headroom.Example.COM:443//',
      'http://headroom.example.com:8080',
      'http://[::1]:4320/',
      'https://bücher.example',
      'HTTP://127.0.0.1',
      '',
    ].map((url) => parse(`ui:\n  port: 0\n  externalUrl: "${url}"\n`).ui.externalUrl);
    expect(externalUrls).toEqual([
      'https://headroom.example.com',
      'https://headroom.example.com',
      'http://headroom.example.com:8080',
      'http://[::1]:4320',
      'https://xn--bcher-kva.example',
      'http://127.0.0.1',
      '',
    ]);
    expect(parse('ui:\n  port: 0\n').ui.port).toBe(0);
  });

  it('should refuse an external URL that is not an origin, saying what is allowed', () => {
    const cases = [
      'headroom.example.com',
      'ftp://headroom.example.com',
      'https:headroom.example.com',
      'https://',
      'https://head room.example.com',
      'https://h{{.Foo}}.example.com',
      'https://user:pw@headroom.example.com',
      'https://user@headroom.example.com',
      'https://headroom.example.com/?a=1',
      'https://headroom.example.com?',
      'https://headroom.example.com#frag',
      'https://headroom.example.com/headroom',
      'https://headroom.example.com/headroom/',
      'https://headroom.example.com/x{{.Foo}}',
      'https://headroom.example.com/%zz',
      'https://headroom.example.com:99999',
    ];
    const messages = cases.map((url) =>
      issuesOf(`ui:\n  externalUrl: "${url}"\n`).map(({ path, line, message }) => ({ path, line, message })),
    );
    const bad = (url: string) =>
      `expected an absolute http:// or https:// URL such as https://headroom.example.com (or empty for none), got "${url}"`;
    const prefix = (path: string) =>
      `must be the root of a host, e.g. https://headroom.example.com: the page and its API are served at /ui/ and /api/v1/view of their host, so a path prefix (${path}) is not supported; publish Headroom at the root of a host name of its own`;
    const credentials =
      'must not hold a user name or password (every alert would carry it); give the address people open, e.g. https://headroom.example.com';
    const query =
      'must not have a query (?) or fragment (#): links append /ui/services/<namespace>/<service> to it; e.g. https://headroom.example.com';
    expect(messages).toEqual(
      [
        bad('headroom.example.com'),
        bad('ftp://headroom.example.com'),
        bad('https:headroom.example.com'),
        bad('https://'),
        bad('https://head room.example.com'),
        'the host "h{{.foo}}.example.com" is not a DNS name or IP address',
        credentials,
        credentials,
        query,
        query,
        query,
        prefix('/headroom'),
        prefix('/headroom'),
        prefix('/x%7B%7B.Foo%7D%7D'),
        prefix('/%zz'),
        bad('https://headroom.example.com:99999'),
      ].map((message) => [{ path: 'ui.externalUrl', line: 2, message }]),
    );
  });

  it('should name each bad value with its file, path and line', () => {
    const text = [
      'ui:',
      '  enabled: yes please',
      '  port: 70000',
      '  externalUrl: headroom.example.com',
      '  history:',
      '    resolution: 500ms',
      '    length: forever',
      '  colour: blue',
    ].join('\n');
    expect(issuesOf(text)).toEqual([
      {
        file: 'headroom.yaml',
        path: 'ui.enabled',
        line: 2,
        column: 12,
        message: 'expected true or false, got string "yes please"',
      },
      {
        file: 'headroom.yaml',
        path: 'ui.port',
        line: 3,
        column: 9,
        message: 'expected a port number from 0 to 65535, got number 70000',
      },
      {
        file: 'headroom.yaml',
        path: 'ui.externalUrl',
        line: 4,
        column: 16,
        message:
          'expected an absolute http:// or https:// URL such as https://headroom.example.com (or empty for none), got "headroom.example.com"',
      },
      {
        file: 'headroom.yaml',
        path: 'ui.history.resolution',
        line: 6,
        column: 17,
        message: 'must be at least 1s, got "500ms"',
      },
      {
        file: 'headroom.yaml',
        path: 'ui.history.length',
        line: 7,
        column: 13,
        message:
          'expected a duration such as 50ms, 1.5s, 2m, 1h30m or 30d (units us, ms, s, m, h, d, w), got "forever"',
      },
      {
        file: 'headroom.yaml',
        path: 'ui.colour',
        line: 8,
        column: 3,
        message: 'unknown key "colour"; allowed keys: enabled, host, port, externalUrl, history',
      },
    ]);
  });

  it('should refuse a history shorter than its resolution or longer than 10000 points, naming both fields', () => {
    expect(issuesOf('ui:\n  history:\n    resolution: 1m\n    length: 30s\n')).toEqual([
      {
        file: 'headroom.yaml',
        path: 'ui.history.length',
        line: 4,
        column: 13,
        message: 'ui.history.length (30s) must be at least ui.history.resolution (1m)',
      },
    ]);
    expect(
      issuesOf('ui:\n  history: { resolution: 1s, length: 3h }\n').map((issue) => issue.message),
    ).toEqual(['ui.history.length (180m) / ui.history.resolution (1s) is 10800 points; at most 10000']);
    expect(parse('ui:\n  history: { resolution: 1s, length: 10000s }\n').ui.history).toEqual({
      resolutionMs: 1000,
      lengthMs: 10_000_000,
    });
  });
});
