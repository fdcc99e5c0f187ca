import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import {
  calibration,
  classificationReport,
  combineVerdicts,
  runGate,
  type GateResult,
} from '../../../shared/features/insights';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { ModelRunRow } from '../../store/mining';
import { resolveModelRun, runLabel } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';
import { evaluationSet } from './eval-set';
import { frozenEvaluationSet } from './eval-sets';
import { lineageOf, trainingSet } from './lineage';
import { labelsNeeded, windowRates } from '../../../shared/features/insights/evidence';
import { sliceGuardChecks } from './slice-guards';
import { decide, decisionRule, describeDecision, type DecisionRule } from './decision';
import { decisionReport } from '../../../shared/features/insights/decisions';

type EvalOutput = Output<'insights.eval'>;
type Report = EvalOutput['runs'][number]['all'];
type Comparison = NonNullable<EvalOutput['comparison']>;

/**
 * One run's probabilities (k per example, binary expanded to [1 − p, p]) for the examples it scored,
 * and the predicted class stored with each (an imported log's own label, else the argmax).
 */
export function runProbabilities(ctx: Context, run: ModelRunRow, examples: { has(id: number): boolean }, k: number) {
  const cols = ctx.store.predictionColumns.load(run.id);
  const ids: number[] = [];
  const probs: number[] = [];
  const logged: number[] = [];
  for (let i = 0; i < cols.n; i++) {
    const id = cols.exampleIds[i]!;
    if (!examples.has(id)) continue;
    ids.push(id);
    logged.push(cols.predicted[i]!);
    if (cols.width === 1) {
      const p = cols.scores[i]!;
      probs.push(1 - p, p);
    } else for (let c = 0; c < k; c++) probs.push(cols.scores[i * k + c]!);
  }
  return { ids, probs: Float64Array.from(probs), logged: Int32Array.from(logged) };
}

function atThreshold(
  labels: string[],
  truth: Int32Array,
  decided: Int32Array | null,
  k: number,
): Report['atThreshold'] {
  if (!decided) return null;
  const d = decisionReport(truth, decided, k);
  return {
    accuracy: d.accuracy,
    macroF1: d.macroF1,
    perClass: d.perClass.map((c) => ({
      label: labels[c.cls] ?? String(c.cls),
      precision: c.precision,
      recall: c.recall,
      f1: c.f1,
      support: c.support,
      predicted: c.predicted,
    })),
    predictedPositiveRate: k === 2 && d.n > 0 ? d.perClass[1]!.predicted / d.n : null,
    confusion: d.confusion,
  };
}

function report(
  labels: string[],
  truth: Int32Array,
  probs: Float64Array,
  k: number,
  decided: Int32Array | null,
): Report {
  const r = classificationReport(truth, probs, k);
  const cal = calibration(truth, probs, k);
  return {
    n: r.n,
    accuracy: r.accuracy,
    macroF1: r.macroF1,
    rocAuc: r.rocAuc,
    prAuc: r.prAuc,
    logLoss: r.logLoss,
    brier: r.brier,
    ece: cal.ece,
    topLabelEce: cal.topLabelEce,
    classwiseEce: cal.classwiseEce,
    perClass: r.perClass.map((c) => ({
      label: labels[c.cls] ?? String(c.cls),
      precision: c.precision,
      recall: c.recall,
      f1: c.f1,
      support: c.support,
      predicted: c.predicted,
      ece: cal.perClassEce[c.cls] ?? null,
    })),
    reliabilityBasis: cal.basis,
    reliability: cal.bins,
    positiveRate:
      k === 2
        ? {
            predicted: r.n > 0 ? cal.predictedRate[1]! : null,
            labeled: r.n > 0 ? cal.labeledRate[1]! : null,
            meanProbability: r.n > 0 ? cal.meanProbability[1]! : null,
          }
        : null,
    confusion: r.confusion,
    atThreshold: atThreshold(labels, truth, decided, k),
  };
}

