import { ApiError } from '../../../shared/api/errors';
import type { ExportOptions, ExportRecord } from '../../../shared/features/export/contract';
import { ExportOptionsSchema } from '../../../shared/features/export/contract';
import { classLabelIds } from '../../../shared/features/labels/from-classes';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { HandlerGroup } from '../../core/handler';
import { APP_VERSION } from '../../core/version';
import { writablePath } from '../../io/confine';
import type { ExportRow } from '../../store/exports';
import { resolveProject } from '../projects/handlers';
import type { JobControl } from '../../core/jobs';
import { acquireExportLock, recoverDeadExports, type PendingExport } from './export-lock';
import type { ExportOutcome, ExportPlan, ExportPreview } from './plan';
import { checkDestination, exportTarget } from './publish';
import { exportFolder } from './export-files';
import { runExportProcess } from './run-export';
import { previewOf } from './selection-counts';
import { selectInThisThread } from './select-in-workers';
import { ExportReadQueries } from '../../store/export-reads';
import path from 'node:path';
import { resolveModelRun, runLabel } from '../mining/model-runs';
import { RowFormat } from './row-format';
import { scoreColumnNames, type ScoreRun } from './score-columns';

/**
 * The runs whose scores an export adds, in the order asked: each must be a run of this project
 * with predictions, named once, and its columns must not take a name the rows already have.
 */
function resolveScoreRuns(ctx: Context, project: Project, refs: ExportOptions['withScores']): ScoreRun[] {
  if (!refs) return [];
  const available = ctx.store.mining.modelRuns(project.id);
  const runs = refs.map((ref) => {
    if (typeof ref === 'number' && !available.some((r) => r.id === ref)) {
      const owner = ctx.store.mining.modelRunProject(ref);
      if (owner !== undefined && owner !== project.name) {
        throw new ApiError(
          'invalid-input',
          `model run #${ref} belongs to project '${owner}', not '${project.name}': scores come from this project's runs (${available.map(runLabel).join(', ') || 'none'})`,
        );
      }
    }
    const r = resolveModelRun(project, available, ref);
    return { id: r.id, name: r.model_name, version: r.model_version, source: r.source };
  });
  const twice = runs.filter((r, i) => runs.findIndex((o) => o.id === r.id) !== i);
  if (twice.length > 0)
    throw new ApiError('invalid-input', `--with-scores names ${twice[0]!.name}@${twice[0]!.version} twice`);
  const taken = new Set(new RowFormat(project).csvColumns());
  const clash = scoreColumnNames({ taskType: project.taskType, classes: project.classes, runs }).find((c) =>
    taken.has(c),
  );
  if (clash)
    throw new ApiError(
      'invalid-input',
      `the score column '${clash}' would take the name of a column the rows already have: rename that feature or leave that run out`,
    );
  return runs;
}

export function planExport(ctx: Context, project: Project, options: ExportOptions): ExportPlan {
  const versions = ctx.store.labelSchemas.all(project.id);
  const schema =
    options.schemaVersion === undefined ? versions.at(-1) : versions.find((v) => v.version === options.schemaVersion);
  if (!schema) {
    throw new ApiError(
      'not-found',
      `project '${project.name}' has no label schema version ${options.schemaVersion ?? ''}`.trim(),
    );
  }
  const runs = ctx.store.mining.modelRuns(project.id).map((r) => ({
    id: r.id,
    name: r.model_name,
    version: r.model_version,
    source: r.source,
  }));
  let modelRun: ExportPlan['modelRun'] = null;
  if (options.labelSource === 'human+model') {
    const ref = options.modelRun;
    modelRun =
      ref === undefined
        ? (runs.at(-1) ?? null)
        : (runs.find((r) =>
            typeof ref === 'number' ? r.id === ref : `${r.name}@${r.version}` === ref || r.version === ref,
          ) ?? null);
    if (!modelRun) {
      throw new ApiError(
        'not-found',
        ref === undefined
          ? `project '${project.name}' has no model run to label the unlabeled examples with`
          : `project '${project.name}' has no model run '${ref}' (it has: ${runs.map((r) => `${r.name}@${r.version}`).join(', ') || 'none'})`,
      );
    }
  }
  const scoreRuns = resolveScoreRuns(ctx, project, options.withScores);
  let annotatorIds: number[] | null = null;
  if (options.annotators) {
    const names = ctx.store.labelEvents.annotatorNames();
    const byName = new Map([...names].map(([id, name]) => [name, id]));
    const unknown = options.annotators.filter((a) => !byName.has(a));
    if (unknown.length > 0) throw new ApiError('not-found', `no annotator ${unknown.map((a) => `'${a}'`).join(', ')}`);
    annotatorIds = options.annotators.map((a) => byName.get(a)!);
  }
  const dir = options.dir ? writablePath(ctx, options.dir, 'the export folder') : path.join(ctx.dataDir, 'exports');
  const { baseDir, finalPath } = exportTarget(dir, options.name);
  // Defaults resolved, and the project named by its id: what the manifest and the record hold, so
  // a rebuild (--again) reads the same schema version and model run even after newer ones arrive.
  // Parsed again so the keys come in the schema's order, as a rebuild's parsed record has them.
  const resolved = ExportOptionsSchema.parse({
    ...options,
    project: { projectId: project.id },
    schemaVersion: schema.version,
    ...(modelRun ? { modelRun: modelRun.id } : {}),
    ...(scoreRuns.length > 0 ? { withScores: scoreRuns.map((r) => r.id) } : {}),
  });
  return {
    ...ctx.store.connectionInfo,
    project,
    schema,
    classLabels: classLabelIds(
      project.classes,
      versions.filter((v) => v.version <= schema.version),
    ),
    options: resolved,
    modelRun,
    modelRuns: runs,
    scoreRuns,
    annotatorIds,
    split: options.split ?? null,
    baseDir,
    finalPath,
    toolVersion: APP_VERSION,
  };
}

