import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { parseInstant } from '../../../shared/features/insights/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { ModelRunRow } from '../../store/mining';
import { resolveModelRun } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';

/** Splits of an export a model is taken to have seen: every split but the test split. */
const UNSEEN_SPLITS = new Set(['test']);

export interface Lineage {
  exportId: number | null;
  trainUntil: number | null;
  /** The examples themselves, where the model names them (an exported learner). */
  exampleIds?: number[] | null;
}

export interface TrainingSet {
  /** Example ids the model was trained on (or may have been: no timestamp under a cut-off). */
  ids: Set<number>;
  /** What it was trained on, in words. */
  what: string;
}

const iso = (t: number) => new Date(t).toISOString();

/** Refuses an export that is not this project's, or whose examples were not recorded. */
function checkExport(ctx: Context, project: Project, exportId: number): void {
  const row = ctx.store.exports.byId(exportId);
  if (!row || row.project_id !== project.id)
    throw new ApiError(
      'not-found',
      `project '${project.name}' has no export #${exportId} (flywheel exports ${project.name} lists them)`,
    );
  if (!ctx.store.evalSets.exportExamples(exportId))
    throw new ApiError(
      'conflict',
      `export #${exportId} was built before exports recorded their examples: rebuild it (flywheel export ${project.name} NAME --again ${exportId}) and name the new export`,
      { reason: 'export-without-examples' },
    );
}

/** Checks a lineage asked for, before anything is written. */
export function checkLineage(
  ctx: Context,
  project: Project,
  asked: { trainedOn?: number | undefined; trainUntil?: number | string | undefined },
): Lineage | null {
  if (asked.trainedOn === undefined && asked.trainUntil === undefined) return null;
  if (asked.trainedOn !== undefined) checkExport(ctx, project, asked.trainedOn);
  const trainUntil = asked.trainUntil === undefined ? null : parseInstant(asked.trainUntil);
  if (trainUntil !== null && Number.isNaN(trainUntil))
    throw new ApiError('invalid-input', 'trainUntil: not a date: give an ISO date such as 2026-10-01');
  return { exportId: asked.trainedOn ?? null, trainUntil };
}

/** The examples a lineage marks as training data. */
export function trainingSet(ctx: Context, project: Project, lineage: Lineage): TrainingSet {
  const ids = new Set<number>();
  const what: string[] = [];
  if (lineage.exportId !== null) {
    const recorded = ctx.store.evalSets.exportExamples(lineage.exportId);
    if (recorded) {
      const unseen = new Set(recorded.splitNames.flatMap((name, i) => (UNSEEN_SPLITS.has(name) ? [i] : [])));
      for (let i = 0; i < recorded.exampleIds.length; i++)
        if (!unseen.has(recorded.splits[i]!)) ids.add(recorded.exampleIds[i]!);
    }
    what.push(`export #${lineage.exportId} (all but its test split)`);
  }
  if (lineage.trainUntil !== null) {
    // An example without a timestamp cannot be shown to be after the cut-off: it counts as seen.
    for (const [id, ts] of ctx.store.evalSets.timestampsOf(project.id))
      if (ts === null || ts < lineage.trainUntil) ids.add(id);
    what.push(`examples before ${iso(lineage.trainUntil)}`);
  }
  if (lineage.exampleIds) {
    for (const id of lineage.exampleIds) ids.add(id);
    what.push(`the ${lineage.exampleIds.length} labeled examples its file names`);
  }
  return { ids, what: what.join(' and ') };
}

/** The lineage recorded for a model run's model, if any. */
export function lineageOf(ctx: Context, project: Project, run: ModelRunRow): Lineage | null {
  const model = { name: run.model_name, version: run.model_version };
  const row = ctx.store.evalSets.lineage(project.id, model);
  const exampleIds = ctx.store.trainingExamples.get(project.id, model);
  if (!row && !exampleIds) return null;
  return { exportId: row?.export_id ?? null, trainUntil: row?.train_until ?? null, exampleIds };
}

export function recordLineage(ctx: Context, project: Project, model: { name: string; version: string }, l: Lineage) {
  if (l.exportId !== null || l.trainUntil !== null)
    ctx.store.evalSets.setLineage(project.id, model, l.exportId, l.trainUntil, Date.now());
  if (l.exampleIds) ctx.store.trainingExamples.set(project.id, model, l.exampleIds);
}

/** `models.setLineage`: for a model run, or a registered model (name@version) not yet run. */
export function setLineage(ctx: Context, input: ParsedInput<'models.setLineage'>): Output<'models.setLineage'> {
  const project = resolveProject(ctx, input.project);
  const runs = ctx.store.mining.modelRuns(project.id);
  const registered = ctx.store.models
    .forProject(project.id)
    .filter(
      (m) =>
        input.modelRun === `${m.name}@${m.version}` &&
        !runs.some((r) => r.model_name === m.name && r.model_version === m.version),
    );
  const model =
    registered.length === 1
      ? { name: registered[0]!.name, version: registered[0]!.version }
      : (() => {
          const run = resolveModelRun(project, runs, input.modelRun);
          return { name: run.model_name, version: run.model_version };
        })();
  const lineage = checkLineage(ctx, project, input)!;
  recordLineage(ctx, project, model, lineage);
  ctx.emit({ type: 'data.changed', projectId: project.id });
  return {
    model: `${model.name}@${model.version}`,
    exportId: lineage.exportId,
    trainUntil: lineage.trainUntil === null ? null : iso(lineage.trainUntil),
    trainingExamples: trainingSet(ctx, project, lineage).ids.size,
  };
}
