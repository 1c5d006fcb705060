// Public face of collector/api: the decision API of collector mode and the JSON it serves.
export { type DecisionApi, startDecisionApi } from './decision-api.ts';
