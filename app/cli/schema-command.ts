import { jsonSchema } from '../../config/index.ts';
import type { CliIo } from './io.ts';

/** `headroom schema`: the JSON Schema editors use for completion and checks. */
export function schemaCommand(_args: string[], io: CliIo): number {
  io.stdout(`${JSON.stringify(jsonSchema(), null, 2)}\n`);
  return 0;
}
