// README.md's "Command line" table against the CLI itself: every command `headroom --help` lists
// has a row whose synopsis is the Usage line of its `--help`, and every row is a real command.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

/** The first cell of each row of the table under `## Command line`, without its backticks. */
function tableSynopses(readme: string): string[] {
  const section = readme.split('\n## Command line\n')[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1] as string);
}

async function usageLine(command: string): Promise<string> {
  const { stdout } = await runCli([command, '--help']);
  return stdout.split('\n')[0]?.replace(/^Usage: /, '') ?? '';
}

describe("README's command table", () => {
  it('should give every command one row, with the synopsis its --help prints', async () => {
    const synopses = tableSynopses(readFileSync('README.md', 'utf8'));
    const { stdout } = await runCli(['--help']);
    const commands = [...(stdout.split('Commands:\n')[1] ?? '').matchAll(/^ {2}([a-z]+) /gm)].map(
      (match) => match[1] as string,
    );
    expect(commands.length).toBeGreaterThan(5);
    const expected = await Promise.all(
      commands.map(async (name) =>
        name === 'help' ? 'npx headroom help [COMMAND]' : `npx ${await usageLine(name)}`,
      ),
    );
    expect(synopses).toEqual(expected);
  });
});
