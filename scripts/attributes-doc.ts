/**
 * docs/attributes.md, generated from the names of agent/semconv.ts: what each span, event,
 * attribute, resource attribute and diagnostics channel is, where it appears and who reads it.
 *
 * Run `npm run docs:attributes` after changing a name; test/agent/semconv.test.ts fails while the
 * file differs from {@link renderAttributesDoc} or a name of agent/semconv.ts is not described here.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as semconv from '../agent/semconv.ts';

const {
  ATTR_BUDGET_CONTEXT: CONTEXT,
  ATTR_BUDGET_MS: BUDGET_MS,
  ATTR_OPERATION: OPERATION,
  ATTR_PHASE: PHASE,
  ATTR_DEGRADATION_LEVEL: LEVEL,
  DECISION_SPAN,
  BUDGET_EXCEEDED_EVENT: EXCEEDED,
  DEGRADATION_DECISION_EVENT: DECISION,
  ADMISSION_SPAN,
  ADMISSION_DECISION_EVENT: ADMISSION_DECISION,
  ATTR_CRITICALITY: CRITICALITY,
} = semconv;

/** What kind of name a {@link TelemetryName} is; one section of the document each. */
export type NameKind = 'scope' | 'span' | 'event' | 'attribute' | 'resource' | 'channel';

/** One name Headroom emits or reads, as docs/attributes.md lists it. */
export interface TelemetryName {
  readonly name: string;
  readonly kind: NameKind;
  /** OpenTelemetry attribute type, for attributes. */
  readonly type?: 'string' | 'string[]' | 'double' | 'int';
  /** UCUM unit of a numeric attribute (`ms` for the legacy names, `1` for ratios). */
  readonly unit?: string;
  /** Where it appears. */
  readonly on: string;
  readonly brief: string;
  /** Who reads it back from finished spans; '' when nobody does. */
  readonly readBy: string;
}

const code = (name: string) => `\`${name}\``;
const SPANS = 'operation, phase and tracked request (server) spans';
const ON_DECISION = `${code(DECISION)} event`;
const ON_EXCEEDED = `${code(EXCEEDED)} event`;
const ON_ADMISSION = `${code(ADMISSION_DECISION)} event`;
const CLASSIFIER = 'span processor and collector: the series of a span from any service';
const CHANNEL = '`node:diagnostics_channel`';
const SEMCONV = 'OpenTelemetry semantic convention (stable).';
const MIDDLEWARE_SPAN = 'server span of a request tracked by the HTTP middleware';
const MIDDLEWARE_OWN_SPAN = 'server span the HTTP middleware starts (when no HTTP instrumentation did)';

function name(
  kind: NameKind,
  entry: string,
  on: string,
  brief: string,
  more: Partial<Pick<TelemetryName, 'type' | 'unit' | 'readBy'>> = {},
): TelemetryName {
  return { name: entry, kind, on, brief, readBy: '', ...more };
}

const string = { type: 'string' } as const;

