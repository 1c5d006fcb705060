import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/index.ts';
import { issuesOf as issuesOfAction } from '../helpers/config-issues.ts';

const issuesOf = (text: string) => issuesOfAction(() => parseConfig([{ file: 'headroom.yaml', text }], {}));

describe('limits', () => {
  it('should refuse an idle time shorter than the window, naming both fields', () => {
    expect(issuesOf('window:\n  length: 2m\nlimits:\n  idleTime: 90s\n')).toEqual([
      {
        file: 'headroom.yaml',
        path: 'limits.idleTime',
        line: 4,
        column: 13,
        message: 'limits.idleTime (90s) must be at least window.length (2m)',
      },
    ]);
  });

  it('should accept an idle time equal to the window and refuse caps below 1 and name lengths below 16', () => {
    expect(parseConfig([{ file: 'a.yaml', text: 'limits:\n  idleTime: 60s\n' }], {}).limits.idleTimeMs).toBe(
      60_000,
    );
    expect(issuesOf('limits:\n  services: 0\n  nameLength: 15\n').map((i) => [i.path, i.message])).toEqual([
      ['limits.services', 'must be at least 1; got 0'],
      ['limits.nameLength', 'must be at least 16; got 15'],
    ]);
  });
});
