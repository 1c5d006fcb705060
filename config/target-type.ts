import type { z } from 'zod';
import type { ConfigPath } from './location.ts';
import { schemasAt } from './schema-at.ts';

type Schema = z.core.$ZodType;

/** The scalar kinds a substituted value can take. */
type Kind = 'string' | 'number' | 'boolean';

/**
 * The value a whole-value substitution becomes, chosen by the field it lands in (as the
 * OpenTelemetry Collector does): `yamlTyped` (what the text reads as in YAML: a number or
 * boolean) when the field at `path` accepts that type, or when the path is unknown to the
 * schema; the text itself when the field takes a string but not that type (a token made of
 * digits stays the exact string). `undefined` for `schema` keeps the YAML typing.
 * @example targetTyped(configSchema, ['api', 'tokens', 0, 'token'], '0123', 123) // '0123'
 */
export function targetTyped(
  schema: Schema | undefined,
  path: ConfigPath,
  text: string,
  yamlTyped: unknown,
): unknown {
  if (typeof yamlTyped === 'string' || schema === undefined) return yamlTyped;
  const kinds = acceptedKinds(schemasAt(schema, path));
  if (kinds === undefined) return yamlTyped;
  const kind = typeof yamlTyped as Kind;
  if (kinds.has(kind)) return yamlTyped;
  return kinds.has('string') ? text : yamlTyped;
}

/** The scalar kinds the candidates accept; `undefined` when unknown or anything goes. */
function acceptedKinds(candidates: readonly Schema[]): Set<Kind> | undefined {
  if (candidates.length === 0) return undefined;
  const kinds = new Set<Kind>();
  for (const candidate of candidates) {
    const own = kindsOf(candidate);
    if (own === undefined) return undefined;
    for (const kind of own) kinds.add(kind);
  }
  return kinds;
}

function kindsOf(schema: Schema): Kind[] | undefined {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'string':
    case 'template_literal':
      return ['string'];
    case 'number':
    case 'bigint':
      return ['number'];
    case 'boolean':
      return ['boolean'];
    case 'enum':
      return Object.values(def.entries).map((v) => typeof v as Kind);
    case 'literal':
      return def.values.map((v) => (typeof v === 'bigint' ? 'number' : (typeof v as Kind)));
    case 'any':
    case 'unknown':
      return undefined;
    default:
      return [];
  }
}
