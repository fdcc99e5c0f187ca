import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { parseInstant } from '../../../shared/features/insights/contract';
import { currentLabels } from '../../../shared/features/labels';
import { classLabelIds } from '../../../shared/features/labels/from-classes';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { derivationOptions } from '../labels/derivation';

/** The selection of an evaluation set: label source, schema version, time window. */
type EvalInput = Pick<ParsedInput<'insights.eval'>, 'schemaVersion' | 'source' | 'from' | 'to'>;
export type EvaluationSetInfo = Output<'insights.eval'>['evaluationSet'];

export interface EvaluationSet {
  schemaVersion: number;
  /** Class names under the schema, in model class order. */
  labels: string[];
  /** Example id → reference class index. */
  truth: Map<number, number>;
  /** Examples whose reference label is a curated one (the rest: imported ground truth). */
  curated: Set<number>;
  /** Curated examples queued by a random sample (control sample or random strategy): unbiased. */
  control: Set<number>;
  info: EvaluationSetInfo;
  notes: string[];
}

/**
 * How labels of the schema map to model classes: each class's label id carried through every
 * version's renames and merges (null after a split or removal), and back.
 */
export function schemaClasses(ctx: Context, project: Project, version: number | undefined) {
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
  return { schema, classLabels, classOf };
}

/** Curated labels as class indexes: every example whose label is agreed or adjudicated. */
export function curatedTruth(ctx: Context, project: Project, schemaVersion: number | undefined) {
  const { schema, classLabels, classOf } = schemaClasses(ctx, project, schemaVersion);
  const options = { ...derivationOptions(project, schema), schemaVersionId: schema.id };
  const truth = new Map<number, number>();
  const unmapped: number[] = [];
  for (const [exampleId, { events }] of ctx.store.labelEvents.byExample(project.id)) {
    const r = currentLabels(events, options).resolution;
    if (r.status !== 'agreed' && r.status !== 'adjudicated') continue;
    const c = r.labels.length === 1 ? classOf.get(r.labels[0]!) : undefined;
    if (c === undefined) unmapped.push(exampleId);
    else truth.set(exampleId, c);
  }
  const labels = project.classes.map((name, c) => classLabels[c] ?? name);
  return { schema, truth, unmapped, labels, classLabels, classOf };
}

/**
 * Imported ground truth (a model class name per example) as class indexes under the schema: the
 * class's label carried through the schema's versions like a curated label, so a merge maps both old
 * classes to the merged one and a split or removal leaves the truth unmapped.
 */
