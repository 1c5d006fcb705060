/** Span attributes Headroom sets; everything else on its spans follows OTel semantic conventions. */

/** Budget context the operation is judged in (`emergency`, `routine`, ...). */
export const ATTR_BUDGET_CONTEXT = 'headroom.budget.context';
/** Base budget of the operation (or of the phase: its share), ms. */
export const ATTR_BUDGET_MS = 'headroom.budget.ms';
/** Operation name of the series the span feeds (the span name may differ). */
export const ATTR_OPERATION = 'headroom.operation';
/** Phase of the operation, on phase spans. */
export const ATTR_PHASE = 'headroom.phase';
/** Degradation level the service ran at when the operation started. */
export const ATTR_DEGRADATION_LEVEL = 'headroom.degradation.level';
/** Instrumentation scope of Headroom's own spans. */
export const HEADROOM_SCOPE = 'headroom-otel';
