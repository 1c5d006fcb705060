/**
 * The one source of truth for Headroom's configuration: YAML is validated against this schema,
 * defaults live here, and the TypeScript types are inferred from it (`HeadroomConfig`).
 */
import { z } from 'zod';
import { adaptiveSchema } from './schema/adaptive.ts';
import { admissionSchema, criticalitySchema } from './schema/admission.ts';
import { alertingSchema, sloSchema } from './schema/alerting.ts';
import { contextsSchema, evaluationSchema, ruleSchema, windowSchema } from './schema/budgets.ts';
import { apiSchema, receiverSchema } from './schema/collector.ts';
import { degradationSchema } from './schema/degradation.ts';
import { exportersSchema } from './schema/exporters.ts';
import { shutdownSchema } from './schema/lifecycle.ts';
import { limitsSchema } from './schema/limits.ts';
import { checkReferences } from './schema/references.ts';
import { storageSchema } from './schema/storage.ts';
import { checkTenancy } from './schema/tenancy.ts';
import { uiSchema } from './schema/ui.ts';

const serviceSchema = z.strictObject({
  name: z.string().min(1).optional().meta({ description: 'service.name; OTEL_SERVICE_NAME when omitted.' }),
  namespace: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'service.namespace (the tenant in collector mode).' }),
  version: z.string().min(1).optional(),
  resourceAttributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

/** The whole configuration file. Every key is optional: an empty file is a valid config. */
export const configSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .meta({ description: 'false turns Headroom off; OTEL_SDK_DISABLED=true too.' }),
    service: serviceSchema.prefault({}),
    contexts: contextsSchema,
    rules: z.array(ruleSchema).default([]),
    window: windowSchema.prefault({}),
    evaluation: evaluationSchema.prefault({}),
    limits: limitsSchema.prefault({}),
    adaptive: adaptiveSchema.prefault({}),
    degradation: degradationSchema.prefault({}),
    criticality: criticalitySchema.prefault({}),
    admission: admissionSchema.prefault({}),
    exporters: exportersSchema.prefault({}),
    receiver: receiverSchema.prefault({}),
    api: apiSchema.prefault({}),
    ui: uiSchema.prefault({}),
    slos: z.array(sloSchema).default([]),
    alerting: alertingSchema.prefault({}),
    shutdown: shutdownSchema.prefault({}),
    storage: storageSchema.prefault({}),
  })
  .superRefine(checkReferences, { when: () => true })
  .superRefine(checkTenancy, { when: () => true })
  .transform((config) => {
    // OTLP export is on when asked for, or when an endpoint is known (file or OTEL_EXPORTER_OTLP_*).
    const otlp = config.exporters.otlp;
    const hasEndpoint = [otlp.endpoint, otlp.tracesEndpoint, otlp.metricsEndpoint].some(
      (url) => url !== undefined,
    );
    return {
      ...config,
      exporters: { ...config.exporters, otlp: { ...otlp, enabled: otlp.enabled ?? hasEndpoint } },
    };
  });

/** Configuration as written (strings for durations and percentages), e.g. for programmatic use. */
export type HeadroomConfigInput = z.input<typeof configSchema>;

/** Validated configuration: durations in ms, percentages as fractions, every default filled in. */
export type HeadroomConfig = z.output<typeof configSchema>;