export function importedTruth(
  ctx: Context,
  project: Project,
  classLabels: (string | null)[],
  classOf: Map<string, number>,
): { truth: Map<number, number>; unmapped: number[] } {
  const truth = new Map<number, number>();
  const unmapped: number[] = [];
  for (const row of ctx.store.mining.groundTruth(project.id)) {
    const c = project.classes.indexOf(row.ground_truth);
    const id = c >= 0 ? classLabels[c] : null;
    const mapped = id ? classOf.get(id) : undefined;
    if (mapped === undefined) unmapped.push(row.id);
    else truth.set(row.id, mapped);
  }
  return { truth, unmapped };
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * The examples eval judges on and their reference labels: ground truth, curated labels or both
 * (curated wins where both exist, unless `truth` is asked), restricted to [from, to) by timestamp.
 * Throws a conflict when nothing is left, saying why.
 */
export function evaluationSet(ctx: Context, project: Project, input: EvalInput): EvaluationSet {
  const curated = curatedTruth(ctx, project, input.schemaVersion);
  const imported = importedTruth(ctx, project, curated.classLabels, curated.classOf);
  const notes: string[] = [];
  let source = input.source;
  let sourceReason: string;
  if (source) sourceReason = `asked for: ${source}`;
  else if (imported.truth.size > 0) {
    source = 'truth';
    sourceReason = `default: the project has imported ground truth for ${imported.truth.size} examples`;
  } else {
    source = 'curated';
    sourceReason = 'default: the project has no imported ground truth';
  }

  const merged = new Map<number, number>();
  let fromTruth = 0;
  let fromCurated = 0;
  if (source !== 'curated') for (const [id, c] of imported.truth) merged.set(id, c);
  if (source !== 'truth') for (const [id, c] of curated.truth) merged.set(id, c);

  const from = input.from === undefined ? null : parseInstant(input.from);
  const to = input.to === undefined ? null : parseInstant(input.to);
  let outsideWindow = 0;
  let noTimestamp = 0;
  let truthUnmapped = source === 'curated' ? [] : imported.unmapped;
  let curatedUnmapped = source === 'truth' ? [] : curated.unmapped;
  if (from !== null || to !== null) {
    const ts = ctx.store.insights.timestamps(project.id);
    const inWindow = (id: number) => {
      const t = ts.get(id);
      return t !== undefined && (from === null || t >= from) && (to === null || t < to);
    };
    truthUnmapped = truthUnmapped.filter(inWindow);
    curatedUnmapped = curatedUnmapped.filter(inWindow);
    for (const id of [...merged.keys()]) {
      const t = ts.get(id);
      if (t === undefined) noTimestamp++;
      else if ((from !== null && t < from) || (to !== null && t >= to)) outsideWindow++;
      else continue;
      merged.delete(id);
    }
  }
  const curatedIds = new Set<number>();
  for (const id of merged.keys()) {
    if (source !== 'truth' && curated.truth.has(id)) {
      fromCurated++;
      curatedIds.add(id);
    } else fromTruth++;
  }
  const controlled = ctx.store.evalSets.controlExamples(project.id);
  const control = new Set([...curatedIds].filter((id) => controlled.has(id)));
  // examples of the set that carry both kinds of label, whichever source is used
  let both = 0;
  let disagreeing = 0;
  for (const id of merged.keys()) {
    const t = imported.truth.get(id);
    const c = curated.truth.get(id);
    if (t !== undefined && c !== undefined) {
      both++;
      if (t !== c) disagreeing++;
    }
  }

  const window =
    from === null && to === null ? '' : ` in ${from === null ? '…' : iso(from)} – ${to === null ? '…' : iso(to)}`;
  if (merged.size === 0) {
    const what =
      source === 'truth'
        ? 'imported ground truth'
        : source === 'curated'
          ? `curated labels under schema v${curated.schema.version}`
          : `ground truth or curated labels under schema v${curated.schema.version}`;
    const hint =
      source === 'truth' && curated.truth.size > 0
        ? ' (it has curated labels: --source curated)'
        : source === 'curated' && imported.truth.size > 0
          ? ' (it has imported ground truth: --source truth)'
          : window
            ? ' (widen or drop the time window)'
            : '';
    throw new ApiError('conflict', `project '${project.name}' has no ${what}${window} to evaluate on${hint}`, {
      reason: 'no-labels',
    });
  }
  if (truthUnmapped.length > 0) {
    notes.push(
      `${truthUnmapped.length} ground-truth labels name no class under schema v${curated.schema.version} and are left out`,
    );
  }
  if (curatedUnmapped.length > 0) {
    notes.push(`${curatedUnmapped.length} curated labels map to no model class and are left out`);
  }
  if (noTimestamp > 0) notes.push(`${noTimestamp} labeled examples have no timestamp and are outside any window`);
  if (disagreeing > 0) {
    notes.push(
      `${disagreeing} of ${both} examples with both kinds of label disagree; ${source === 'truth' ? 'the ground truth' : 'the curated label'} is used`,
    );
  }
  return {
    schemaVersion: curated.schema.version,
    labels: curated.labels,
    truth: merged,
    curated: curatedIds,
    control,
    notes,
    info: {
      name: null,
      source,
      sourceReason,
      from: from === null ? null : iso(from),
      to: to === null ? null : iso(to),
      n: merged.size,
      fromTruth,
      fromCurated,
      both,
      disagreeing,
      excluded: {
        outsideWindow,
        noTimestamp,
        truthUnmapped: truthUnmapped.length,
        curatedUnmapped: curatedUnmapped.length,
      },
    },
  };
}
