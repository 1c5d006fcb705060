import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

const MAIN_HELP = `Usage: headroom <command> [options]

Headroom ${version}: latency budgets, degradation decisions and SLOs for
OpenTelemetry services. Run "headroom <command> --help" for the options of a
command.

Commands:
  validate   check configuration files
  schema     print the JSON Schema of the configuration file (for editors)
  agent      collector mode: receive OTLP from many services, judge them, serve
             decisions
  rules      print or write the Prometheus SLO recording and alerting rules
  dashboard  print or write the Grafana dashboard and its provisioning file
  types      print or write the TypeScript declaration of the configured names
  state      print the durable state of collector mode as JSON
  top        show the live view in the terminal, refreshing in place
  demo       run the demo service: a slowdown, the degradation, the recovery
  help       print the help of a command: headroom help agent

Options:
  -h, --help     print this help
  -v, --version  print the version of headroom-otel
`;

const AGENT_HELP = `Usage: headroom agent --config FILE [--config FILE] [--watch]

Collector mode: receives OTLP (traces and metrics) from many services, in any
language, judges their spans against the configured budgets, serves degradation
decisions over HTTP and SSE, and forwards the telemetry to the configured
backends. Logs JSON lines on stderr at OTEL_LOG_LEVEL (default info).

Runs until SIGTERM or SIGINT, then drains and flushes within shutdown.timeout
(default 10s); a second signal exits at once (130 or 143). SIGHUP, or a file
change with --watch, reloads the configuration, keeping the running one when the
new one is invalid or empty.

Options:
  -c, --config FILE  a configuration file (YAML); repeat it to merge several
                     files, later ones win
      --watch        reload when a configuration file changes (atomic saves and
                     Kubernetes ConfigMaps included)
  -h, --help         print this help

Exit codes:
  0    stopped by SIGTERM or SIGINT
  1    it cannot start (invalid configuration, a port in use, a locked state
       store)
  2    usage error
  130  a second SIGINT during shutdown (143: a second SIGTERM)

Example:
  headroom agent --config headroom.yaml --watch
`;

/** The command names `headroom --help` lists, `help` aside. */
function listedCommands(help: string): string[] {
  const section = help.split('Commands:\n')[1]?.split('\n\n')[0] ?? '';
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((match) => match[1] as string);
}

describe('headroom --version', () => {
  it('should print the version of package.json alone, for -v too, and exit 0', async () => {
    for (const flag of ['--version', '-v']) {
      expect(await runCli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('headroom --help', () => {
  it('should list every command and the global options, for -h and `help` too, and exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      expect(await runCli(argv)).toEqual({ code: 0, stdout: MAIN_HELP, stderr: '' });
    }
  });

  it('should print the same help on stderr and exit 2 without a command', async () => {
    expect(await runCli([])).toEqual({ code: 2, stdout: '', stderr: MAIN_HELP });
  });
});

describe('headroom <command> --help', () => {
  it('should print the options of agent, --watch and the repeated --config included, and exit 0', async () => {
    expect(await runCli(['agent', '--help'])).toEqual({ code: 0, stdout: AGENT_HELP, stderr: '' });
  });

  it('should give every command a help naming its usage, each option, the exit codes and an example', async () => {
    const commands = listedCommands(MAIN_HELP);
    expect(commands).toEqual([
      'validate',
      'schema',
      'agent',
      'rules',
      'dashboard',
      'types',
      'state',
      'top',
      'demo',
      'help',
    ]);
    for (const name of commands) {
      const { code, stdout, stderr } = await runCli([name, '--help']);
      expect({ name, code, stderr }).toEqual({ name, code: 0, stderr: '' });
      const sections = stdout.split('\n\n').map((section) => section.split('\n')[0]);
      expect(sections[0]).toMatch(new RegExp(`^Usage: headroom ${name}( |$)`));
      expect(sections.slice(-3)).toEqual(['Options:', 'Exit codes:', 'Example:']);
      expect(stdout).toContain('\n  -h, --help ');
      expect(stdout).toMatch(/\n {2}0 {2,}\S/);
      expect(stdout).toMatch(/\n {2}2 {2,}usage error/);
      // Every option the usage line shows is explained under Options.
      for (const option of sections[0]?.match(/--[a-z-]+/g) ?? []) expect(stdout).toMatch(` ${option} `);
      expect((await runCli(['help', name])).stdout).toBe(stdout);
      expect((await runCli([name, '-h'])).stdout).toBe(stdout);
    }
  });

  it('should take --help anywhere before --, even beside a bad option, and not after --', async () => {
    expect(await runCli(['validate', '--bogus', '--config', 'x.yaml', '--help'])).toMatchObject({
      code: 0,
      stderr: '',
    });
    expect(await runCli(['state', 'export', '-h'])).toMatchObject({ code: 0, stderr: '' });
    expect(await runCli(['validate', '--', '--help'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `headroom validate: Unexpected argument '--help'. This command does not take positional arguments; see "headroom validate --help"\n`,
    });
  });
});

describe('usage errors', () => {
  const cases: [string[], string][] = [
    [
      ['validate', '--confg', 'x.yaml'],
      'headroom validate: unknown option --confg (did you mean --config?); see "headroom validate --help"\n',
    ],
    [
      ['agent', '--wacth'],
      'headroom agent: unknown option --wacth (did you mean --watch?); see "headroom agent --help"\n',
    ],
    [
      ['rules', '-C', 'x.yaml'],
      'headroom rules: unknown option -C (did you mean --config?); see "headroom rules --help"\n',
    ],
    [
      ['dashboard', '--grafana', 'x'],
      'headroom dashboard: unknown option --grafana; see "headroom dashboard --help"\n',
    ],
    [
      ['validate', '--config'],
      `headroom validate: Option '-c, --config <value>' argument missing; see "headroom validate --help"\n`,
    ],
    [
      ['schema', 'now'],
      `headroom schema: Unexpected argument 'now'. This command does not take positional arguments; see "headroom schema --help"\n`,
    ],
    [
      ['state', 'exprt'],
      'headroom state: expected the subcommand export (headroom state export --config FILE), got "exprt"; see "headroom state --help"\n',
    ],
    [
      ['state'],
      'headroom state: expected the subcommand export (headroom state export --config FILE), got none; see "headroom state --help"\n',
    ],
    [
      ['--verison'],
      'headroom: unknown option "--verison" (did you mean "--version"?); "headroom --help" lists the commands\n',
    ],
    [
      ['agnet'],
      'headroom: unknown command "agnet" (did you mean "agent"?); "headroom --help" lists the commands\n',
    ],
    [
      ['hepl'],
      'headroom: unknown command "hepl" (did you mean "help"?); "headroom --help" lists the commands\n',
    ],
    [
      ['help', 'sate'],
      'headroom: unknown command "sate" (did you mean "state"?); "headroom --help" lists the commands\n',
    ],
    [['help', 'agent', 'rules'], 'headroom help: expected one command, got agent rules\n'],
  ];

  it.each(cases)('should answer %j with one line on stderr and exit 2', async (argv, stderr) => {
    expect(await runCli(argv)).toEqual({ code: 2, stdout: '', stderr });
  });
});