/** Every name of agent/semconv.ts, in the order docs/attributes.md lists them. */
export const TELEMETRY_NAMES: readonly TelemetryName[] = [
  name('scope', semconv.HEADROOM_SCOPE, 'tracer and meter', 'Every span and metric Headroom emits.', {
    readBy: 'span classifier: spans of this scope are never matched by YAML rules',
  }),
  name(
    'span',
    '(operation name)',
    '`track()`, `wrap()`',
    `One per call: ${code(CONTEXT)}, ${code(BUDGET_MS)}.`,
  ),
  name(
    'span',
    '(phase name)',
    '`op.phase()`',
    `Child of the operation span: ${[OPERATION, CONTEXT, PHASE].map(code).join(', ')}, ${code(BUDGET_MS)} when the phase has a share.`,
  ),
  name(
    'span',
    '(METHOD route)',
    'the HTTP middleware (`headroom-otel/http`, `/express`, `/fastify`), when no HTTP instrumentation started a server span',
    `Kind server, one per request. When a YAML rule matches its route, it (or the instrumentation's server span) carries ${[CONTEXT, BUDGET_MS, OPERATION].map(code).join(', ')}.`,
  ),
  name('span', DECISION_SPAN, 'each degradation decision', `${code(LEVEL)} and one ${code(DECISION)} event.`),
  name(
    'span',
    ADMISSION_SPAN,
    "each admission decision (a class's rejection probability changed)",
    `${code(CRITICALITY)}, ${code(semconv.ATTR_ADMISSION_TO)} and one ${code(ADMISSION_DECISION)} event.`,
  ),
  name(
    'span',
    semconv.SDK_CHECK_SPAN,
    "`start({ sdk: 'external' })`, once, when no span reached Headroom's processor 10 s after start",
    'A probe under an unsampled remote parent: recorded by `headroom.sampler()`, so it reaches the processor; exported by no exporter; never judged.',
  ),
  name('event', EXCEEDED, SPANS, 'The span ended over its effective budget.'),
  name('event', DECISION, `${code(DECISION_SPAN)} span`, 'One decision, with its evidence when it has one.'),
  name(
    'event',
    ADMISSION_DECISION,
    `${code(ADMISSION_SPAN)} span`,
    'One admission decision, with its evidence: the latency (overload, recovery, ineffective, probe), the flow (a rise sized from it, `drained`, a `probe` stepping back).',
  ),
  name('attribute', CONTEXT, `${SPANS}, ${ON_DECISION}`, 'Budget context (`emergency`, `routine`, ...).', {
    ...string,
    readBy: `${CLASSIFIER}; a span carrying it is judged whatever its scope`,
  }),
  name(
    'attribute',
    BUDGET_MS,
    `${SPANS}, ${ON_EXCEEDED}, ${ON_DECISION}`,
    'On spans the base budget (a phase: its share); on events the effective budget compared with.',
    {
      type: 'double',
      unit: 'ms',
      readBy: 'span processor, on its own spans: whether to add the exceeded event',
    },
  ),
  name(
    'attribute',
    OPERATION,
    `phase spans, tracked request (server) spans, ${ON_DECISION}`,
    'Operation of the series.',
    {
      ...string,
      readBy: CLASSIFIER,
    },
  ),
  name('attribute', PHASE, 'phase spans', 'Phase of the operation.', { ...string, readBy: CLASSIFIER }),
  name(
    'attribute',
    LEVEL,
    `${code(DECISION_SPAN)} span, ${ON_ADMISSION}`,
    'On the span the level the decision moved the service to; on an admission decision the level in force. Operation spans do not carry it.',
    string,
  ),
  name('attribute', semconv.ATTR_DEGRADATION_FROM, ON_DECISION, 'Level before the decision.', string),
  name('attribute', semconv.ATTR_DEGRADATION_TO, ON_DECISION, 'Level after the decision.', string),
  name('attribute', semconv.ATTR_DEGRADATION_REASON, ON_DECISION, '`escalation`, `recovery`, ...', string),
  name('attribute', semconv.ATTR_DEGRADATION_MESSAGE, ON_DECISION, 'The decision as a sentence.', string),
  name('attribute', semconv.ATTR_DEGRADATION_DISABLED_FEATURES, ON_DECISION, 'Every feature now off.', {
    type: 'string[]',
  }),
  name(
    'attribute',
    semconv.ATTR_BUDGET_PERCENTILE,
    `${ON_DECISION}, ${ON_ADMISSION}`,
    'Percentile judged (`p95`, ...).',
    string,
  ),
  name('attribute', semconv.ATTR_BUDGET_OBSERVED_MS, ON_DECISION, 'Observed value of that percentile.', {
    type: 'double',
    unit: 'ms',
  }),
  name(
    'attribute',
    semconv.ATTR_BUDGET_RATIO,
    `${ON_EXCEEDED}, ${ON_DECISION}, ${ON_ADMISSION}`,
    'Duration (or percentile) over the effective budget; above 1 is over.',
    { type: 'double', unit: '1' },
  ),
  name('attribute', semconv.ATTR_DURATION_MS, ON_EXCEEDED, 'Duration of the span.', {
    type: 'double',
    unit: 'ms',
  }),
  name(
    'attribute',
    semconv.ATTR_HTTP_STATUS_CLASS,
    MIDDLEWARE_SPAN,
    '`2xx`, `3xx`, `4xx` or `5xx` (a 5xx also sets the span status to `ERROR`).',
    string,
  ),
  name(
    'attribute',
    semconv.ATTR_CRITICALITY,
    `${MIDDLEWARE_SPAN}, operation spans of \`track()\`, ${code(ADMISSION_SPAN)} span, ${ON_ADMISSION}`,
    'Criticality class (on admission decisions: the class whose probability changed): `CRITICAL_PLUS`, `CRITICAL`, `SHEDDABLE_PLUS` or `SHEDDABLE`; also the W3C baggage key the class travels under.',
    {
      ...string,
      readBy:
        "the span processor and the collector's receiver: the class whose latency admission control judges",
    },
  ),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_OUTCOME,
    MIDDLEWARE_SPAN,
    '`rejected` when admission turned the request away (503); such a span is not judged.',
    { ...string, readBy: 'the span processor and the receiver: a rejected request is never judged' },
  ),
  name('attribute', semconv.ATTR_ADMISSION_FROM, ON_ADMISSION, "The class's rejection probability before.", {
    type: 'double',
    unit: '1',
  }),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_TO,
    `${code(ADMISSION_SPAN)} span, ${ON_ADMISSION}`,
    "The class's rejection probability after.",
    { type: 'double', unit: '1' },
  ),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_REASON,
    ON_ADMISSION,
    '`overload`, `recovery`, `ineffective`, `drained`, `probe`, `degradation-level`, `reconfigured` or `stale`.',
    string,
  ),
  name('attribute', semconv.ATTR_ADMISSION_MESSAGE, ON_ADMISSION, 'The decision as a sentence.', string),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_PROTECTED_CRITICALITY,
    ON_ADMISSION,
    'Overload and recovery: the protected class whose latency drove the decision (the worst one).',
    string,
  ),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_THRESHOLD_RATIO,
    ON_ADMISSION,
    'Overload and recovery: the ratio the evidence was compared with (`admission.targetRatio`, or the exit ratio).',
    { type: 'double', unit: '1' },
  ),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_SAMPLE_COUNT,
    ON_ADMISSION,
    "Overload and recovery: the protected class's samples in `admission.window`.",
    { type: 'int' },
  ),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_FLOW_ADMITTED,
    ON_ADMISSION,
    'A decision the flow drove (a rise sized from it, `drained`, a `probe` stepping back): requests admitted over the window.',
    { type: 'int' },
  ),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_FLOW_FINISHED,
    ON_ADMISSION,
    'A decision the flow drove: operations finished over the window.',
    { type: 'int' },
  ),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_FLOW_WAITING,
    ON_ADMISSION,
    'A decision the flow drove: operations admitted and not finished yet (the backlog).',
    { type: 'int' },
  ),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_FLOW_WINDOW,
    ON_ADMISSION,
    "A decision the flow drove: the span the flow's counts cover.",
    { type: 'double', unit: 'ms' },
  ),
  name(
    'attribute',
    semconv.ATTR_ADMISSION_FLOW_READING,
    ON_ADMISSION,
    'A decision the flow drove: what the flow shows (`over-rate`, `backlog`, `lost-capacity`, `draining`, `in-flight` or `unconfirmed`).',
    string,
  ),
  name(
    'attribute',
    semconv.ATTR_HTTP_ROUTE,
    MIDDLEWARE_SPAN,
    `${SEMCONV} Route template (\`/users/:id\`), once routed.`,
    {
      ...string,
      readBy: 'YAML rules (`match.attributes`), for the HTTP middleware as for any span',
    },
  ),
  name('attribute', semconv.ATTR_HTTP_REQUEST_METHOD, MIDDLEWARE_OWN_SPAN, SEMCONV, {
    ...string,
    readBy: 'YAML rules (`match.attributes`), for the HTTP middleware as for any span',
  }),
  name('attribute', semconv.ATTR_URL_PATH, MIDDLEWARE_OWN_SPAN, SEMCONV, string),
  name('attribute', semconv.ATTR_HTTP_RESPONSE_STATUS_CODE, MIDDLEWARE_OWN_SPAN, SEMCONV, { type: 'int' }),
  name('resource', semconv.ATTR_SERVICE_NAME, 'the resource Headroom creates', SEMCONV, {
    ...string,
    readBy: 'span processor and collector: the service of a series',
  }),
  name('resource', semconv.ATTR_SERVICE_NAMESPACE, 'the resource, when configured', SEMCONV, {
    ...string,
    readBy: 'span processor and collector: the namespace (tenant) of a series',
  }),
  name('resource', semconv.ATTR_SERVICE_VERSION, 'the resource, when configured', SEMCONV, string),
  name('channel', semconv.BUDGET_VIOLATION_CHANNEL, CHANNEL, 'Each verdict over budget, at each tick.'),
  name('channel', semconv.DEGRADATION_DECISION_CHANNEL, CHANNEL, 'Each degradation decision.'),
  name(
    'channel',
    semconv.ADMISSION_DECISION_CHANNEL,
    CHANNEL,
    "Each admission decision (a class's rejection probability changed).",
  ),
  name('channel', semconv.ALERT_EVENT_CHANNEL, CHANNEL, 'Each alert event (firing, resolved, ...).'),
];

