import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../config/index.ts';
import {
  documentationFiles,
  referencedVariables,
  type YamlBlock,
  yamlBlocks,
} from '../helpers/yaml-blocks.ts';

const SECRET = 'doc-secret-0123456789abcdef';
const schema = JSON.parse(readFileSync('schema/headroom.schema.json', 'utf8')) as object;
const validateSchema = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

/** What a block is: a Prometheus file (checked by promtool) or a Headroom configuration. */
function kindOf(block: YamlBlock): 'prometheus-config' | 'prometheus-rules' | 'headroom' {
  const value = parse(block.text, { merge: true }) as Record<string, unknown> | null;
  if (value && 'scrape_configs' in value) return 'prometheus-config';
  if (value && 'groups' in value) return 'prometheus-rules';
  return 'headroom';
}

/** A value for each variable a block uses: a port number for *PORT, otherwise a secret-looking token of its own (a config takes each secret once). */
function envFor(text: string): Record<string, string> {
  return Object.fromEntries(
    referencedVariables(text).map((name) => [name, name.endsWith('PORT') ? '9464' : `${SECRET}-${name}`]),
  );
}

function promtool(command: 'config' | 'rules', text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'headroom-docs-')), 'block.yaml');
  writeFileSync(file, text);
  return execFileSync('promtool', ['check', command, file], { encoding: 'utf8' });
}

const blocks = documentationFiles().flatMap(yamlBlocks);
const examples = readdirSync('examples')
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => join('examples', name));

describe('YAML blocks in README.md and docs/*.md', () => {
  it('should find the blocks (a guard against a broken extractor)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(11);
    expect([...new Set(blocks.map((b) => b.file))]).toEqual(
      expect.arrayContaining(['README.md', 'docs/decision-api.md']),
    );
  });

  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))(
    '%s should be valid: a Headroom configuration through the loader and the JSON Schema, or a Prometheus file through promtool',
    (_, block) => {
      const kind = kindOf(block);
      if (kind === 'prometheus-config') expect(promtool('config', block.text)).toContain('SUCCESS');
      else if (kind === 'prometheus-rules') expect(promtool('rules', block.text)).toContain('SUCCESS');
      else {
        expect(() =>
          parseConfig([{ file: `${block.file}:${block.line}`, text: block.text }], envFor(block.text)),
        ).not.toThrow();
        const raw = parse(block.text, { merge: true }) ?? {};
        expect(validateSchema(raw) ? [] : validateSchema.errors).toEqual([]);
      }
    },
  );
});

describe('the JSON Schema accepts what the loader accepts', () => {
  it.each(examples)('%s should pass the JSON Schema', (file) => {
    const raw = parse(readFileSync(file, 'utf8'), { merge: true }) ?? {};
    expect(validateSchema(raw) ? [] : validateSchema.errors).toEqual([]);
  });

  it('should accept ${VAR} for a port, a boolean, an enum, a token and inside a URL', () => {
    const text = [
      'exporters:',
      '  prometheus:',
      '    port: ${PORT}',
      '    enabled: ${ON}',
      '  otlp:',
      '    endpoint: http://${HOST}:4318',
      'contexts:',
      '  emergency:',
      '    budget: ${BUDGET}',
      '    percentile: ${PERCENTILE}',
      'api:',
      '  tokens:',
      '    - { name: ops, token: "${TOKEN}", scopes: [read] }',
      '',
    ].join('\n');
    expect(validateSchema(parse(text)) ? [] : validateSchema.errors).toEqual([]);
    const env = {
      BUDGET: '50ms',
      PORT: '9464',
      ON: 'true',
      HOST: 'collector',
      PERCENTILE: 'p99',
      TOKEN: SECRET,
    };
    expect(() => parseConfig([{ file: 'f.yaml', text }], env)).not.toThrow();
  });

  it('should still refuse a wrong literal value and an unknown key', () => {
    const ok = validateSchema(parse('exporters:\n  prometheus:\n    port: nine\n  prometheuz: {}\n'));
    expect(ok).toBe(false);
    expect(validateSchema.errors?.map((e) => `${e.instancePath} ${e.keyword}`)).toEqual(
      expect.arrayContaining(['/exporters additionalProperties', '/exporters/prometheus/port anyOf']),
    );
  });
});
