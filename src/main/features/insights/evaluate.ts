import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { classificationReport, compareRuns, gateFails } from '../../../shared/features/insights';
import { currentLabels } from '../../../shared/features/labels';
import { classLabelIds } from '../../../shared/features/labels/from-classes';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { ModelRunRow } from '../../store/mining';
import { derivationOptions } from '../labels/derivation';
import { resolveModelRun, runLabel } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';

type EvalOutput = Output<'insights.eval'>;
type Report = EvalOutput['runs'][number]['all'];

/** Curated labels as class indexes: every example whose label is agreed or adjudicated. */
function curatedTruth(ctx: Context, project: Project, version: number | undefined) {
  const versions = ctx.store.labelSchemas.all(project.id);
  const schema = version === undefined ? versions.at(-1) : versions.find((v) => v.version === version);
  if (!schema)
    throw new ApiError('not-found', `project '${project.name}' has no label schema version ${version ?? ''}`.trim());
  const classLabels = classLabelIds(
    project.classes,
    versions.filter((v) => v.version <= schema.version),
  );
  const classOf = new Map<string, number>();
  classLabels.forEach((id, c) => id !== null && classOf.set(id, c));
  const options = { ...derivationOptions(project, schema), schemaVersionId: schema.id };
  const truth = new Map<number, number>();
  let unmapped = 0;
  for (const [exampleId, { events }] of ctx.store.labelEvents.byExample(project.id)) {
    const r = currentLabels(events, options).resolution;
    if (r.status !== 'agreed' && r.status !== 'adjudicated') continue;
    const c = r.labels.length === 1 ? classOf.get(r.labels[0]!) : undefined;
    if (c === undefined) unmapped++;
    else truth.set(exampleId, c);
  }
  const labels = project.classes.map((name, c) => classLabels[c] ?? name);
  return { schema, truth, unmapped, labels };
}

/** One run's probabilities (k per example, binary expanded to [1 − p, p]) for the examples it scored. */
function runProbabilities(ctx: Context, run: ModelRunRow, examples: Map<number, number>, k: number) {
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
  return {
    n: r.n,
    accuracy: r.accuracy,
    macroF1: r.macroF1,
    rocAuc: r.rocAuc,
    logLoss: r.logLoss,
    ece: r.ece,
    perClass: r.perClass.map((c) => ({
      label: labels[c.cls] ?? String(c.cls),
      precision: c.precision,
      recall: c.recall,
      f1: c.f1,
      support: c.support,
      predicted: c.predicted,
    })),
    reliability: r.reliability,
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

export function evaluate(ctx: Context, input: ParsedInput<'insights.eval'>): EvalOutput {
  const project = resolveProject(ctx, input.project);
  if (project.taskType === 'multilabel')
    throw new ApiError('invalid-input', `eval covers binary and multiclass projects; '${project.name}' is multilabel`);
  const { schema, truth, unmapped, labels } = curatedTruth(ctx, project, input.schemaVersion);
  if (truth.size === 0) {
    throw new ApiError(
      'conflict',
      `project '${project.name}' has no curated labels under schema v${schema.version} to evaluate on`,
      {
        reason: 'no-labels',
      },
    );
  }
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
    const part = (keep: (id: number) => boolean) => {
      const s = subset(ids, probs, k, truth, keep);
      return report(labels, s.truth, s.probs, k);
    };
    return {
      modelRunId: run.id,
      name: runLabel(run),
      all: part(() => true),
      randomSample: part(isRandom),
      mined: part(isMined),
    };
  });

  let comparison: EvalOutput['comparison'] = null;
  if (available.length >= 2 || (input.champion && input.challenger)) {
    const champion = input.champion ? resolveModelRun(project, available, input.champion) : available.at(-2)!;
    const challenger = input.challenger ? resolveModelRun(project, available, input.challenger) : available.at(-1)!;
    const a = scored.get(champion.id) ?? runProbabilities(ctx, champion, truth, k);
    const b = scored.get(challenger.id) ?? runProbabilities(ctx, challenger, truth, k);
    const rowOfB = new Map(b.ids.map((id, i) => [id, i]));
    const t: number[] = [];
    const pa: number[] = [];
    const pb: number[] = [];
    a.ids.forEach((id, i) => {
      const j = rowOfB.get(id);
      if (j === undefined) return;
      t.push(truth.get(id)!);
      for (let c = 0; c < k; c++) {
        pa.push(a.probs[i * k + c]!);
        pb.push(b.probs[j * k + c]!);
      }
    });
    const c = compareRuns(Int32Array.from(t), Float64Array.from(pa), Float64Array.from(pb), k, input.metric, {
      samples: input.samples,
      seed: input.seed,
    });
    comparison = {
      champion: runLabel(champion),
      challenger: runLabel(challenger),
      metric: input.metric,
      n: t.length,
      championValue: c.champion,
      challengerValue: c.challenger,
      diff: c.diff,
      lo: c.lo,
      hi: c.hi,
      margin: input.margin,
      gatePassed: c.diff !== null && !gateFails(c, input.margin),
    };
  }
  return { schemaVersion: schema.version, labels, unmapped, runs: out, comparison };
}
