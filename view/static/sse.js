// Server-Sent Events read from a fetch() body (WHATWG HTML, "Server-sent events", parsing an event
// stream). EventSource cannot send an Authorization header, so the page reads the stream itself.

/**
 * Parses an event stream: calls `onEvent({ event, data, id })` for each dispatched event (the
 * default event name is `message`), `onActivity()` for every chunk, comments included (the
 * server's `: keepalive` proves the stream alive). Resolves when the body ends.
 * @param {ReadableStream<Uint8Array>} body
 * @param {(event: { event: string, data: string, id: string | undefined }) => void} onEvent
 * @param {() => void} onActivity
 */
export async function readEvents(body, onEvent, onActivity) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let fields = { event: '', data: [], id: undefined };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onActivity();
    buffer += value;
    // The last piece may be a line still arriving; a trailing CR may be half of a CRLF: kept back.
    const held = buffer.endsWith('\r') ? '\r' : '';
    const lines = (held ? buffer.slice(0, -1) : buffer).split(/\r\n|\r|\n/);
    buffer = (lines.pop() ?? '') + held;
    for (const line of lines) {
      if (line === '') {
        if (fields.data.length > 0) {
          onEvent({ event: fields.event || 'message', data: fields.data.join('\n'), id: fields.id });
        }
        fields = { event: '', data: [], id: fields.id };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'event') fields.event = value;
      else if (name === 'data') fields.data.push(value);
      else if (name === 'id' && !value.includes('\0')) fields.id = value;
    }
  }
}
