/**
 * A loopback TCP front that holds one port for the life of a test file. While up it pipes each
 * connection to the backend's current port; while down it resets every connection, as a stopped
 * backend's port would refuse it. Stopping a server frees its port, and the next server that listens on
 * port 0 (even the receiver under test) may be given that same port: a "down" backend then
 * answers. Holding the port through the gate rules that out.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class PortGate {
  readonly #server: Server;
  readonly #open = new Set<Socket>();
  /** The backend's port; undefined while it is down. */
  #target: number | undefined;

  private constructor(targetPort: number) {
    this.#target = targetPort;
    this.#server = createServer((client) => this.#accept(client));
    this.#server.unref();
  }

  /** A gate on an ephemeral loopback port in front of `targetPort` (127.0.0.1), up. */
  static async start(targetPort: number): Promise<PortGate> {
    const gate = new PortGate(targetPort);
    await new Promise<void>((resolve) => gate.#server.listen(0, '127.0.0.1', resolve));
    return gate;
  }

  /** The port clients connect to. */
  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('the gate is not listening');
    return address.port;
  }

  /** The backend is down: cuts every open connection and resets new ones. */
  down(): void {
    this.#target = undefined;
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
  }

  /** The backend is back, listening on `targetPort`. */
  up(targetPort: number): void {
    this.#target = targetPort;
  }

  #accept(client: Socket): void {
    if (this.#target === undefined) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.#target });
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#open.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        this.#open.delete(socket);
        other.destroy();
      });
      socket.pipe(other);
    }
  }
}
