/**
 * One field of the CSV audit exports (degradation and admission decisions, `AuditLog.toCSV`):
 * RFC 4180 quoting, after neutralising spreadsheet formulas (OWASP "CSV Injection"). Service,
 * namespace and operation names reach these files from OTLP senders in collector mode, so a field
 * such as `=HYPERLINK("http://x","y")` must open as text, not as a live formula.
 */

/** What makes a spreadsheet read a cell as a formula (OWASP: = + - @, tab, carriage return). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A field as it goes into a CSV row. A field starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading `'`, which spreadsheets read as "text" and show without the quote; the one
 * exception is a finite number written as JavaScript prints it (`-1`, `-0.25`, `-1e-7`), which a
 * spreadsheet reads as that number, never as a formula, so numeric columns stay numbers. The
 * result is then quoted per RFC 4180 when it holds a comma, a quote, a CR or an LF (quotes inside
 * doubled). Never throws.
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) && !isPrintedNumber(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Whether `value` is exactly how `String(n)` prints a finite number `n`. */
function isPrintedNumber(value: string): boolean {
  const number = Number(value);
  return Number.isFinite(number) && String(number) === value;
}