const SECTIONS: readonly [NameKind, string, readonly string[]][] = [
  ['scope', 'Instrumentation scope', ['name', 'names the', 'meaning', 'read by']],
  ['span', 'Spans', ['name', 'started by', 'carries']],
  ['event', 'Span events', ['name', 'on', 'meaning']],
  ['attribute', 'Attributes', ['name', 'type', 'unit', 'on', 'meaning', 'read by']],
  ['resource', 'Resource attributes', ['name', 'type', 'on', 'meaning', 'read by']],
  ['channel', 'Diagnostics channels (published only while someone subscribes)', ['name', 'on', 'carries']],
];

function cells(entry: TelemetryName, kind: NameKind): string[] {
  const shown = entry.name.startsWith('(') ? entry.name : code(entry.name);
  const type = entry.type ?? '';
  const unit = entry.unit === undefined ? '' : code(entry.unit);
  if (kind === 'attribute') return [shown, type, unit, entry.on, entry.brief, entry.readBy];
  if (kind === 'resource') return [shown, type, entry.on, entry.brief, entry.readBy];
  if (kind === 'scope') return [shown, entry.on, entry.brief, entry.readBy];
  return [shown, entry.on, entry.brief];
}

const row = (values: readonly string[]) => `| ${values.join(' | ')} |`;

