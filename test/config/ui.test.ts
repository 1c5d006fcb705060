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

  it('should take an external URL without its trailing slashes, and port 0', () => {
    const { ui } = parse(
      'ui:\n  enabled: true\n  port: 0\n  externalUrl: https://headroom.example.com/ops//\n',
    );
    expect([ui.port, ui.externalUrl]).toEqual([0, 'https://headroom.example.com/ops']);
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
        message: 'expected an absolute http:// or https:// URL (or empty for none)',
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
