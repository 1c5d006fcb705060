/**
 * A raw TCP client that writes HTTP/1.1 byte by byte as a slow or hostile sender would, and reads
 * whatever the server answers until it closes the connection.
 */
import { connect, type Socket } from 'node:net';

/** What the server sent back, parsed from the raw bytes. */
export interface RawResponse {
  /** 0 when the server closed without answering. */
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The socket error, e.g. `ECONNRESET`, when the connection failed. */
  readonly error?: string;
}

/** An open connection and the response it will get. */
export interface RawConnection {
  readonly socket: Socket;
  /** Resolves once the server closes the connection (or it fails). */
  readonly response: Promise<RawResponse>;
  write(text: string | Uint8Array): void;
}

/** Connects to `url`'s host and port; resolves once connected. */
export async function rawConnect(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  const chunks: Buffer[] = [];
  const response = new Promise<RawResponse>((resolve) => {
    let error: string | undefined;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (failure: NodeJS.ErrnoException) => {
      error = failure.code ?? failure.message;
    });
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks).toString('latin1'), error)));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    response,
    write: (text) => {
      if (!socket.destroyed) socket.write(text);
    },
  };
}

/** Request line and headers of a POST, ready to write (the body follows). */
export function postHead(path: string, headers: Readonly<Record<string, string | number>>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.join('')}\r\n`;
}

function parseResponse(text: string, error: string | undefined): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return { status: 0, headers: {}, body: '', ...(error === undefined ? {} : { error }) };
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: text.slice(end + 4),
    ...(error === undefined ? {} : { error }),
  };
}
