// Collector mode in the test process, from a few lines of YAML.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Collector, type CollectorOptions } from '../../app/collector.ts';
import { ScriptedLoad } from './agent.ts';
import { memoryLogger } from './log.ts';
import { ownStoreFile } from './own-store.ts';

/**
 * Starts a collector from `yaml` (lines of one config file, written to a new temporary folder),
 * with no environment, a memory logger (`log`) and, unless `options` say otherwise, a scripted
 * (idle) load. Its state store is its own, in that folder (see {@link ownStoreFile}), unless
 * `yaml` sets `storage`. The caller shuts it down.
 */
export async function startTestCollector(
  yaml: readonly string[],
  options: Pick<CollectorOptions, 'clock' | 'loadSampler' | 'fdLimit'> = {},
): Promise<{ collector: Collector; log: ReturnType<typeof memoryLogger> }> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-collector-'));
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, [...yaml, ''].join('\n'));
  const log = memoryLogger();
  const collector = await Collector.start({
    files: [ownStoreFile(dir), file],
    env: {},
    logger: log.logger,
    loadSampler: new ScriptedLoad(),
    ...options,
  });
  return { collector, log };
}
