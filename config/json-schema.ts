import { z } from 'zod';
import { configSchema } from './schema.ts';

/**
 * The JSON Schema of the configuration file as a user writes it (durations and percentages are
 * strings), for editors: yaml-language-server, VS Code, JetBrains.
 */
export function jsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...schema,
    $id: 'https://github.com/headroom-otel/headroom/schema/headroom.schema.json',
    title: 'Headroom configuration',
  };
}