function subset(
  ids: number[],
  probs: Float64Array,
  decided: Int32Array | null,
  k: number,
  truth: Map<number, number>,
  keep: (id: number) => boolean,
) {
  const t: number[] = [];
  const p: number[] = [];
  const d: number[] = [];
  ids.forEach((id, i) => {
    if (!keep(id)) return;
    t.push(truth.get(id)!);
    for (let c = 0; c < k; c++) p.push(probs[i * k + c]!);
    if (decided) d.push(decided[i]!);
  });
  return { truth: Int32Array.from(t), probs: Float64Array.from(p), decided: decided ? Int32Array.from(d) : null };
}

/** The verdict in one sentence, naming the check that decided it. */
function verdictReason(g: GateResult): string {
  const primary = g.checks[0]!;
  if (g.verdict === 'pass') {
    const slices = g.checks.some((c) => c.kind === 'slice') ? '; every pinned slice within its margin' : '';
    return `passed: ${primary.name} ${primary.reason}; every class's recall within its margin${slices}`;
  }
  const decisive = g.checks.filter((c) => c.verdict === g.verdict);
  const what = decisive
    .map((c) =>
      c.kind === 'primary'
        ? `${c.name}: ${c.reason}`
        : c.kind === 'slice'
          ? `${primary.name} on slice ${c.name}: ${c.reason}`
          : `recall of ${c.name}: ${c.reason}`,
    )
    .join('; ');
  return g.verdict === 'fail' ? `failed: ${what}` : `insufficient evidence: ${what}`;
}

const count = (n: number) => n.toLocaleString('en-US');

