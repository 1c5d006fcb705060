// Public face of exporters/http: what the exporters' HTTP clients share.
export { parseRetryAfterMs } from './retry-after.ts';
