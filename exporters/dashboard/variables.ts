/**
 * The dashboard's variables: the Prometheus data source, then the services and contexts found in
 * Headroom's duration histogram (each multi-select, "All" by default).
 */
import { DATASOURCE, DURATION } from './promql.ts';

/** A `label_values` query variable over the selected data source. */
function labelValues(name: string, label: string, query: string) {
  return {
    type: 'query',
    name,
    label,
    datasource: DATASOURCE,
    query: { query, refId: `${name}-variable` },
    definition: query,
    refresh: 2,
    sort: 1,
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    hide: 0,
  };
}

/** The `templating.list` of the dashboard. */
export function variables(): unknown[] {
  return [
    {
      type: 'datasource',
      name: 'datasource',
      label: 'Data source',
      query: 'prometheus',
      current: {},
      options: [],
      refresh: 1,
      hide: 0,
    },
    labelValues('service', 'Service', `label_values(${DURATION}_count, service)`),
    labelValues('context', 'Context', `label_values(${DURATION}_count{service=~"$service"}, context)`),
  ];
}
