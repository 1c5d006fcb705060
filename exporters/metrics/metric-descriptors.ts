/**
 * Names, help texts and units of every metric Headroom exports. Names are final Prometheus names:
 * counters already end in `_total` (so the serializer adds nothing) and durations are in seconds.
 * Units use Prometheus' spelling (`seconds`, `ratio`) and only where the name ends with them: the
 * OpenTelemetry JS serializer writes the unit verbatim as `# UNIT`, and OpenMetrics requires it to
 * be the suffix of the family name (counters carry none: their family name is the one without `_total`).
 */
import { ValueType } from '@opentelemetry/api';
import type { MetricDescriptor } from '@opentelemetry/sdk-metrics';

function metric(name: string, description: string, unit = ''): MetricDescriptor {
  return Object.freeze({ name, description, unit, valueType: ValueType.DOUBLE });
}

/** Every exported metric, keyed by a short name. */
export const METRICS = Object.freeze({
  operationDuration: metric(
    'headroom_operation_duration_seconds',
    'Duration of tracked operations; every configured budget is a bucket boundary (le).',
    'seconds',
  ),
  operations: metric('headroom_operations_total', 'Operations recorded (samples the agent accepted).'),
  operationErrors: metric('headroom_operation_errors_total', 'Recorded operations that ended in error.'),
  // Counts evaluations (ticks), not operations: slow operations are in the duration histogram.
  budgetViolations: metric(
    'headroom_budget_violated_evaluations_total',
    'Evaluations (one per series per evaluation interval, once it has enough samples) whose verdict was violated: the judged percentile over the effective budget. Counts ticks, not operations.',
  ),
  latency: metric(
    'headroom_latency_seconds',
    "Latency percentile over the agent's sliding window (DDSketch estimate).",
    'seconds',
  ),
  budget: metric(
    'headroom_budget_seconds',
    'Effective latency budget: base budget x load x modifiers x class multiplier, clamped.',
    'seconds',
  ),
  budgetBase: metric(
    'headroom_budget_base_seconds',
    'Configured latency budget before adaptive scaling.',
    'seconds',
  ),
  budgetUtilization: metric(
    'headroom_budget_utilization_ratio',
    'Observed latency at the judged percentile divided by the effective budget; above 1 is a violation.',
    'ratio',
  ),
  degradationLevel: metric(
    'headroom_degradation_level',
    'Degradation level of the service: 0 NONE, 1 MINIMAL, 2 MODERATE, 3 SEVERE, 4 CRITICAL.',
  ),
  degradationState: metric(
    'headroom_degradation_state',
    "1 for the service's current degradation level, 0 for the other levels.",
  ),
  degradationTransitions: metric(
    'headroom_degradation_transitions_total',
    'Degradation decisions by origin level, target level and reason.',
  ),
  admissionRequests: metric(
    'headroom_admission_requests_total',
    "Requests admission judged (admit() and the HTTP middleware in the agent's own process), by criticality class and outcome (admitted, rejected).",
  ),
  admissionRejectionProbability: metric(
    'headroom_admission_rejection_probability',
    "Probability (0..1) that admission rejects a request of the class now: the controller's value raised to the degradation level's floor, within its cap; always 0 for CRITICAL_PLUS.",
  ),
  samplesDropped: metric(
    'headroom_samples_dropped_total',
    'Samples the agent refused: invalid duration or end time, older than the window (late), or longer than window.maxSpanDuration (duration).',
  ),
  series: metric('headroom_series', 'Series the agent holds, overflow series included.'),
  seriesOverflowed: metric(
    'headroom_series_overflowed_total',
    'Series lookups sent to an overflow series because window.maxSeries was reached.',
  ),
  evaluationDuration: metric(
    'headroom_evaluation_duration_seconds',
    'Wall time of the last evaluation tick.',
    'seconds',
  ),
  evaluations: metric('headroom_evaluations_total', 'Evaluation ticks run.'),
  evaluationSeconds: metric(
    'headroom_evaluation_seconds_total',
    'Wall time spent in evaluation ticks, seconds.',
  ),
  loadFactor: metric('headroom_load_factor', 'Load factor the budgets are scaled by (1 = as configured).'),
  exporterSeriesOverflowed: metric(
    'headroom_exporter_series_overflowed_total',
    'Label sets folded into an overflow series by the exporter cap (exporters.prometheus.maxSeries), added at each collection.',
  ),
  receiverRequests: metric(
    'headroom_receiver_requests_total',
    'OTLP requests received (OTLP/gRPC: Export calls), refused ones included, by transport (http, grpc).',
  ),
  receiverSpans: metric('headroom_receiver_spans_total', 'Spans received in decoded OTLP requests.'),
  receiverSpansRejected: metric(
    'headroom_receiver_spans_rejected_total',
    'Spans refused one by one (reported as partial success), by reason (invalid_id, missing_time, end_before_start, duration, future, service_limit).',
  ),
  receiverSpansRetimed: metric(
    'headroom_receiver_spans_retimed_total',
    "Accepted spans whose end time was moved by their sender's estimated clock skew (more than one window slot).",
  ),
  receiverClockSkew: metric(
    'headroom_receiver_clock_skew_seconds',
    "Estimated offset of each service's clock behind the collector's (negative: ahead), from arrival against span end times over recent batches.",
    'seconds',
  ),
  receiverDataPoints: metric(
    'headroom_receiver_data_points_total',
    'Metric data points received in OTLP requests.',
  ),
  receiverRefused: metric(
    'headroom_receiver_refused_requests_total',
    'OTLP requests refused as a whole, by reason (unauthorized, forbidden, too_large, unsupported_media_type, bad_request, queue_full, memory, storage, closing, timeout) and transport (http, grpc).',
  ),
  receiverInFlight: metric(
    'headroom_receiver_requests_in_flight',
    'OTLP requests admitted and not answered yet.',
  ),
  receiverBufferedBodyBytes: metric(
    'headroom_receiver_buffered_body_bytes',
    'Body bytes held by OTLP requests being received or processed (admission budget in use).',
    'bytes',
  ),
  receiverDecodeSeconds: metric(
    'headroom_receiver_decode_seconds_total',
    'Time spent decoding OTLP request bodies, seconds.',
  ),
  receiverServicesRefused: metric(
    'headroom_receiver_services_refused_total',
    'Spans of new services refused because the service directory was full.',
  ),
  forwarderRequests: metric(
    'headroom_forwarder_requests_total',
    'OTLP requests forwarded to (and accepted by) the backend, by signal.',
  ),
  forwarderSentSpans: metric('headroom_forwarder_sent_spans_total', 'Spans forwarded to the backend.'),
  forwarderSentPoints: metric(
    'headroom_forwarder_sent_metric_points_total',
    'Metric data points forwarded to the backend.',
  ),
  forwarderDroppedSpans: metric(
    'headroom_forwarder_dropped_spans_total',
    'Spans the forwarder dropped, by reason (queue_full, retries_exhausted, non_retryable, shutdown, unconvertible).',
  ),
  forwarderDroppedPoints: metric(
    'headroom_forwarder_dropped_metric_points_total',
    'Metric data points the forwarder dropped, by reason (queue_full, retries_exhausted, non_retryable, shutdown, unconvertible).',
  ),
  forwarderRetries: metric(
    'headroom_forwarder_retries_total',
    'Forwarded requests re-sent after a retryable failure, by signal.',
  ),
  forwarderQueueSize: metric(
    'headroom_forwarder_queue_size',
    'Items (spans, metric data points) waiting or in flight in the forwarder, by signal.',
  ),
  forwarderQueueCapacity: metric(
    'headroom_forwarder_queue_capacity',
    'Most items the forwarder holds (exporters.otlp.queue.maxSize), by signal.',
  ),
  exporterSpansSent: metric('headroom_exporter_sent_spans_total', 'Spans the OTLP backend accepted.'),
  exporterSpansDropped: metric(
    'headroom_exporter_dropped_spans_total',
    'Spans the OTLP exporter dropped, by reason (queue_full, retries_exhausted, non_retryable, shutdown).',
  ),
  exporterRetries: metric(
    'headroom_exporter_retries_total',
    'OTLP export requests re-sent after a retryable failure.',
  ),
  exporterQueueSize: metric('headroom_exporter_queue_size', 'Spans held by the OTLP exporter now.'),
  sloObjective: metric(
    'headroom_slo_objective_ratio',
    'Share of operations an SLO wants good (within budget, not failed).',
    'ratio',
  ),
  sloBudgetRemaining: metric(
    'headroom_slo_error_budget_remaining_ratio',
    'Share of the error budget left over the SLO window; negative once overspent.',
    'ratio',
  ),
  sloBurnRate: metric(
    'headroom_slo_burn_rate',
    'Error ratio over the window divided by the error budget (1 spends the budget in exactly one SLO window).',
  ),
  sloTimeToExhaustion: metric(
    'headroom_slo_time_to_exhaustion_seconds',
    'Time until the error budget is spent at the current 1 h burn rate; absent when nothing burns.',
    'seconds',
  ),
  sloEvents: metric(
    'headroom_slo_events_total',
    'Operations an SLO counted for a service, by outcome: bad when slower than the base budget of their series or failed, else good.',
  ),
  sloEventsStartTime: metric(
    'headroom_slo_events_start_time_seconds',
    'When the headroom_slo_events_total counters of an SLO and service started from zero, Unix time.',
    'seconds',
  ),
  exporterQueueCapacity: metric(
    'headroom_exporter_queue_capacity',
    'Most spans the OTLP exporter holds (queue.maxSize).',
  ),
  alertNotifications: metric(
    'headroom_alert_notifications_total',
    'Alert notifications delivered, by channel (log lines written, webhook events and Alertmanager alerts posted, resends included).',
  ),
  alertNotificationsFailed: metric(
    'headroom_alert_notifications_failed_total',
    'Alert notifications given up, by channel and reason (queue_full, non_retryable, retries_exhausted, shutdown, invalid).',
  ),
  alertNotificationRequestsFailed: metric(
    'headroom_alert_notification_requests_failed_total',
    'Delivery attempts that failed (network error, timeout, non-2xx reply), retried or not, by channel.',
  ),
  alertNotificationRetries: metric(
    'headroom_alert_notification_retries_total',
    'Delivery attempts re-made after a retryable failure, by channel.',
  ),
  alertNotificationsQueued: metric(
    'headroom_alert_notifications_queued',
    'Alert notifications waiting or in flight, by channel.',
  ),
  alertNotificationsUnrouted: metric(
    'headroom_alert_notifications_unrouted_total',
    'Deliveries skipped because an alert named a channel that does not exist.',
  ),
  cardinalityOverflowed: metric(
    'headroom_cardinality_overflowed_total',
    'Values folded into an overflow series or refused because a cap was reached, by dimension (namespace, service, operation, context, phase, series).',
  ),
  namesTruncated: metric(
    'headroom_names_truncated_total',
    'Names cut to limits.nameLength, by dimension (namespace, service, operation, context, phase).',
  ),
  seriesEvicted: metric(
    'headroom_series_evicted_total',
    'Series removed after limits.idleTime without a sample.',
  ),
  servicesEvicted: metric(
    'headroom_services_evicted_total',
    'Services forgotten after limits.idleTime idle at NONE, without override or firing alert.',
  ),
  stateStoreMode: metric(
    'headroom_state_store_mode',
    'How the durable state store is used, a state set (1 for the current mode): persistent, opening, memory_locked (another process holds it), memory_unavailable (it could not be opened).',
  ),
  stateCheckpointsEnabled: metric(
    'headroom_state_checkpoints_enabled',
    'Whether state checkpoints are written (1) or off (0: no store open, or a write failed, e.g. a full disk, until a restart).',
  ),
  stateCheckpoints: metric('headroom_state_checkpoints_total', 'State checkpoints written to the store.'),
  stateCheckpointFailures: metric(
    'headroom_state_checkpoint_failures_total',
    'State checkpoints that could not be written (disk full, store unwritable); the first turns checkpoints off.',
  ),
  stateCheckpointBytes: metric(
    'headroom_state_checkpoint_bytes_total',
    'Size of the state values written by checkpoints (their JSON text), bytes.',
  ),
  stateCheckpointDuration: metric(
    'headroom_state_checkpoint_duration_seconds',
    'How long the last state checkpoint written took (one write transaction).',
    'seconds',
  ),
  scrapesRefused: metric(
    'headroom_prometheus_scrapes_refused_total',
    'Scrapes answered 503, by reason (too_large: over exporters.prometheus.maxScrapeSize; failed).',
  ),
  scrapeSize: metric(
    'headroom_prometheus_scrape_size_bytes',
    'Size of the last exposition served, bytes.',
    'bytes',
  ),
  collectionErrors: metric(
    'headroom_metric_collection_errors_total',
    "Parts of Headroom's metrics collections that failed (logged); their metrics were left out and the rest served.",
  ),
  clusterWorkers: metric(
    'headroom_cluster_workers',
    'Cluster workers the primary hears from (said hello or shipped a delta, not exited).',
  ),
  clusterWorkersExited: metric(
    'headroom_cluster_workers_exited_total',
    'Cluster workers that exited; what they shipped up to their last delta stays merged.',
  ),
  clusterDeltas: metric('headroom_cluster_deltas_total', "Workers' deltas merged by the primary."),
  clusterRefused: metric(
    'headroom_cluster_refused_total',
    "Parts of workers' deltas refused, by what (message: malformed or another window shape; series: malformed or other histogram bounds; slot: malformed or older than the window; admission: a malformed ratio bucket or service).",
  ),
  clusterAdmissionFallbacks: metric(
    'headroom_cluster_admission_fallbacks_total',
    "Times a worker dropped the primary's shedding (an admission state not renewed within 3 evaluation intervals), keeping only the floors of its level until the primary's next state.",
  ),
  clusterSamplesDropped: metric(
    'headroom_cluster_samples_dropped_total',
    'Samples the workers dropped, by reason (invalid, late, duration as in headroom_samples_dropped_total; backlog: held longer than a window unshipped).',
  ),
  criticalityInvalid: metric(
    'headroom_criticality_invalid_total',
    "headroom.criticality values that were no class (exact spelling: CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE) and were ignored, by source (baggage: the W3C baggage entry, each time it was read; span: the attribute of a judged span, which then counts in its series' class).",
  ),
  clientThrottleRequests: metric(
    'headroom_client_throttle_requests_total',
    'Outbound calls attempted through headroom.throttle(target), by target, criticality and outcome (sent; throttled: rejected locally, never sent).',
  ),
  clientThrottleResults: metric(
    'headroom_client_throttle_results_total',
    'Sent outbound calls by how the backend took them, by target, criticality and outcome (accepted; refused: HTTP 429 or 503, or failed without a reply; aborted: by the caller, counted in neither).',
  ),
  clientThrottleProbability: metric(
    'headroom_client_throttle_rejection_probability',
    "Probability that a new call to the target in this class is rejected locally now: max(0, (requests - k x accepts) / (requests + 1)) over admission.clientThrottle.window (Google SRE's client-side throttling).",
  ),
});

/** Service label of the series that per-service label sets beyond the cap fold into. */
export const OVERFLOW_SERVICE = '__overflow__';
