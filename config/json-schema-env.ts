/** A JSON Schema node: a plain object, as `z.toJSONSchema` produces. */
type SchemaNode = Record<string, unknown>;

/** The definition every scalar may take instead of its value: a string holding a `${...}` reference. */
const ENV_REFERENCE_SCHEMA = {
  type: 'string',
  pattern: '\\$\\{[^}]*\\}',
  description:
    'An environment reference: ${NAME}, ${env:NAME} or ${NAME:-default}, alone or inside a longer string; substituted before validation, taking the type of the field.',
} as const;

const REFERENCE = { $ref: '#/$defs/envReference' };
const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean']);
const META_KEYS = ['description', 'default', 'title', 'examples', 'deprecated'];
const CHILD_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const CHILD_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const CHILDREN = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'];

/**
 * The JSON Schema of a file as the loader reads it: every scalar value (string, number,
 * integer, boolean, enum, const) may instead be a string holding an environment reference, as
 * `port: ${PORT}` is valid for the loader. Keys are left alone (they are not substituted).
 * Returns a new schema; `schema` is not modified.
 */
export function acceptEnvReferences(schema: SchemaNode): SchemaNode {
  const root = visit(schema, true);
  const defs = (root.$defs as SchemaNode | undefined) ?? {};
  return { ...root, $defs: { ...defs, envReference: ENV_REFERENCE_SCHEMA } };
}

function visit(node: SchemaNode, isRoot = false): SchemaNode {
  const out: SchemaNode = { ...node };
  for (const key of CHILD_MAPS) {
    const map = node[key];
    if (isNode(map))
      out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, isNode(v) ? visit(v) : v]));
  }
  for (const key of CHILD_LISTS) {
    const list = node[key];
    if (Array.isArray(list)) out[key] = list.map((v) => (isNode(v) ? visit(v) : v));
  }
  for (const key of CHILDREN) {
    const child = node[key];
    if (isNode(child)) out[key] = visit(child);
  }
  return !isRoot && isScalar(node) ? withReference(out) : out;
}

function withReference(node: SchemaNode): SchemaNode {
  const meta: SchemaNode = {};
  const rest: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) (META_KEYS.includes(key) ? meta : rest)[key] = value;
  return { ...meta, anyOf: [rest, REFERENCE] };
}

/** A leaf that holds a value: a scalar type, or an enum or const of scalars. */
function isScalar(node: SchemaNode): boolean {
  const type = node.type;
  if (typeof type === 'string') return SCALAR_TYPES.has(type);
  if (Array.isArray(type)) return type.every((t) => SCALAR_TYPES.has(String(t)));
  return ('enum' in node || 'const' in node) && !('properties' in node);
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
