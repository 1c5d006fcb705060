/**
 * `headroom top`'s names (review16b L1): every control and format character escaped, widths in
 * terminal cells (East Asian Wide/Fullwidth and emoji 2, marks 0, Ambiguous 1), by class.
 */
import { describe, expect, it } from 'vitest';
import { cellWidth, printable } from '../../app/cli/terminal-text.ts';

describe('printable', () => {
  it('should escape every bidi control, format character, separator and lone surrogate as \\u{…}', () => {
    const format = [
      0x061c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2066,
      0x2067, 0x2068, 0x2069, 0xfeff, 0x2028, 0x2029, 0x00ad, 0xd800, 0xdc00,
    ];
    expect(format.map((code) => printable(`a${String.fromCharCode(code)}b`))).toEqual(
      format.map((code) => `a\\u{${code.toString(16)}}b`),
    );
  });

  it('should escape C0, DEL and C1 as \\xNN, and leave letters, marks, CJK and emoji as they are', () => {
    expect(['\u0000', '\u001b', '\t', '\n', '\u007f', '\u0080', '\u009b'].map(printable)).toEqual([
      '\\x00',
      '\\x1b',
      '\\x09',
      '\\x0a',
      '\\x7f',
      '\\x80',
      '\\x9b',
    ]);
    const plain = ['é', 'e\u0301', '日本', 'ｶﾅ', '😀', '👩‍💻', '🇫🇷', '❤️', '©', 'x\ud83d\ude00y'];
    expect(plain.map(printable)).toEqual(plain);
  });

  it('should escape a zero-width joiner outside an emoji sequence', () => {
    expect([printable('a\u200db'), printable('😀\u200d'), printable('\u200d😀')]).toEqual([
      'a\\u{200d}b',
      '😀\u200d',
      '\\u{200d}😀',
    ]);
  });
});

describe('cellWidth', () => {
  it('should count cells: wide and fullwidth 2, halfwidth and ambiguous 1, marks 0, emoji sequences 2', () => {
    const cases: [string, number][] = [
      ['', 0],
      ['abc', 3],
      ['é', 1],
      ['e\u0301', 1],
      ['\u0301', 0],
      ['日本', 4],
      ['한국', 4],
      ['ＡＢ', 4],
      ['ｶﾅ', 2],
      ['±', 1],
      ['😀', 2],
      ['👩‍💻', 2],
      ['🇫🇷', 2],
      ['❤️', 2],
      ['❤', 1],
      ['©', 1],
      ['é日本😀', 7],
      ['\\u{202e}', 8],
    ];
    expect(cases.map(([text]) => [text, cellWidth(text)])).toEqual(cases);
  });
});
