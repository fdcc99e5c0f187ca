/** Hard-example mining: pure strategy math, selection, duplicate suppression and reasons. */
export {
  LOG_FLOOR,
  absDelta,
  argmaxAt,
  confidentError,
  entropy,
  flipThenDelta,
  jensenShannon,
  labelFlip,
  leastConfidence,
  margin,
  marginValue,
  predictedClass,
  predictedConfidence,
  thresholdDistance,
  topTwoAt,
  voteEntropy,
} from './uncertainty';
export type { MultilabelOption, TopTwo } from './uncertainty';
export { mulberry32, seededSample, topK } from './top-k';
export {
  DEFAULT_MIN_JACCARD,
  hamming,
  jaccard,
  normaliseText,
  simhash64,
  suppressNearDuplicateVectors,
  suppressNearDuplicates,
  textShingles,
  textTokens,
} from './near-duplicates';
export type { NearDuplicateOptions, SimHash, Suppression } from './near-duplicates';
export { fmt2, joinReasons, reasonFor } from './reasons';
export type { ReasonInput, RunScores, ScoreRow } from './reasons';
export {
  DisagreementMeasureSchema,
  MINING_STRATEGY_NAMES,
  MiningStrategySchema,
  binaryOnly,
  modelRunsNeeded,
} from './strategy';
export type { DisagreementMeasure, MiningStrategy, MiningStrategyName } from './strategy';
