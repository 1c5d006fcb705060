import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Agent } from '../../../agent/index.ts';
import { HeadroomMetricProducer } from '../../../exporters/metrics/index.ts';
import { exposition } from '../../../exporters/prometheus/index.ts';

/** The lines of one metric family in an exposition: its HELP, UNIT and TYPE comments and samples. */
export function family(text: string, name: string): string[] {
  return text.split('\n').filter((line) => {
    if (line.startsWith('# ')) return line.split(' ')[2] === name;
    const metric = line.split(/[{ ]/)[0];
    return metric === name || [`${name}_bucket`, `${name}_count`, `${name}_sum`].includes(metric ?? '');
  });
}

/** The exposition of a fresh producer over `agent` (resource `service.name=svc`). */
export function expositionOf(agent: Agent, maxSeries = 2000): Promise<string> {
  const resource = resourceFromAttributes({ 'service.name': 'svc' });
  return exposition(new HeadroomMetricProducer({ agent, resource, maxSeries }));
}
