import { DiagLogLevel, diag } from '@opentelemetry/api';

/**
 * Installs a global OpenTelemetry diag logger at WARN that records each warning's message and drops
 * everything else; returns the array it fills. Call `diag.disable()` after the test to remove it.
 */
export function captureDiagWarnings(): string[] {
  const warnings: string[] = [];
  const drop = () => {};
  diag.setLogger(
    {
      error: drop,
      warn: (message: string) => void warnings.push(message),
      info: drop,
      debug: drop,
      verbose: drop,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return warnings;
}
