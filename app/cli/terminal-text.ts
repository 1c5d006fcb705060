/**
 * Names as a terminal shows them, for `headroom top`: what could steer the terminal is escaped,
 * and widths are counted in terminal cells, so any sender's names neither repaint the screen nor
 * reorder or misalign its columns.
 */
import { eastAsianWidth } from 'get-east-asian-width';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Control characters (C0, DEL, C1): written as `\xNN`. */
const CONTROL = /\p{Cc}/u;
/**
 * Format characters (bidi controls such as U+202E RIGHT-TO-LEFT OVERRIDE and U+2066-2069, zero-width
 * spaces and joiners, U+FEFF), line and paragraph separators, lone surrogates: written as `\u{…}`.
 * A zero-width joiner inside an emoji sequence (👩‍💻) is kept: it only joins the pictographs.
 */
const FORMAT = /[\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
/** Shown as emoji, two cells wide (Unicode TR 51): default emoji presentation, or text + U+FE0F. */
const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F|\p{Regional_Indicator}/u;
/** Marks drawn on the previous character: no cell of their own. */
const MARK = /^\p{M}/u;

/**
 * `text` with control characters as `\xNN` (escape sequences that could move the cursor, repaint
 * rows or set the clipboard) and format characters as `\u{…}` (bidi overrides that reverse the rest
 * of a line, invisible characters that make two names look alike).
 * @example printable('\u202eevil\u001b') // '\\u{202e}evil\\x1b'
 */
export function printable(text: string): string {
  let shown = '';
  for (const { segment } of graphemes.segment(text)) {
    const emoji = PICTOGRAPH.test(segment);
    for (const char of segment) {
      const code = char.codePointAt(0) as number;
      if (CONTROL.test(char)) shown += `\\x${code.toString(16).padStart(2, '0')}`;
      else if (FORMAT.test(char) && !(emoji && code === 0x200d)) shown += `\\u{${code.toString(16)}}`;
      else shown += char;
    }
  }
  return shown;
}

/**
 * Terminal cells `text` takes (text already {@link printable}): per grapheme, 2 for an emoji or an
 * East Asian Wide or Fullwidth character (UAX #11; Ambiguous counts 1, as UAX #11 advises when the
 * context is unknown), 0 for a mark with nothing to attach to, else 1. As `string-width` counts.
 */
export function cellWidth(text: string): number {
  let cells = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (EMOJI.test(segment)) cells += 2;
    else if (!MARK.test(segment)) cells += eastAsianWidth(segment.codePointAt(0) as number);
  }
  return cells;
}
