// README's "Typed names" followed literally in a project outside the repository: its headroom.yaml,
// its `npx headroom types` command through the package's own bin, then the real TypeScript compiler
// (node_modules/typescript) on its programs. The project reaches headroom-otel through
// node_modules like a user's; needs the built dist/ (`npm test` builds before it runs the tests).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, type NodeRun, runNode } from '../helpers/child-process.ts';
import { type FencedBlock, sectionBlocks } from '../helpers/markdown-section.ts';

const root = join(import.meta.dirname, '..', '..');
const blocks = sectionBlocks(join(root, 'README.md'), '## Typed names');
const block = (language: string, index = 0): string =>
  (blocks.filter((b: FencedBlock) => b.language === language)[index] as FencedBlock).text;
const [config, command, program, misspelt] = [block('yaml'), block('sh'), block('ts', 0), block('ts', 1)];
const NAMES_FILE = join('src', 'headroom-names.d.ts');

/** A tsconfig a service might have: strict, Node's ESM resolution, `src/` included. */
const TSCONFIG = {
  compilerOptions: {
    target: 'es2023',
    module: 'nodenext',
    strict: true,
    noEmit: true,
    types: ['node'],
  },
  include: ['src'],
};

let project = '';

function link(name: string, target: string): void {
  const path = join(project, 'node_modules', name);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

/** `npx headroom ARGS` in the project: the package's bin, as npx runs it. */
function headroom(args: readonly string[]): Promise<NodeRun> {
  const bin = join(project, 'node_modules', 'headroom-otel', 'bin', 'headroom.js');
  return runNode([bin, ...args], { env: childEnv(), cwd: project, timeoutMs: 60_000 });
}

/** Without generated names: any context, `op.context` a `string` as before; levels are typed anyway. */
const LEVEL_ERROR = `// error TS2345: Argument of type '"CRITCAL"' is not assignable to parameter of type '"CRITICAL" | "MINIMAL" | "MODERATE" | "NONE" | "SEVERE"'.
`;
const UNNAMED = `import { start } from 'headroom-otel';
const headroom = start();
let context = headroom.track('quote', 'any-context', (op) => op.context);
context = 'another';
headroom.override('CRITCAL', 'load test');
${LEVEL_ERROR}`;

/**
 * The rest of the API a generated file types, as a service uses it (`headroom.yaml` of the README),
 * then misspelt lines, each followed by the error tsc must print.
 */
const SURFACES = `import {
  connectDecisions, start, type ContextName, type FeatureName, type ModifierName, type Operation, type PhaseName,
} from 'headroom-otel';

const headroom = start({ configFiles: ['headroom.yaml'] });
const contexts: readonly ContextName[] = ['emergency', 'routine', 'deliberative', 'checkout'];
const phases: readonly PhaseName<'checkout'>[] = ['auth', 'payment'];
const anyPhase: readonly PhaseName[] = ['signal_processing', 'routing', 'execution', 'auth', 'payment'];
const features: readonly FeatureName[] = ['recommendations', 'reviews'];
const modifiers: readonly ModifierName[] = headroom.modifiers.active();
const context: 'checkout' = headroom.track('place-order', 'checkout', (op) => op.context);
const explicit: number = headroom.track<number>('quote', 'routine', (op: Operation) => op.phase('routing', () => 1));
const pay = (op: Operation<'checkout'>) => op.phase('payment', () => op.remainingMs());
const quote: (n: number) => number = headroom.wrap('quote', 'routine', (n: number) => n * 2);
headroom.onDecision((decision) => {
  const off: readonly ('recommendations' | 'reviews')[] = [...decision.disabledFeatures, ...decision.actions.enabled];
  void off;
});
const remote = connectDecisions({
  url: 'http://127.0.0.1:4320', service: 'shop', fallbackLevel: 'SEVERE', fallbackDisabledFeatures: ['reviews'],
});
const remoteOff: readonly FeatureName[] = remote.state().disabledFeatures;
const on: boolean = remote.features.enabled('recommendations') && headroom.modifiers.has('black_friday');
remote.close();
void [contexts, phases, anyPhase, features, modifiers, context, explicit, pay, quote, remoteOff, on];

headroom.wrap('quote', 'routin', () => 0);
// error TS2345: Argument of type '"routin"' is not assignable to parameter of type '"checkout" | "deliberative" | "emergency" | "routine"'.
headroom.track('place-order', 'routine', (op) => op.phase('auth', () => 0));
// error TS2345: Argument of type '"auth"' is not assignable to parameter of type '"execution" | "routing" | "signal_processing"'.
connectDecisions({ url: 'http://127.0.0.1:4320', service: 'shop' }).features.enabled('review');
// error TS2345: Argument of type '"review"' is not assignable to parameter of type '"recommendations" | "reviews"'.
headroom.modifiers.clear('black-friday');
// error TS2345: Argument of type '"black-friday"' is not assignable to parameter of type '"black_friday"'.
headroom.override('CRITCAL', 'load test');
${LEVEL_ERROR}`;

/**
 * What tsc must print for `source` in `file`: each line followed by a `// error TSnnnn: message`
 * comment is one diagnostic at that line, its column at the quoted name the message starts with.
 */
function expectedDiagnostics(file: string, source: string): string[] {
  const lines = source.split('\n');
  return lines.flatMap((line, i) => {
    const error = /^\/\/ error (TS\d+: .*)$/.exec(lines[i + 1] ?? '')?.[1];
    if (error === undefined || line.startsWith('//')) return [];
    const name = /'"([^"]*)"'/.exec(error)?.[1] ?? '';
    return [`src/${file}(${i + 1},${line.indexOf(`'${name}'`) + 1}): error ${error}`];
  });
}

/** The programs of the project: the README's correct one, it with the misspelt lines, {@link SURFACES}. */
const PROGRAMS = { 'service.ts': '', 'misspelt.ts': '', 'surfaces.ts': SURFACES };

/** Runs the real `tsc -p .` on the project (strict, declarations of headroom-otel checked too). */
function typeCheck(): Promise<NodeRun> {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  return runNode([tsc, '-p', '.', '--pretty', 'false'], {
    env: childEnv(),
    cwd: project,
    timeoutMs: 120_000,
  });
}

const diagnostics = (run: NodeRun): string[] => run.stdout.split('\n').filter((line) => line !== '');

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'headroom-typed-'));
  link('headroom-otel', root);
  link('@types/node', join(root, 'node_modules', '@types', 'node'));
  mkdirSync(join(project, 'src'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'shop', type: 'module', private: true }),
  );
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  writeFileSync(join(project, 'headroom.yaml'), config);
  PROGRAMS['service.ts'] = program;
  PROGRAMS['misspelt.ts'] = program + misspelt;
  for (const [file, source] of Object.entries(PROGRAMS)) writeFileSync(join(project, 'src', file), source);
});
afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

