import { z } from 'zod';
import { acceptEnvReferences } from './json-schema-env.ts';
import { configSchema } from './schema.ts';

/**
 * The JSON Schema of the configuration file as a user writes it (durations and percentages are
 * strings), for editors: yaml-language-server, VS Code, JetBrains. Every value may instead be a
 * `${NAME}` reference, as the loader accepts (`port: ${PORT}`).
 */
export function jsonSchema(): Record<string, unknown> {
  const schema = acceptEnvReferences(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }));
  return {
    ...schema,
    $id: 'https://github.com/headroom-otel/headroom/schema/headroom.schema.json',
    title: 'Headroom configuration',
  };
}
