// Probing a real Node cluster from a test: GETs over new connections (the cluster hands
// connections, not requests, to workers), polling with a wall-clock deadline, and reading one
// line of a Prometheus exposition.
import { type IncomingHttpHeaders, request } from 'node:http';

/** One answer: status, headers and the whole body. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** GET `url` over a new connection, with `headers`. */
export function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Real processes: retries `probe` every 50 ms until it returns a value, at most `timeoutMs` (wall clock). */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The value of the exposition's line `line` (a metric name with its labels), if any. */
export function metric(exposition: string, line: string): number | undefined {
  const found = exposition.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}
