/**
 * `Retry-After` as the OTLP exporters and the alert channels read it: delay-seconds, or an HTTP
 * date turned into a delay from `nowMs` (never negative).
 * @returns the delay in ms, or `undefined` when the header is absent or malformed
 */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Otherwise an HTTP date (`Wed, 21 Oct 2030 07:28:00 GMT`), which names its day and month;
  // Date.parse alone would take "-5" for a year.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
