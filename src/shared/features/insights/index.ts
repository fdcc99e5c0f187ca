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
export {
  COMPARED_METRICS,
  compareRecall,
  compareRuns,
  compareWithRecalls,
  higherIsBetter,
  sortedQuantile,
} from './bootstrap';
export type { CompareOptions, ComparedMetric, Comparison, RecallComparison } from './bootstrap';
export { calibration } from './calibration';
export type { Calibration, CalibrationBin } from './calibration';
export {
  DEFAULT_GATE_MARGIN,
  DEFAULT_RECALL_MARGIN,
  GATE_MIN_CLASS_EXAMPLES,
  GATE_MIN_EXAMPLES,
  combineVerdicts,
  mcnemar,
  mcnemarExactP,
  nonInferiority,
  runGate,
} from './gate';
export type { GateCheck, GateOptions, GateResult, McNemar, Verdict } from './gate';
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
