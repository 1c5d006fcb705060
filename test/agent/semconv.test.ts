import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SeriesNames } from '../../agent/index.ts';
import { classifySpan, RuleMatcher } from '../../agent/rules/index.ts';
import * as semconv from '../../agent/semconv.ts';
import { SeriesHandles } from '../../agent/series-handles.ts';
import { renderAttributesDoc, TELEMETRY_NAMES } from '../../scripts/attributes-doc.ts';

/** Every string constant of agent/semconv.ts, by export name. */
const constants = Object.entries(semconv as Record<string, unknown>).filter(
  (entry): entry is [string, string] => typeof entry[1] === 'string',
);
const described = TELEMETRY_NAMES.filter((entry) => !entry.name.startsWith('('));
const attributes = TELEMETRY_NAMES.filter((entry) => entry.kind === 'attribute');

describe('the telemetry names registry', () => {
  it('should hold exactly these names (a rename or a new name shows up here)', () => {
    expect(constants.map(([, name]) => name).sort()).toEqual([
      'headroom-otel',
      'headroom.admission',
      'headroom.admission.decision',
      'headroom.admission.flow.admitted',
      'headroom.admission.flow.finished',
      'headroom.admission.flow.reading',
      'headroom.admission.flow.waiting',
      'headroom.admission.flow.window',
      'headroom.admission.from',
      'headroom.admission.message',
      'headroom.admission.outcome',
      'headroom.admission.protected_criticality',
      'headroom.admission.reason',
      'headroom.admission.sample_count',
      'headroom.admission.threshold_ratio',
      'headroom.admission.to',
      'headroom.budget.context',
      'headroom.budget.exceeded',
      'headroom.budget.ms',
      'headroom.budget.observed_ms',
      'headroom.budget.percentile',
      'headroom.budget.ratio',
      'headroom.criticality',
      'headroom.degradation',
      'headroom.degradation.decision',
      'headroom.degradation.disabled_features',
      'headroom.degradation.from',
      'headroom.degradation.level',
      'headroom.degradation.message',
      'headroom.degradation.reason',
      'headroom.degradation.to',
      'headroom.duration_ms',
      'headroom.http.status_class',
      'headroom.operation',
      'headroom.phase',
      'headroom.sdk.check',
      'headroom:admission:decision',
      'headroom:alert:event',
      'headroom:budget:violation',
      'headroom:degradation:decision',
      'http.request.method',
      'http.response.status_code',
      'http.route',
      'service.name',
      'service.namespace',
      'service.version',
      'url.path',
    ]);
  });

  it('should describe every name once in docs/attributes.md, and nothing else', () => {
    expect(described.map((entry) => entry.name).sort()).toEqual(constants.map(([, name]) => name).sort());
    expect(readFileSync('docs/attributes.md', 'utf8')).toBe(renderAttributesDoc());
  });

  it('should name each attribute constant ATTR_ + its name (headroom. left out), as semconv packages do', () => {
    for (const [exported, name] of constants.filter(([, name]) => /^(headroom|service)\./.test(name))) {
      if (!exported.startsWith('ATTR_')) continue;
      const key = name
        .replace(/^headroom\./, '')
        .toUpperCase()
        .replace(/\./g, '_');
      expect(exported).toBe(`ATTR_${key}`);
    }
    const attributeConstants = constants.filter(([exported]) => exported.startsWith('ATTR_'));
    expect(attributeConstants.map(([, name]) => name).sort()).toEqual(
      TELEMETRY_NAMES.filter((entry) => entry.kind === 'attribute' || entry.kind === 'resource')
        .map((entry) => entry.name)
        .sort(),
    );
  });

  it('should follow the semantic-conventions naming rules: lowercase, dotted, snake_case', () => {
    for (const entry of described.filter((e) => e.kind !== 'channel' && e.kind !== 'scope')) {
      expect(entry.name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*(\.[a-z][a-z0-9]*(_[a-z0-9]+)*)+$/);
    }
    for (const entry of described.filter((e) => e.kind === 'channel')) {
      expect(entry.name).toMatch(/^headroom(:[a-z]+)+$/);
    }
    // An attribute name is never also a namespace of another attribute (semconv naming).
    const names = attributes.map((entry) => entry.name);
    for (const name of names) expect(names.filter((other) => other.startsWith(`${name}.`))).toEqual([]);
  });

  it('should give every numeric attribute a unit, and keep unit-suffixed names to the three legacy ones', () => {
    for (const entry of attributes) {
      expect([entry.name, entry.type === 'double', entry.unit !== undefined]).toEqual([
        entry.name,
        entry.type === 'double',
        entry.type === 'double',
      ]);
    }
    const unitInName = /(^|[._])(ms|s|us|ns|sec|secs|seconds|millis|milliseconds|bytes|by|kb|mb|kib|mib)$/;
    expect(attributes.filter((entry) => unitInName.test(entry.name)).map((entry) => entry.name)).toEqual([
      ...semconv.LEGACY_UNIT_NAMES,
    ]);
    expect(semconv.LEGACY_UNIT_NAMES).toEqual([
      'headroom.budget.ms',
      'headroom.budget.observed_ms',
      'headroom.duration_ms',
    ]);
  });
});

describe('names on the wire', () => {
  it("should keep reading the headroom.* attributes other services' spans carry", () => {
    const span = {
      name: 'GET /quote',
      kind: 1,
      attributes: {
        'headroom.budget.context': 'emergency',
        'headroom.budget.ms': 50,
        'headroom.operation': 'price-quote',
        'headroom.phase': 'routing',
      },
    };
    const bound: SeriesNames[] = [];
    const handles = new SeriesHandles({
      series: (names) => {
        bound.push(names);
        return { record: () => {} };
      },
    });
    const handle = classifySpan(handles.of('pricing'), span, 'io.opentelemetry.python', new RuleMatcher([]));
    expect(handle).toBeDefined();
    expect(bound).toEqual([
      { namespace: '', service: 'pricing', operation: 'price-quote', context: 'emergency', phase: 'routing' },
    ]);
  });
});

/** Product folders: everything a user's process runs. */
const PRODUCT = ['agent', 'app', 'collector', 'config', 'exporters', 'instrumentation'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the product', () => {
  it('should spell headroom.* and headroom:* names and the scope only in agent/semconv.ts', () => {
    const elsewhere: string[] = [];
    for (const file of [...PRODUCT.flatMap(sourceFiles), 'index.ts', 'errors.ts']) {
      if (file === join('agent', 'semconv.ts')) continue;
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const code = line.trimStart();
        if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return;
        // The package name as an HTTP User-Agent, or as the module a declaration file augments
        // (`headroom types`), is not a scope name.
        if (code.includes("'headroom-otel'") && !/User-Agent|declare module/.test(code))
          elsewhere.push(`${file}:${i + 1}`);
        for (const match of line.matchAll(/['"`](headroom[.:][a-z0-9_.:]+)['"`]/g)) {
          if (!/\.(ya?ml|json|db)$/.test(match[1]!)) elsewhere.push(`${file}:${i + 1} ${match[1]}`);
        }
      });
    }
    expect(elsewhere).toEqual([]);
  });
});
