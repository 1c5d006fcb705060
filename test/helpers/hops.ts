/**
 * Services of a call graph in one process, for tests of what crosses a hop: embedded Headrooms
 * (one may register the process's SDK: its context manager and propagators) and node:http servers
 * on loopback, all closed by {@link Hops.close}.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../agent/index.ts';
import type { HeadroomConfigInput } from '../../config/index.ts';
import type { EmbeddedHeadroom } from '../../instrumentation/index.ts';
import { ScriptedLoad } from './agent.ts';
import { startInstrumented } from './headroom.ts';

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

export class Hops {
  readonly servers: Server[] = [];
  readonly headrooms: EmbeddedHeadroom[] = [];

  /** An embedded Headroom named `name`; `registerGlobal` installs its SDK for the process. */
  headroom(name: string, config: HeadroomConfigInput, registerGlobal: boolean): EmbeddedHeadroom {
    const started = startInstrumented({
      config: { service: { name }, ...config },
      env: {},
      registerGlobal,
      clock: new ManualClock(Date.now()),
      loadSampler: new ScriptedLoad(),
    });
    this.headrooms.push(started);
    return started;
  }

  /** `listener` (or a server built elsewhere, e.g. by a patched node:http) on loopback; its URL. */
  async listen(listener: Listener | Server): Promise<string> {
    const server = typeof listener === 'function' ? createServer(listener) : listener;
    this.servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Closes every server and shuts every Headroom down. */
  async close(): Promise<void> {
    for (const server of this.servers.splice(0)) server.close();
    for (const headroom of this.headrooms.splice(0)) await headroom.shutdown();
  }
}
