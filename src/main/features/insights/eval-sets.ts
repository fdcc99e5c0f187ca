import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { parseInstant } from '../../../shared/features/insights/contract';
import type { EvalSet } from '../../../shared/features/insights/eval-sets-contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { EvalSetMember, EvalSetRow } from '../../store/eval-sets';
import { resolveProject } from '../projects/handlers';
import { curatedTruth, importedTruth, schemaClasses, type EvaluationSet } from './eval-set';

type CreateInput = ParsedInput<'evalSets.create'>;
const iso = (t: number) => new Date(t).toISOString();

function evaluable(project: Project): void {
  if (project.taskType === 'multilabel')
    throw new ApiError('invalid-input', `eval covers binary and multiclass projects; '${project.name}' is multilabel`);
}

function toRecord(ctx: Context, project: Project, row: EvalSetRow): EvalSet {
  const version = ctx.store.labelSchemas.all(project.id).find((v) => v.id === row.schema_version_id)?.version ?? 0;
  return {
    id: row.id,
    name: row.name,
    schemaVersion: version,
    definition: JSON.parse(row.definition) as Record<string, unknown>,
    summary: JSON.parse(row.summary) as EvalSet['summary'],
    createdAt: row.created_at,
  };
}

function findSet(ctx: Context, project: Project, name: string): EvalSetRow {
  const row = ctx.store.evalSets.byName(project.id, name);
  if (!row) {
    const names = ctx.store.evalSets.list(project.id).map((s) => s.name);
    throw new ApiError(
      'not-found',
      `project '${project.name}' has no evaluation set '${name}' (it has: ${names.length ? names.join(', ') : 'none; create one with eval-set create'})`,
    );
  }
  return row;
}

/**
 * Freezes the examples the filters select with the reference label each has now. Refuses a taken
 * name, an unknown metadata field and an empty selection; writes all of it or nothing.
 */
export function createEvalSet(ctx: Context, input: CreateInput): EvalSet {
  const project = resolveProject(ctx, input.project);
  evaluable(project);
  if (ctx.store.evalSets.byName(project.id, input.name)) {
    throw new ApiError(
      'conflict',
      `project '${project.name}' already has an evaluation set '${input.name}': pick another name`,
      {
        reason: 'name-taken',
      },
    );
  }
  for (const key of Object.keys(input.metadata ?? {})) {
    if (!ctx.store.evalSets.hasMetadataField(project.id, key))
      throw new ApiError(
        'invalid-input',
        `no example of '${project.name}' has a metadata field '${key}': check the name`,
        {
          reason: 'unknown-field',
          field: key,
        },
      );
  }
  const curated = curatedTruth(ctx, project, input.schemaVersion);
  const imported = importedTruth(ctx, project, curated.classLabels, curated.classOf);
  const source = input.source;
  const label = new Map<number, { c: number; origin: 'truth' | 'curated' }>();
  if (source !== 'curated') for (const [id, c] of imported.truth) label.set(id, { c, origin: 'truth' });
  if (source !== 'truth') for (const [id, c] of curated.truth) label.set(id, { c, origin: 'curated' });
  const unmapped =
    (source === 'curated' ? 0 : imported.unmapped.length) + (source === 'truth' ? 0 : curated.unmapped.length);

  const from = input.from === undefined ? null : parseInstant(input.from);
  const to = input.to === undefined ? null : parseInstant(input.to);
  const ts = ctx.store.evalSets.timestampsOf(project.id);
  const byMetadata = Object.entries(input.metadata ?? {}).map(([k, v]) =>
    ctx.store.evalSets.metadataEquals(project.id, k, v),
  );
  const control = ctx.store.evalSets.controlExamples(project.id);
  const mined = ctx.store.evalSets.minedExamples(project.id);
  const excluded = { outsideWindow: 0, noTimestamp: 0, metadata: 0, provenance: 0, unmapped };
  const members: EvalSetMember[] = [];
  let firstTs = Infinity;
  let lastTs = -Infinity;
  for (const [id, chosen] of label) {
    let { c, origin } = chosen;
    const t = ts.get(id) ?? null;
    if (from !== null || to !== null) {
      if (t === null) {
        excluded.noTimestamp++;
        continue;
      }
      if ((from !== null && t < from) || (to !== null && t >= to)) {
        excluded.outsideWindow++;
        continue;
      }
    }
    if (byMetadata.some((ids) => !ids.has(id))) {
      excluded.metadata++;
      continue;
    }
    let isControl = origin === 'curated' && control.has(id);
    const truth = source === 'both' ? imported.truth.get(id) : undefined;
    if (input.provenance === 'control' && origin === 'curated' && !isControl && truth !== undefined) {
      // its curated label is not a control label, but its imported ground truth is unbiased
      c = truth;
      origin = 'truth';
      isControl = false;
    }
    const isMined = origin === 'curated' && !isControl && mined.has(id);
    if (
      (input.provenance === 'control' && origin === 'curated' && !isControl) ||
      (input.provenance === 'mined' && !isMined)
    ) {
      excluded.provenance++;
      continue;
    }
    if (t !== null) {
      firstTs = Math.min(firstTs, t);
      lastTs = Math.max(lastTs, t);
    }
    members.push({ exampleId: id, classIndex: c, origin, control: isControl });
  }
  if (members.length === 0) {
    const left = Object.entries(excluded)
      .filter(([, n]) => n > 0)
      .map(([why, n]) => `${n} left out by ${why}`);
    throw new ApiError(
      'conflict',
      `no labeled example of '${project.name}' matches these filters, so the evaluation set would be empty` +
        (left.length
          ? ` (${left.join(', ')})`
          : label.size === 0
            ? ` (the project has no ${source === 'both' ? 'ground truth or curated labels' : source === 'truth' ? 'imported ground truth' : 'curated labels'})`
            : '') +
        ': widen the filters',
      { reason: 'empty', excluded },
    );
  }
  members.sort((a, b) => a.exampleId - b.exampleId);
  const summary: EvalSet['summary'] = {
    n: members.length,
    fromTruth: members.filter((m) => m.origin === 'truth').length,
    fromCurated: members.filter((m) => m.origin === 'curated').length,
    control: members.filter((m) => m.control).length,
    mined: members.filter((m) => m.origin === 'curated' && !m.control && mined.has(m.exampleId)).length,
    excluded,
    firstTs: Number.isFinite(firstTs) ? iso(firstTs) : null,
    lastTs: Number.isFinite(lastTs) ? iso(lastTs) : null,
  };
  const definition = {
    source,
    schemaVersion: curated.schema.version,
    from: from === null ? null : iso(from),
    to: to === null ? null : iso(to),
    metadata: input.metadata ?? {},
    provenance: input.provenance,
  };
  const id = ctx.store.evalSets.create(
    {
      project_id: project.id,
      name: input.name,
      schema_version_id: curated.schema.id,
      definition: JSON.stringify(definition),
      summary: JSON.stringify(summary),
    },
    members,
    Date.now(),
  );
  ctx.emit({ type: 'data.changed', projectId: project.id });
  const row = ctx.store.evalSets.byName(project.id, input.name);
  if (!row || row.id !== id) throw new ApiError('internal', `evaluation set '${input.name}' was not recorded`);
  return toRecord(ctx, project, row);
}

