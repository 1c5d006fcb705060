/**
 * Cross-field rules of the whole file: every name a section refers to (a context, an SLO, a
 * channel) must be defined elsewhere, and the window must be made of whole slots. Each message
 * names both fields. These run even when other sections are invalid, so they read the data
 * defensively: a section that failed validation may hold anything.
 */
import type { z } from 'zod';
import { didYouMean } from '../did-you-mean.ts';
import { SEED_CONTEXTS } from './budgets.ts';
import { formatMs } from './units.ts';

type Context = z.core.$RefinementCtx;
type Path = (string | number)[];

/** The `superRefine` of the root schema. */
export function checkReferences(config: unknown, ctx: Context): void {
  const root = record(config);
  const contexts = [...new Set([...Object.keys(SEED_CONTEXTS), ...Object.keys(record(root.contexts))])];
  const check = (path: Path, name: unknown, field: string, defined: string[], where: string) => {
    if (typeof name !== 'string' || defined.includes(name)) return;
    const suggestion = didYouMean(name, defined);
    const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
    ctx.addIssue({
      code: 'custom',
      path,
      message: `${field} "${name}" is not defined under ${where}${hint}; defined: ${defined.join(', ') || 'none'}`,
    });
  };

  list(root.rules).forEach((rule, i) => {
    check(['rules', i, 'context'], record(rule).context, `rules[${i}].context`, contexts, 'contexts');
  });
  for (const [name, modifier] of Object.entries(record(record(root.adaptive).modifiers))) {
    list(record(modifier).contexts).forEach((c, i) => {
      const field = `adaptive.modifiers.${name}.contexts[${i}]`;
      check(['adaptive', 'modifiers', name, 'contexts', i], c, field, contexts, 'contexts');
    });
  }
  const slos = list(root.slos);
  slos.forEach((slo, i) => {
    check(['slos', i, 'context'], record(slo).context, `slos[${i}].context`, contexts, 'contexts');
  });
  const sloNames = slos.map((slo) => record(slo).name).filter((n): n is string => typeof n === 'string');
  const alerting = record(root.alerting);
  const channels = list(alerting.channels)
    .map((c) => record(c).name)
    .filter((n): n is string => typeof n === 'string');
  list(alerting.rules).forEach((raw, i) => {
    const rule = record(raw);
    const at = `alerting.rules[${i}]`;
    check(['alerting', 'rules', i, 'context'], rule.context, `${at}.context`, contexts, 'contexts');
    check(['alerting', 'rules', i, 'slo'], rule.slo, `${at}.slo`, sloNames, 'slos');
    list(rule.channels).forEach((channel, j) => {
      check(
        ['alerting', 'rules', i, 'channels', j],
        channel,
        `${at}.channels[${j}]`,
        channels,
        'alerting.channels',
      );
    });
  });
  checkWindow(record(root.window), ctx);
  checkIdleTime(record(root.window), record(root.limits), ctx);
}

function checkWindow(window: Record<string, unknown>, ctx: Context): void {
  const length = msOf(window, 'length');
  const resolution = msOf(window, 'resolution');
  if (length === undefined || resolution === undefined) return;
  const slots = length / resolution;
  if (!Number.isInteger(slots) || slots < 2 || slots > 3600) {
    ctx.addIssue({
      code: 'custom',
      path: ['window', 'resolution'],
      message: `window.length (${formatMs(length)}) must be a whole multiple, 2 to 3600 times, of window.resolution (${formatMs(resolution)})`,
    });
  }
}

/** An idle series must have left the window before it is evicted: its verdicts are then moot. */
function checkIdleTime(window: Record<string, unknown>, limits: Record<string, unknown>, ctx: Context): void {
  const length = msOf(window, 'length') ?? 60_000;
  const idleTime = msOf(limits, 'idleTime');
  if (idleTime === undefined || idleTime >= length) return;
  ctx.addIssue({
    code: 'custom',
    path: ['limits', 'idleTime'],
    message: `limits.idleTime (${formatMs(idleTime)}) must be at least window.length (${formatMs(length)})`,
  });
}

/**
 * A duration field of a section, ms: under its parsed name (`lengthMs`) when the whole section is
 * valid, under its YAML name (`length`) when another field of the section failed; `undefined`
 * when the field itself did not parse.
 */
function msOf(section: Record<string, unknown>, yamlKey: string): number | undefined {
  const value = section[`${yamlKey}Ms`] ?? section[yamlKey];
  return typeof value === 'number' ? value : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
