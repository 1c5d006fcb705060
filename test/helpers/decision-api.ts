/**
 * A real decision API (127.0.0.1, port 0) serving one service of an agent, and decision clients
 * of that service (`connectDecisions`, or `followDecisions` on a manual clock), all closed by
 * `close()`: the set-up the remote client's tests share.
 */
import type { Agent, ManualClock } from '../../agent/index.ts';
import { type DecisionApi, startDecisionApi } from '../../collector/api/index.ts';
import { ServiceDirectory } from '../../collector/service-directory.ts';
import {
  type ConnectDecisionsOptions,
  connectDecisions,
  followDecisions,
  type RemoteDecisions,
} from '../../instrumentation/remote/index.ts';

/** The one reader token the API accepts. */
export const READER_TOKEN = 'reader-token-0123456789';
/** Reconnect backoff short enough for tests, ms. */
export const FAST_BACKOFF = { initialMs: 10, maxMs: 40 };

/** Options of {@link DecisionApiHarness.connect}: a `clock` follows the stream on it. */
type ConnectOptions = Partial<ConnectDecisionsOptions> & { url: string; clock?: ManualClock };

/** See the module comment. */
interface DecisionApiHarness {
  /** Serves `agent`'s decision API, the service already known to its directory. */
  serve(agent: Agent, port?: number): Promise<DecisionApi>;
  /** A client of the service with the reader token and {@link FAST_BACKOFF}, `options` over them. */
  connect(options: ConnectOptions): RemoteDecisions;
  /** Closes every client, then every server. */
  close(): Promise<void>;
}

/**
 * @param service the service the API knows and the clients follow
 * @param namespace its namespace; '' leaves `namespace` out of the clients' options
 */
export function decisionApiHarness(service: string, namespace = ''): DecisionApiHarness {
  const servers: DecisionApi[] = [];
  const clients: RemoteDecisions[] = [];
  return {
    async serve(agent, port = 0) {
      const directory = new ServiceDirectory();
      directory.note(service, namespace, agent.clock.now());
      const config = {
        ...agent.config.api,
        port,
        tokens: [{ name: 'reader', token: READER_TOKEN, scopes: ['read' as const] }],
      };
      const server = await startDecisionApi({ agent, directory, config });
      servers.push(server);
      return server;
    },
    connect({ clock, ...options }) {
      const settings = {
        service,
        ...(namespace === '' ? {} : { namespace }),
        token: READER_TOKEN,
        backoff: FAST_BACKOFF,
        ...options,
      };
      const client = clock === undefined ? connectDecisions(settings) : followDecisions(settings, clock);
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients.splice(0)) client.close();
      for (const server of servers.splice(0)) await server.close();
    },
  };
}
