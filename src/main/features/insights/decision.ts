// A model run's own decision rule: what its model decides (a binary threshold registered with it) or
// what production decided (the predicted labels an imported log recorded), as opposed to the argmax.
import type { Output } from '../../../shared/api/contract';
import { impliedThreshold, thresholdDecisions } from '../../../shared/features/insights/decisions';
import { predictions } from '../../../shared/features/insights/metrics';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { ModelRunRow } from '../../store/mining';
import { toModel } from '../models/add-model';

type Decision = Output<'insights.eval'>['runs'][number]['decision'];

export interface DecisionRule {
  source: Decision['source'];
  /** The model's threshold on P(positive), `model` only. */
  threshold: number | null;
}

/** Where a run's decisions come from: its model's threshold, its log's predicted labels, or none. */
export function decisionRule(ctx: Context, project: Project, run: ModelRunRow): DecisionRule {
  if (run.source === 'import') return { source: 'logged', threshold: null };
  const row = ctx.store.models
    .forProject(project.id)
    .find((m) => m.name === run.model_name && m.version === run.model_version);
  const threshold = row && project.taskType === 'binary' ? (toModel(row).outputMapping.threshold ?? null) : null;
  return threshold === null ? { source: 'argmax', threshold: null } : { source: 'model', threshold };
}

/**
 * The run's decisions on the examples judged (binary probabilities n × 2, `logged` the stored predicted
 * class of each), or null for a run whose decisions are the argmax.
 */
export function decide(rule: DecisionRule, probs: Float64Array, logged: Int32Array): Int32Array | null {
  if (rule.source === 'argmax') return null;
  if (rule.source === 'model') return thresholdDecisions(probs, logged.length, rule.threshold!);
  return logged;
}

const num = (x: number) => String(Math.round(x * 10_000) / 10_000);

/** The rule in words, with (logged, binary) the thresholds that reproduce the labels on the examples judged. */
export function describeDecision(
  rule: DecisionRule,
  project: Project,
  probs: Float64Array,
  decided: Int32Array | null,
  k: number,
): Decision {
  const positive = project.classes[1] ?? 'positive';
  const binary = project.taskType === 'binary';
  if (rule.source === 'model') {
    return {
      source: 'model',
      threshold: rule.threshold,
      impliedThreshold: null,
      description: `its model's threshold: ${positive} when P(${positive}) ≥ ${num(rule.threshold!)}`,
    };
  }
  if (rule.source === 'argmax' || decided === null) {
    return {
      source: 'argmax',
      threshold: null,
      impliedThreshold: null,
      description: binary
        ? `no threshold of its own: ${positive} when P(${positive}) ≥ 0.5 (the argmax)`
        : 'the argmax: its model has no other decision rule',
    };
  }
  const argmax = predictions(probs, decided.length, k);
  let differ = 0;
  for (let i = 0; i < decided.length; i++) if (argmax[i] !== decided[i]) differ++;
  const same =
    differ === 0 ? 'they agree with the argmax on every example judged' : `they differ from the argmax on ${differ}`;
  if (!binary || decided.length === 0) {
    return {
      source: 'logged',
      threshold: null,
      impliedThreshold: null,
      description: `the predicted labels its log recorded (argmax where a row recorded none); ${same}`,
    };
  }
  const implied = impliedThreshold(probs, decided);
  const range = implied.consistent ? { above: implied.above, atMost: implied.atMost } : null;
  const fits = range
    ? `a threshold on P(${positive}) in (${range.above === null ? '0' : num(range.above)}, ${range.atMost === null ? '1' : num(range.atMost)}] reproduces them`
    : `no single threshold on P(${positive}) reproduces them`;
  return {
    source: 'logged',
    threshold: null,
    impliedThreshold: range,
    description: `the predicted labels its log recorded (argmax where a row recorded none); ${fits}; ${same}`,
  };
}
