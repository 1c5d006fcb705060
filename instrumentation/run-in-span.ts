import { type Span, SpanStatusCode } from '@opentelemetry/api';

/**
 * Runs `fn` and ends `span` when it finishes, sync or async. The user's result and error pass
 * through untouched; only the span's status and exception event record the error.
 */
export function runInSpan<R>(span: Span, fn: () => R): R {
  let result: R;
  try {
    result = fn();
  } catch (error) {
    fail(span, error);
    span.end();
    throw error;
  }
  if (isThenable(result)) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        fail(span, error);
        span.end();
        throw error;
      },
    ) as R;
  }
  span.end();
  return result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
  );
}

function fail(span: Span, error: unknown): void {
  try {
    if (error instanceof Error) span.recordException(error);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  } catch {
    // Recording the error must never replace the user's error.
  }
}
