/**
 * The text of `headroom --help` and `headroom <command> --help`, in the layout of GNU tools and
 * commander: a usage line, a paragraph, aligned options (long options in one column whether or not
 * they have a short form), exit codes, examples; wrapped at 80 columns.
 */
import type { Command, OptionSpec } from './command.ts';

/** Where the help wraps, columns. */
const WIDTH = 80;

/** The options every command takes besides its own. */
const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'print this help' };

/** The help of one command. */
export function commandHelp(command: Command): string {
  const options = { ...command.options, help: HELP_OPTION };
  const sections = [
    `Usage: ${command.usage}`,
    ...command.description.split('\n\n').map((paragraph) => wrap(paragraph, 0)),
    `Options:\n${table(Object.entries(options).map(([name, spec]) => [optionLabel(name, spec), spec.help]))}`,
    `Exit codes:\n${table(command.exitCodes.map(([code, meaning]) => [String(code), meaning]))}`,
    `Example:\n  ${command.example}`,
  ];
  return `${sections.join('\n\n')}\n`;
}

/** The help of `headroom` itself: the commands, the global options. */
export function mainHelp(commands: readonly Command[], version: string): string {
  const list = commands.map((command) => [command.name, command.summary] as const);
  return [
    'Usage: headroom <command> [options]',
    wrap(
      `Headroom ${version}: latency budgets, degradation decisions and SLOs for OpenTelemetry services. ` +
        'Run "headroom <command> --help" for the options of a command.',
      0,
    ),
    `Commands:\n${table(list)}`,
    `Options:\n${table([
      ['-h, --help', 'print this help'],
      ['-v, --version', 'print the version of headroom-otel'],
    ])}`,
  ]
    .join('\n\n')
    .concat('\n');
}

function optionLabel(name: string, spec: OptionSpec): string {
  const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
  return `${short}--${name}${spec.value === undefined ? '' : ` ${spec.value}`}`;
}

/** Two columns, the second aligned and wrapped under itself. */
function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  const indent = 2 + width + 2;
  return rows
    .map(([label, text]) => `  ${label.padEnd(width)}  ${wrap(text, indent).trimStart()}`)
    .join('\n');
}

/** Wraps `text` at {@link WIDTH} columns, every line indented by `indent` spaces. */
function wrap(text: string, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (line !== '' && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.map((part) => ' '.repeat(indent) + part).join('\n');
}
