import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One fenced YAML block of a Markdown file. */
export interface YamlBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly text: string;
}

const FENCE = /^(\s*)(```|~~~)\s*(\S*)\s*$/;

/** Every ```yaml / ```yml block of `file`, indentation of the fence removed (list items indent them). */
export function yamlBlocks(file: string): YamlBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: YamlBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string);
    if (open === null) continue;
    const [, indent = '', fence = '', language = ''] = open;
    const end = lines.findIndex((l, j) => j > i && l.trim() === fence);
    if (end === -1) break;
    if (language === 'yaml' || language === 'yml') {
      const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
      blocks.push({ file, line: i + 1, text: `${body.join('\n')}\n` });
    }
    i = end;
  }
  return blocks;
}

/** README.md and every docs/*.md, the Markdown a user reads. */
export function documentationFiles(): string[] {
  const docs = readdirSync('docs')
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('docs', name));
  return ['README.md', ...docs];
}

/** The environment variables a block uses (`${NAME}`, `${env:NAME}`, `${NAME:-default}`). */
export function referencedVariables(text: string): string[] {
  return [
    ...new Set([...text.matchAll(/\$\{(?:env:)?([A-Za-z_]\w*)(?::-[^}]*)?\}/g)].map((m) => m[1] as string)),
  ];
}
