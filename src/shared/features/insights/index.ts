/** Model insights: classification metrics, champion/challenger bootstrap and drift of a quantity. */
export {
  DEFAULT_ECE_BINS,
  LOG_LOSS_CLIP,
  classificationReport,
  macroF1FromConfusion,
  predictions,
  rocAucOf,
} from './metrics';
export type { ClassMetrics, ClassificationReport, ReliabilityBin } from './metrics';
export { COMPARED_METRICS, compareRuns, gateFails, higherIsBetter, sortedQuantile } from './bootstrap';
export type { CompareOptions, ComparedMetric, Comparison } from './bootstrap';
export {
  DEFAULT_PSI_BINS,
  DRIFT_ALERT,
  DRIFT_WARN,
  PSI_EPSILON,
  driftLevel,
  kolmogorovSurvival,
  ks,
  psi,
} from './drift';
export type { DriftLevel } from './drift';