export function listEvalSets(ctx: Context, input: ParsedInput<'evalSets.list'>): EvalSet[] {
  const project = resolveProject(ctx, input);
  return ctx.store.evalSets.list(project.id).map((row) => toRecord(ctx, project, row));
}

export function showEvalSet(ctx: Context, input: ParsedInput<'evalSets.show'>): Output<'evalSets.show'> {
  const project = resolveProject(ctx, input.project);
  const row = findSet(ctx, project, input.name);
  const record = toRecord(ctx, project, row);
  const { classLabels } = schemaClasses(ctx, project, record.schemaVersion);
  const names = labelNames(ctx, project, record.schemaVersion, classLabels);
  const labels: Record<string, number> = {};
  for (const m of ctx.store.evalSets.members(row.id)) {
    const name = names[m.classIndex] ?? String(m.classIndex);
    labels[name] = (labels[name] ?? 0) + 1;
  }
  return { ...record, labels };
}

function labelNames(ctx: Context, project: Project, version: number, classLabels: (string | null)[]): string[] {
  const schema = ctx.store.labelSchemas.all(project.id).find((v) => v.version === version);
  return project.classes.map((name, c) => {
    const id = classLabels[c];
    return schema?.labels.find((l) => l.id === id)?.name ?? id ?? name;
  });
}

/** The frozen examples and labels of a named set, as eval judges on them. */
export function frozenEvaluationSet(ctx: Context, project: Project, name: string): EvaluationSet {
  const row = findSet(ctx, project, name);
  const record = toRecord(ctx, project, row);
  const { classLabels } = schemaClasses(ctx, project, record.schemaVersion);
  const truth = new Map<number, number>();
  const curated = new Set<number>();
  const control = new Set<number>();
  for (const m of ctx.store.evalSets.members(row.id)) {
    truth.set(m.exampleId, m.classIndex);
    if (m.origin === 'curated') curated.add(m.exampleId);
    if (m.control) control.add(m.exampleId);
  }
  const d = record.definition as { source: 'truth' | 'curated' | 'both'; from: string | null; to: string | null };
  const s = record.summary;
  return {
    schemaVersion: record.schemaVersion,
    labels: project.classes.map((n, c) => classLabels[c] ?? n),
    truth,
    curated,
    control,
    notes: [
      `evaluation set '${row.name}' (created ${iso(row.created_at)}): its examples and labels are frozen; labels changed since then do not change it`,
    ],
    info: {
      name: row.name,
      source: d.source,
      sourceReason: `frozen in evaluation set '${row.name}'`,
      from: d.from,
      to: d.to,
      n: truth.size,
      fromTruth: s.fromTruth,
      fromCurated: s.fromCurated,
      both: 0,
      disagreeing: 0,
      excluded: {
        outsideWindow: s.excluded.outsideWindow,
        noTimestamp: s.excluded.noTimestamp,
        truthUnmapped: 0,
        curatedUnmapped: s.excluded.unmapped,
      },
    },
  };
}