function startExport(ctx: Context, options: ExportOptions): { jobId: string } {
  recoverDeadExports(ctx);
  const project = resolveProject(ctx, options.project);
  const plan = planExport(ctx, project, options);
  checkDestination(plan.finalPath, options.force);
  const { force: _force, ...recorded } = plan.options;
  const pending: PendingExport = {
    project_id: project.id,
    schema_version_id: plan.schema.id,
    options: JSON.stringify({ ...recorded, dir: plan.baseDir }),
    format: options.format,
    path: plan.finalPath,
  };
  // Held from before the temp folder exists until the record is written (see export-lock.ts).
  const lock = acquireExportLock(ctx, pending);
  const run = async (control: JobControl) => {
    let outcome: ExportOutcome;
    try {
      outcome = await runExportProcess(plan, control);
    } catch (e) {
      lock.releaseAfterFailure();
      throw e;
    }
    let id: number;
    try {
      id = ctx.store.db.transaction(() => {
        const exportId = ctx.store.exports.add(
          { ...pending, manifest: JSON.stringify(outcome.manifest), content_hash: outcome.contentHash },
          Date.now(),
        );
        // Which examples went into which split: what training lineage reads.
        const m = outcome.members;
        ctx.store.evalSets.recordExportExamples(exportId, m.splitNames, m.exampleIds, m.splits);
        return exportId;
      })();
    } catch (e) {
      lock.leaveForRecovery();
      throw e;
    }
    lock.release();
    ctx.emit({ type: 'data.changed', projectId: project.id });
    return {
      exportId: id,
      path: plan.finalPath,
      rows: outcome.rows,
      files: outcome.files,
      contentHash: outcome.contentHash,
      ...(outcome.scores ? { scores: outcome.scores } : {}),
      peakRssMb: outcome.peakRssMb,
    };
  };
  try {
    return { jobId: ctx.jobs.start('export', run) };
  } catch (e) {
    lock.release();
    throw e;
  }
}

function toRecord(ctx: Context, row: ExportRow): ExportRecord {
  const manifest = JSON.parse(row.manifest) as { files: ExportRecord['files']; schema: { version: number } };
  return {
    id: row.id,
    projectId: row.project_id,
    name: path.basename(row.path),
    path: row.path,
    format: row.format as ExportRecord['format'],
    schemaVersion: manifest.schema.version,
    rows: manifest.files.reduce((sum, f) => sum + f.rows, 0),
    contentHash: row.content_hash,
    files: manifest.files,
    options: JSON.parse(row.options) as unknown,
    manifest: manifest as unknown as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

export const exportHandlers: HandlerGroup<
  'export.start' | 'export.preview' | 'export.again' | 'export.list' | 'export.openFolder'
> = {
  'export.start': (input, ctx) => startExport(ctx, input),
  'export.preview': async (input, ctx) => {
    const options = { ...input, name: 'preview', format: 'jsonl' as const, force: false };
    const plan = planExport(ctx, resolveProject(ctx, input.project), options);
    // A small project is counted here: starting the export process and its threads would take
    // seconds for what a few milliseconds of reads answer. A large one runs where exports run.
    const sel = selectInThisThread(new ExportReadQueries(ctx.store.db), plan);
    if (sel) return previewOf(plan, sel);
    return runExportProcess<ExportPreview>(
      { ...plan, previewOnly: true },
      { jobId: 'preview', signal: new AbortController().signal, progress: () => undefined },
    );
  },
  'export.again': (input, ctx) => {
    const row = ctx.store.exports.byId(input.exportId);
    if (!row) throw new ApiError('not-found', `no export #${input.exportId}`);
    const recorded = JSON.parse(row.options) as Record<string, unknown>;
    const options = ExportOptionsSchema.parse({
      ...recorded,
      project: { projectId: row.project_id },
      force: input.force,
    });
    return startExport(ctx, options);
  },
  'export.openFolder': async ({ exportId }, ctx) => {
    const { folder } = exportFolder(ctx, exportId);
    if (!ctx.openFolder) {
      throw new ApiError(
        'unsupported',
        'A browser cannot open folders on the machine running the workbench: download the files instead.',
      );
    }
    await ctx.openFolder(folder);
    return { path: folder };
  },
  'export.list': (input, ctx) => {
    recoverDeadExports(ctx);
    return ctx.store.exports.forProject(resolveProject(ctx, input).id).map((row) => toRecord(ctx, row));
  },
};
