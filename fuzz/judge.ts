/**
 * Judges the receiver's answer to a case against the in-process prediction: the predicted status
 * (or 429/503 with `Retry-After`, the overload answers any request may get), and for every refusal
 * a `google.rpc.Status` with a reason in the request's encoding. Anything else is a crash.
 */
import type { HttpOutcome } from './http-target.ts';
import type { Prediction } from './in-process.ts';

const OVERLOAD = [429, 503];

/** The `message` of a `google.rpc.Status` (JSON, or protobuf field 2), or undefined when unreadable. */
function statusMessage(body: Buffer, contentType: string | undefined): string | undefined {
  try {
    if (contentType === 'application/json') {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      const message = (parsed as { message?: unknown }).message;
      return typeof message === 'string' ? message : undefined;
    }
    // google.rpc.Status: code = 1 (varint), message = 2 (length-delimited); details are never sent.
    let pos = 0;
    while (pos < body.length) {
      const tag = body[pos++]!;
      if (tag === 0x08) while (body[pos++]! & 0x80);
      else if (tag === 0x12) {
        let length = 0;
        for (let shift = 0; ; shift += 7) {
          const byte = body[pos++]!;
          length |= (byte & 0x7f) << shift;
          if (byte < 0x80) break;
        }
        return body.toString('utf8', pos, pos + length);
      } else return undefined;
    }
    return '';
  } catch {
    return undefined;
  }
}

/** Why the answer is wrong, or undefined when it is one the receiver may give. */
export function judge(prediction: Prediction, outcome: HttpOutcome): string | undefined {
  if (outcome.status === undefined) return `no answer: ${outcome.error}`;
  const { status } = outcome;
  const overload = OVERLOAD.includes(status) && outcome.headers?.['retry-after'] !== undefined;
  // When the in-process run threw it predicts nothing; that is reported there, and only a 500 here.
  const expected = prediction.statuses.length === 0 ? (status < 500 ? [status] : []) : prediction.statuses;
  if (!overload && !expected.includes(status))
    return `expected ${expected.join(' or ') || 'a status below 500'}, got ${status}${reasonOf(outcome)}`;
  if (status < 400) return undefined;
  const type = outcome.headers?.['content-type'];
  const contentType = typeof type === 'string' ? type : undefined;
  const message = statusMessage(outcome.body ?? Buffer.alloc(0), contentType);
  if (message === undefined || message === '')
    return `${status} without a reason (content type ${contentType})`;
  return undefined;
}

function reasonOf(outcome: HttpOutcome): string {
  const type = outcome.headers?.['content-type'];
  const message = statusMessage(outcome.body ?? Buffer.alloc(0), typeof type === 'string' ? type : undefined);
  return message === undefined || message === '' ? '' : `: ${message.slice(0, 200)}`;
}