describe('README "Typed names", followed literally', () => {
  it('should give one command, `npx headroom types`', () => {
    expect(command).toBe('npx headroom types --config headroom.yaml --out src/headroom-names.d.ts\n');
  });

  it('should write the declaration file of the configured names', async () => {
    const args = command.trim().split(' ').slice(2);
    expect(await headroom(args)).toMatchObject({
      code: 0,
      stdout: 'src/headroom-names.d.ts: 4 contexts, 5 phases, 2 features, 1 modifier\n',
      stderr: '',
    });
    expect(readFileSync(join(project, NAMES_FILE), 'utf8')).toBe(
      [
        '// Generated by `headroom types` from the Headroom configuration: run it again when the',
        "// configuration changes, do not edit. It types headroom-otel's API with the configured",
        '// names, so that a misspelt context, phase, feature or modifier is a compile error',
        '// (README, "Typed names").',
        'export {};',
        '',
        "declare module 'headroom-otel' {",
        '  interface HeadroomNames {',
        '    /** Each budget context (`contexts`) with the names of its `phases`. */',
        '    contexts: {',
        "      emergency: 'signal_processing' | 'routing' | 'execution';",
        "      routine: 'signal_processing' | 'routing' | 'execution';",
        "      deliberative: 'signal_processing' | 'routing' | 'execution';",
        "      checkout: 'auth' | 'payment';",
        '    };',
        '    /** The features `degradation.levels.*.disable` switches off. */',
        "    features: 'recommendations' | 'reviews';",
        '    /** The budget modifiers of `adaptive.modifiers`. */',
        "    modifiers: 'black_friday';",
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(await headroom([...args, '--check'])).toMatchObject({
      code: 0,
      stdout: 'src/headroom-names.d.ts: up to date\n',
    });
  });

  it('should compile the correct programs and fail each misspelt line with the error quoted after it', async () => {
    const expected = Object.entries(PROGRAMS).flatMap(([file, source]) => expectedDiagnostics(file, source));
    expect(expected).toHaveLength(9);
    const run = await typeCheck();
    expect({ code: run.code, diagnostics: diagnostics(run) }).toEqual({ code: 1, diagnostics: expected });
  });

  it('should take any string again without the generated file, levels excepted', async () => {
    rmSync(join(project, NAMES_FILE));
    rmSync(join(project, 'src', 'surfaces.ts'));
    writeFileSync(join(project, 'src', 'unnamed.ts'), UNNAMED);
    const run = await typeCheck();
    const expected = expectedDiagnostics('unnamed.ts', UNNAMED);
    expect(expected).toHaveLength(1);
    expect({ code: run.code, diagnostics: diagnostics(run) }).toEqual({ code: 1, diagnostics: expected });
  });
});
