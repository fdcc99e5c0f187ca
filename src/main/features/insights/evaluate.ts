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
import { sliceGuardChecks } from './slice-guards';

type EvalOutput = Output<'insights.eval'>;
type Report = EvalOutput['runs'][number]['all'];
type Comparison = NonNullable<EvalOutput['comparison']>;

/** One run's probabilities (k per example, binary expanded to [1 − p, p]) for the examples it scored. */
export function runProbabilities(ctx: Context, run: ModelRunRow, examples: Map<number, number>, k: number) {
  const cols = ctx.store.predictionColumns.load(run.id);
  const ids: number[] = [];
  const probs: number[] = [];
  for (let i = 0; i < cols.n; i++) {
    const id = cols.exampleIds[i]!;
    if (!examples.has(id)) continue;
    ids.push(id);
    if (cols.width === 1) {
      const p = cols.scores[i]!;
      probs.push(1 - p, p);
    } else for (let c = 0; c < k; c++) probs.push(cols.scores[i * k + c]!);
  }
  return { ids, probs: Float64Array.from(probs) };
}

function report(labels: string[], truth: Int32Array, probs: Float64Array, k: number): Report {
  const r = classificationReport(truth, probs, k);
  const cal = calibration(truth, probs, k);
  return {
    n: r.n,
    accuracy: r.accuracy,
    macroF1: r.macroF1,
    rocAuc: r.rocAuc,
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
  };
}

function subset(
  ids: number[],
  probs: Float64Array,
  k: number,
  truth: Map<number, number>,
  keep: (id: number) => boolean,
) {
  const t: number[] = [];
  const p: number[] = [];
  ids.forEach((id, i) => {
    if (!keep(id)) return;
    t.push(truth.get(id)!);
    for (let c = 0; c < k; c++) p.push(probs[i * k + c]!);
  });
  return { truth: Int32Array.from(t), probs: Float64Array.from(p) };
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

export function evaluate(ctx: Context, input: ParsedInput<'insights.eval'>): EvalOutput {
  const project = resolveProject(ctx, input.project);
  if (project.taskType === 'multilabel')
    throw new ApiError('invalid-input', `eval covers binary and multiclass projects; '${project.name}' is multilabel`);
  const set = evaluationSet(ctx, project, input);
  const { truth, labels } = set;
  const notes = [...set.notes];
  const available = ctx.store.mining.modelRuns(project.id);
  if (available.length === 0) throw new ApiError('conflict', `project '${project.name}' has no model runs to evaluate`);
  const runs = input.modelRuns ? input.modelRuns.map((r) => resolveModelRun(project, available, r)) : available;
  const k = Math.max(2, project.classes.length);
  const origins = ctx.store.insights.queueOrigins(project.id);
  const isRandom = (id: number) => origins.get(id) === 'random';
  const isMined = (id: number) =>
    origins.has(id) && origins.get(id) !== 'random' && origins.get(id) !== 'schema-change';
  const scored = new Map<number, { ids: number[]; probs: Float64Array }>();
  const out: EvalOutput['runs'] = runs.map((run) => {
    const { ids, probs } = runProbabilities(ctx, run, truth, k);
    scored.set(run.id, { ids, probs });
    if (ids.length < truth.size) {
      notes.push(`${runLabel(run)} scored ${ids.length} of the ${truth.size} examples; its report rests on those`);
    }
    const part = (keep: (id: number) => boolean) => {
      const s = subset(ids, probs, k, truth, keep);
      return report(labels, s.truth, s.probs, k);
    };
    return {
      modelRunId: run.id,
      name: runLabel(run),
      coverage: { scored: ids.length, of: truth.size },
      all: part(() => true),
      randomSample: part(isRandom),
      mined: part(isMined),
    };
  });

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
    comparison = compare(ctx, { project, champion, challenger, truth, labels, k, input, scored, notes });
  }
  return {
    schemaVersion: set.schemaVersion,
    labels,
    unmapped: set.info.excluded.curatedUnmapped,
    evaluationSet: set.info,
    notes,
    runs: out,
    comparison,
  };
}

interface CompareArgs {
  project: Project;
  champion: ModelRunRow;
  challenger: ModelRunRow;
  truth: Map<number, number>;
  labels: string[];
  k: number;
  input: ParsedInput<'insights.eval'>;
  scored: Map<number, { ids: number[]; probs: Float64Array }>;
  notes: string[];
}

/** Champion vs challenger on the examples both scored: the gate and McNemar's test. */
function compare(ctx: Context, a: CompareArgs): Comparison {
  const { truth, k, input } = a;
  const pa = a.scored.get(a.champion.id) ?? runProbabilities(ctx, a.champion, truth, k);
  const pb = a.scored.get(a.challenger.id) ?? runProbabilities(ctx, a.challenger, truth, k);
  const rowOfB = new Map(pb.ids.map((id, i) => [id, i]));
  const t: number[] = [];
  const ca: number[] = [];
  const cb: number[] = [];
  const common: number[] = [];
  pa.ids.forEach((id, i) => {
    const j = rowOfB.get(id);
    if (j === undefined) return;
    common.push(id);
    t.push(truth.get(id)!);
    for (let c = 0; c < k; c++) {
      ca.push(pa.probs[i * k + c]!);
      cb.push(pb.probs[j * k + c]!);
    }
  });
  const n = t.length;
  if (n < truth.size) {
    a.notes.push(
      `the comparison rests on the ${n} of ${truth.size} examples both runs scored ` +
        `(${runLabel(a.champion)}: ${pa.ids.length}, ${runLabel(a.challenger)}: ${pb.ids.length})`,
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
    labels: a.labels,
  });
  const guards = sliceGuardChecks(ctx, a.project, input.guards ?? [], paired, k, input);
  const checks = [...gate.checks, ...guards];
  const g: GateResult = { ...gate, checks, verdict: combineVerdicts(checks) };
  const primary = g.checks[0]!;
  return {
    champion: runLabel(a.champion),
    challenger: runLabel(a.challenger),
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
    reason: verdictReason(g),
    checks: g.checks,
    mcnemar: g.mcnemar,
  };
}
