/**
 * What an agent does with the whole operations its handles record, beyond their windows: it notes
 * the class a YAML rule gave a series' spans, so the series is judged against the budget of that
 * class (see SeriesTargets.classOf).
 */
import type { SeriesTargets } from './budget/series-targets.ts';
import type { OperationJudge } from './record-path.ts';

/** What {@link operationJudge} reads of the agent, at each bind (the parts in force). */
export interface JudgedAgent {
  readonly targets: SeriesTargets;
}

/** The agent's {@link OperationJudge}. */
export function operationJudge(agent: JudgedAgent): OperationJudge {
  return {
    bind(series, criticality) {
      if (criticality !== undefined) agent.targets.note(series, criticality);
      return undefined;
    },
  };
}
