import type { Clock } from '../../agent/index.ts';
import { processEnvironment } from '../../config/index.ts';

/** Where a command writes, and the environment it resolves config with; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Times a command's waits (`headroom top`'s reconnect backoff); tests pass a ManualClock. @default systemClock */
  readonly clock?: Clock | undefined;
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: processEnvironment(),
  };
}
