import { readFileSync } from 'node:fs';

/** One fenced block of a Markdown section. */
export interface FencedBlock {
  /** The fence's info string: `ts`, `yaml`, `sh`, ... ('' when none). */
  readonly language: string;
  /** The lines between the fences, ending with a newline. */
  readonly text: string;
}

/**
 * The fenced blocks of the section of `file` headed `heading` (e.g. `## Typed names`), in order,
 * up to the next heading of the same or a higher level.
 * @throws {Error} when the file has no such heading (a renamed section must fail its test)
 */
export function sectionBlocks(file: string, heading: string): FencedBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`${file} has no heading "${heading}"`);
  const level = heading.indexOf(' ');
  const blocks: FencedBlock[] = [];
  let open: { language: string; body: string[] } | undefined;
  for (const line of lines.slice(start + 1)) {
    if (open === undefined) {
      const heads = /^(#+) /.exec(line);
      if (heads && (heads[1] as string).length <= level) break;
      const fence = /^```(\S*)\s*$/.exec(line);
      if (fence) open = { language: fence[1] as string, body: [] };
    } else if (line === '```') {
      blocks.push({ language: open.language, text: `${open.body.join('\n')}\n` });
      open = undefined;
    } else {
      open.body.push(line);
    }
  }
  return blocks;
}