/** The whole of docs/attributes.md. */
export function renderAttributesDoc(names: readonly TelemetryName[] = TELEMETRY_NAMES): string {
  const legacy = semconv.LEGACY_UNIT_NAMES.map(code).join(', ');
  const parts = [
    '# Telemetry names',
    '',
    '<!-- Generated from agent/semconv.ts by `npm run docs:attributes`; do not edit by hand. -->',
    '',
    'Every span attribute, span and event name, the instrumentation scope and the diagnostics',
    'channels Headroom emits or reads, all defined in `agent/semconv.ts`.',
    '',
    'Naming follows the OpenTelemetry semantic conventions: lowercase, namespaced with dots under',
    '`headroom.`, snake_case inside a component. A new numeric attribute is named for the quantity it',
    'measures (`duration`, `size`, `ratio`), never for its unit, and holds the base unit (UCUM `s`,',
    '`By`, `1`) given in the unit column, as `http.request.body.size` does.',
    `Three names were on the wire before this rule: ${legacy}.`,
    "They keep their names and millisecond values, so saved trace queries and other services' spans",
    'keep working. A rename emits the new name and keeps reading the old one on ingest.',
    '',
    'Metric names follow Prometheus naming and are listed in docs/metrics.md.',
  ];
  for (const [kind, title, header] of SECTIONS) {
    parts.push('', `## ${title}`, '', row(header), row(header.map(() => '---')));
    for (const entry of names.filter((n) => n.kind === kind)) parts.push(row(cells(entry, kind)));
  }
  return `${parts.join('\n')}\n`;
}

if (import.meta.main) {
  writeFileSync(resolve(import.meta.dirname, '../docs/attributes.md'), renderAttributesDoc());
  console.log('wrote docs/attributes.md');
}
