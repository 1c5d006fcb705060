// The files a README section tells a newcomer to write, taken from the Markdown itself, so that
// a test runs exactly what the README shows.

/** One fenced code block: its language and its text, the fence's indentation removed. */
export interface CodeBlock {
  readonly language: string;
  readonly text: string;
  /** The file the prose names just before the block (a line ending in `` `name`: ``), if any. */
  readonly file: string | undefined;
}

const FENCE = /^(\s*)```(\S*)\s*$/;
const CAPTION = /`([\w.-]+\.[a-z]+)`:?$/;

/** The text of the `## heading` section of `markdown`, up to the next `## ` heading. */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start === -1) throw new Error(`no section "## ${heading}"`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** Every fenced code block of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let prose = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const open = FENCE.exec(line);
    if (open === null) {
      if (line.trim() !== '') prose = line.trim();
      continue;
    }
    const [, indent = '', language = ''] = open;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    if (end === -1) throw new Error(`unclosed code block at line ${i + 1}`);
    const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
    blocks.push({ language, text: `${body.join('\n')}\n`, file: CAPTION.exec(prose)?.[1] });
    prose = '';
    i = end;
  }
  return blocks;
}

/** The blocks of `markdown` that name a file, by file name; a name given twice is an error. */
export function namedFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const block of codeBlocks(markdown)) {
    if (block.file === undefined) continue;
    if (files.has(block.file)) throw new Error(`${block.file} is shown twice`);
    files.set(block.file, block.text);
  }
  return files;
}
