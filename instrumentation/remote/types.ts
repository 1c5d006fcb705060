/** The contract of the remote-decisions client: its options and what it reports. */
import type {
  AdmissionDecision,
  AdmissionResult,
  Criticality,
  DegradationDecision,
  DegradationLevel,
  FeatureFlags,
} from '../../agent/index.ts';
import type { FeatureName } from '../../config/index.ts';
import type { BackoffOptions } from './backoff.ts';

/** Options of `connectDecisions`. */
export interface ConnectDecisionsOptions {
  /** Base URL of the decision API, e.g. `http://127.0.0.1:4320` (http or https). */
  readonly url: string;
  /** service.name whose decisions to follow (not empty). */
  readonly service: string;
  /**
   * service.namespace of that service (the same as its resource's); a service is
   * (namespace, name), so `checkout` in `payments` and in `shop` are two services.
   * @default '' (a service without a namespace)
   */
  readonly namespace?: string;
  /** Bearer token with the `read` scope. @default none (the API must allow anonymous read) */
  readonly token?: string;
  /** Called with each decision as it arrives (also those replayed after a reconnection); a throw is logged. */
  readonly onDecision?: (decision: DegradationDecision) => void;
  /**
   * Called with each admission decision of the service (a class's rejection probability changed)
   * as it arrives; missed ones are not replayed (the admission state sent on reconnecting is
   * authoritative). A throw is logged.
   */
  readonly onAdmissionDecision?: (decision: AdmissionDecision) => void;
  /** Uniform draws in [0, 1) that decide each `admit()`. @default Math.random */
  readonly random?: () => number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Reconnection delays. @default 0.5 s doubling to 30 s, each +/-50 % */
  readonly backoff?: BackoffOptions;
  /** A stream silent this long is presumed dead and reopened, ms (the API sends keepalives every 15 s). @default 45000 */
  readonly idleTimeoutMs?: number;
  /**
   * The client is `stale` when it has heard nothing from the agent (no event, no keepalive) for
   * this long, ms, connected or not; also from its start until the first word. @default 45000
   */
  readonly staleAfterMs?: number;
  /**
   * The level reported while `stale`: `'last'` keeps the last known level (and its features);
   * a level (e.g. `'NONE'`, fail open, or `'SEVERE'`, fail safe) replaces it, with
   * `fallbackDisabledFeatures` off. @default 'last'
   */
  readonly fallbackLevel?: DegradationLevel | 'last';
  /** Features off while `fallbackLevel` (a level) applies. @default [] (every feature on) */
  readonly fallbackDisabledFeatures?: readonly FeatureName[];
  /** Source of `lastUpdateMs` and of staleness, ms since the epoch. @default Date.now */
  readonly now?: () => number;
}

/** The service's admission as the collector last described it (`admission-state` events). */
export interface RemoteAdmissionState {
  /** The collector's `admission.enabled`. */
  readonly enabled: boolean;
  /** Rejection probability in force per class, 0..1 (CRITICAL_PLUS always 0). */
  readonly probabilities: Readonly<Record<Criticality, number>>;
  /** What a rejected request is told to wait, ms (the collector's `admission.retryAfter`). */
  readonly retryAfterMs: number;
}

/** What a {@link RemoteDecisions} client knows now, as one plain value. */
export interface RemoteDecisionsState {
  /** The level the service should act on: the last known one, or `fallbackLevel` while stale. */
  readonly level: DegradationLevel;
  /** Features off at that level. */
  readonly disabledFeatures: readonly FeatureName[];
  readonly connected: boolean;
  /** Nothing heard from the agent (event or keepalive) for `staleAfterMs`. */
  readonly stale: boolean;
  /** When the last state or decision arrived, ms since the epoch; `undefined` before the first. */
  readonly lastUpdateMs: number | undefined;
  /** When the agent was last heard from (anything, keepalives included), ms; `undefined` before. */
  readonly lastHeardMs: number | undefined;
  /** The instance id of the agent that spoke last; `undefined` before the first word. */
  readonly agentInstanceId: string | undefined;
  /**
   * The service's admission as last heard (kept while the stream is down, but not used by
   * `admit()` then); `undefined` before the first `admission-state` and after an agent restart.
   */
  readonly admission: RemoteAdmissionState | undefined;
  /**
   * The requests this client's `admit()` decided, per class, since it was created: admitted
   * (every one while it has no usable state) and rejected. The collector counts none of them (it
   * sees spans, not admissions): this is `headroom_admission_requests_total{criticality, outcome}`
   * of a service in collector mode, for the service's own metrics.
   */
  readonly requests: Readonly<Record<Criticality, { readonly admitted: number; readonly rejected: number }>>;
}

/** The last known decisions of one service. */
export interface RemoteDecisions {
  /** The last known level (NONE until the agent has said otherwise), or `fallbackLevel` while stale. */
  readonly level: DegradationLevel;
  /** O(1) feature switches of {@link level}; every feature on at first. */
  readonly features: FeatureFlags;
  /** Whether the stream is open now. */
  readonly connected: boolean;
  /** Whether nothing (no event, no keepalive) came from the agent for `staleAfterMs`. */
  readonly stale: boolean;
  /** When the last state or decision arrived, ms since the epoch; `undefined` before the first. */
  readonly lastUpdateMs: number | undefined;
  /**
   * Decides one request of `criticality` (default CRITICAL; an unknown value counts as CRITICAL)
   * with the collector's rejection probabilities, drawing `random()`: rejected with the class's
   * probability, CRITICAL_PLUS never. Admitted while the client has no admission state yet, while
   * the stream is down or stale (it sheds only on the word of an agent it hears now), and when
   * the collector's admission is disabled. Never throws. Counted here (`state().requests`), not at
   * the collector.
   */
  admit(criticality?: Criticality): AdmissionResult;
  /** Everything above, and the agent's instance id, as one value. */
  state(): RemoteDecisionsState;
  /** Stops following the stream and aborts the request. Idempotent. */
  close(): void;
}