export function evaluate(ctx: Context, input: ParsedInput<'insights.eval'>): EvalOutput {
  const project = resolveProject(ctx, input.project);
  if (project.taskType === 'multilabel')
    throw new ApiError('invalid-input', `eval covers binary and multiclass projects; '${project.name}' is multilabel`);
  const set = input.evalSet ? frozenEvaluationSet(ctx, project, input.evalSet) : evaluationSet(ctx, project, input);
  const { truth, labels } = set;
  const notes = [...set.notes];
  const available = ctx.store.mining.modelRuns(project.id);
  if (available.length === 0) throw new ApiError('conflict', `project '${project.name}' has no model runs to evaluate`);
  const runs = input.modelRuns ? input.modelRuns.map((r) => resolveModelRun(project, available, r)) : available;
  const k = Math.max(2, project.classes.length);
  const minedQueued = ctx.store.evalSets.minedExamples(project.id);
  const isControl = (id: number) => set.control.has(id);
  const isMined = (id: number) => set.curated.has(id) && !set.control.has(id) && minedQueued.has(id);
  const isUnbiased = (id: number) => !set.curated.has(id) || set.control.has(id);
  const judged = new Map<number, Judged>();
  const judge = (run: ModelRunRow): Judged => {
    const known = judged.get(run.id);
    if (known) return known;
    const lineage = lineageOf(ctx, project, run);
    const training = lineage ? trainingSet(ctx, project, lineage) : null;
    let excluded = 0;
    if (training) for (const id of truth.keys()) if (training.ids.has(id)) excluded++;
    if (training && excluded === truth.size) {
      throw new ApiError(
        'conflict',
        `every one of the ${count(truth.size)} examples of the evaluation set is training data of ${runLabel(run)} ` +
          `(trained on ${training.what}), so nothing is left to judge it on: evaluate on later examples ` +
          '(an evaluation set or --from after its training data)',
        { reason: 'all-training-data', modelRun: runLabel(run) },
      );
    }
    const keep = { has: (id: number) => truth.has(id) && !(training?.ids.has(id) ?? false) };
    const scored = runProbabilities(ctx, run, keep, k);
    const rule = decisionRule(ctx, project, run);
    const decided = decide(rule, scored.probs, scored.logged);
    const out = {
      run,
      scored,
      rule,
      decided,
      lineage: training?.what ?? null,
      excluded,
      trainingIds: training?.ids ?? null,
    };
    judged.set(run.id, out);
    return out;
  };
  const out: EvalOutput['runs'] = runs.map((run) => {
    const { scored, lineage, excluded, rule, decided } = judge(run);
    const { ids, probs } = scored;
    if (excluded > 0)
      notes.push(
        `${runLabel(run)} was trained on ${count(excluded)} of these examples; they were left out of its report`,
      );
    if (ids.length < truth.size - excluded) {
      notes.push(
        `${runLabel(run)} scored ${ids.length} of the ${truth.size - excluded} examples; its report rests on those`,
      );
    }
    const part = (keep: (id: number) => boolean) => {
      const s = subset(ids, probs, decided, k, truth, keep);
      return report(labels, s.truth, s.probs, k, s.decided);
    };
    return {
      modelRunId: run.id,
      name: runLabel(run),
      coverage: { scored: ids.length, of: truth.size },
      all: part(() => true),
      randomSample: part(isControl),
      mined: part(isMined),
      unbiased: part(isUnbiased),
      decision: describeDecision(rule, project, probs, decided, k),
      training: { lineage, excluded },
    };
  });
  const unrecorded = runs.filter((r) => judge(r).lineage === null).map(runLabel);
  if (unrecorded.length > 0) {
    notes.push(
      `no training lineage is recorded for ${unrecorded.join(', ')}: examples a model was trained on make its numbers optimistic ` +
        '(record it: flywheel model-run lineage PROJECT RUN --trained-on EXPORT_ID | --train-until DATE)',
    );
  }

  let comparison: Comparison | null = null;
  if (available.length >= 2 || (input.champion && input.challenger)) {
    const champion = input.champion ? resolveModelRun(project, available, input.champion) : available.at(-2)!;
    const challenger = input.challenger ? resolveModelRun(project, available, input.challenger) : available.at(-1)!;
    if (champion.id === challenger.id) {
      throw new ApiError(
        'invalid-input',
        `champion and challenger are the same model run (${runLabel(champion)}): name two different runs`,
      );
    }
    const inGate = (id: number) => input.includeMined || !isMined(id);
    comparison = compare(ctx, {
      project,
      a: judge(champion),
      b: judge(challenger),
      truth,
      labels,
      k,
      input,
      notes,
      inGate,
    });
  }
  return {
    schemaVersion: set.schemaVersion,
    labels,
    unmapped: set.info.excluded.curatedUnmapped,
    evaluationSet: set.info,
    notes,
    runs: out,
    priorShift: project.taskType === 'binary' ? shiftByWindow(ctx, project.id, truth, runs.map(judge), notes) : null,
    comparison,
  };
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/**
 * Labeled vs predicted positive rate in four equal time windows of the set; a note where the
 * labeled rate moved and a run's predicted rate is off it in the newest window (prior shift).
 */
function shiftByWindow(ctx: Context, projectId: number, truth: Map<number, number>, runs: Judged[], notes: string[]) {
  const ts = ctx.store.insights.timestamps(projectId);
  const windows = windowRates(
    ts,
    truth,
    runs.map((j) => ({
      name: runLabel(j.run),
      ids: j.scored.ids,
      positive: j.scored.probs.filter((_, i) => i % 2 === 1),
    })),
    4,
  );
  if (windows.length >= 2) {
    const first = windows[0]!;
    const last = windows.at(-1)!;
    const off = last.predicted.filter(
      (p) => p.rate !== null && last.labeled !== null && Math.abs(p.rate - last.labeled) >= 0.1,
    );
    const moved = first.labeled !== null && last.labeled !== null && Math.abs(last.labeled - first.labeled) >= 0.05;
    const span = (w: (typeof windows)[number]) => `${w.from.slice(0, 10)} – ${w.to.slice(0, 10)}`;
    if (moved)
      notes.push(
        `prior shift: the labeled positive rate moved from ${pct(first.labeled)} (${span(first)}) to ${pct(last.labeled)} (${span(last)})`,
      );
    if (off.length > 0)
      notes.push(
        `in the newest window (${span(last)}) ${pct(last.labeled)} are labeled positive, but ` +
          off.map((p) => `${p.run} predicts positive for ${pct(p.rate)}`).join(', ') +
          ': its threshold does not fit this class mix (prior shift)',
      );
  }
  return windows;
}

interface Judged {
  run: ModelRunRow;
  /** The run's probabilities on the examples of the set it scored and was not trained on. */
  scored: { ids: number[]; probs: Float64Array; logged: Int32Array };
  rule: DecisionRule;
  /** The run's own decisions on `scored` (null: the argmax). */
  decided: Int32Array | null;
  lineage: string | null;
  /** Examples of the set left out as its training data. */
  excluded: number;
  trainingIds: Set<number> | null;
}

interface CompareArgs {
  project: Project;
  a: Judged;
  b: Judged;
  truth: Map<number, number>;
  labels: string[];
  k: number;
  input: ParsedInput<'insights.eval'>;
  notes: string[];
  /** Whether an example may enter the gate (mined labels only when asked). */
  inGate: (id: number) => boolean;
}

/**
 * Champion vs challenger on the examples both scored, neither was trained on, and the gate may use
 * (not mined, unless asked): the gate and McNemar's test.
 */
function compare(ctx: Context, x: CompareArgs): Comparison {
  const { truth, k, input } = x;
  const pa = x.a.scored;
  const pb = x.b.scored;
  const rowOfB = new Map(pb.ids.map((id, i) => [id, i]));
  const t: number[] = [];
  const ca: number[] = [];
  const cb: number[] = [];
  const common: number[] = [];
  let minedLeftOut = 0;
  pa.ids.forEach((id, i) => {
    const j = rowOfB.get(id);
    if (j === undefined) return;
    if (!x.inGate(id)) {
      minedLeftOut++;
      return;
    }
    common.push(id);
    t.push(truth.get(id)!);
    for (let c = 0; c < k; c++) {
      ca.push(pa.probs[i * k + c]!);
      cb.push(pb.probs[j * k + c]!);
    }
  });
  const n = t.length;
  const champion = runLabel(x.a.run);
  const challenger = runLabel(x.b.run);
  const lineage = [x.a, x.b]
    .filter((s) => s.excluded > 0)
    .map((s) => `${runLabel(s.run)} was trained on ${count(s.excluded)} of these examples; they were left out`);
  let trainingLeftOut = 0;
  for (const id of truth.keys()) if (x.a.trainingIds?.has(id) || x.b.trainingIds?.has(id)) trainingLeftOut++;
  if (minedLeftOut > 0) {
    x.notes.push(
      `the gate leaves out ${count(minedLeftOut)} mined labels (hard examples, biased on purpose; they feed error analysis): ` +
        'includeMined (--gate-on-mined) to judge on them too',
    );
  }
  if (n + minedLeftOut < truth.size) {
    x.notes.push(
      `the comparison rests on the ${n} of ${truth.size} examples both runs scored` +
        (trainingLeftOut > 0 ? ' and neither was trained on ' : ' ') +
        `(${champion}: ${pa.ids.length}, ${challenger}: ${pb.ids.length})`,
    );
  }
  const paired = {
    ids: common,
    truth: Int32Array.from(t),
    champion: Float64Array.from(ca),
    challenger: Float64Array.from(cb),
  };
  const gate = runGate(paired.truth, paired.champion, paired.challenger, k, {
    metric: input.metric,
    margin: input.margin,
    recallMargin: input.recallMargin,
    samples: input.samples,
    seed: input.seed,
    labels: x.labels,
  });
  const guards = sliceGuardChecks(ctx, x.project, input.guards ?? [], paired, k, input);
  const checks = [...gate.checks, ...guards];
  const g: GateResult = { ...gate, checks, verdict: combineVerdicts(checks) };
  const primary = g.checks[0]!;
  const needed = labelsNeeded(primary);
  const reason = verdictReason(g) + (lineage.length > 0 ? ` (${lineage.join('; ')})` : '');
  return {
    champion,
    challenger,
    metric: input.metric,
    n,
    coverage: { champion: pa.ids.length, challenger: pb.ids.length, of: truth.size },
    championValue: primary.champion,
    challengerValue: primary.challenger,
    diff: primary.diff,
    lo: primary.lo,
    hi: primary.hi,
    margin: input.margin,
    recallMargin: input.recallMargin,
    samples: input.samples,
    seed: input.seed,
    verdict: g.verdict,
    gatePassed: g.verdict === 'pass',
    reason,
    checks: g.checks,
    basis: { includeMined: input.includeMined, minedLeftOut, trainingLeftOut, lineage },
    labelsNeeded: needed,
    differences: gate.differences.map(({ cls, ...d }) => ({
      ...d,
      class: cls === null ? null : (x.labels[cls] ?? String(cls)),
    })),
    mcnemar: g.mcnemar,
  };
}
