import path from 'node:path';
import type { ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { parseTemplate } from '../../../shared/domain/text-template';
import { guessMapping } from '../../../shared/features/import/guess-mapping';
import { ImportMappingSchema, type ImportMapping } from '../../../shared/features/import/mapping';
import { classOrderWarning } from '../../../shared/features/import/class-order';
import { importValidator } from '../../../shared/features/import/import-target';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { HandlerGroup } from '../../core/handler';
import { writablePath } from '../../io/confine';
import { THIS_HOST } from '../../store/store';
import { createProject } from '../projects/create-project';
import { confirmAlreadyImported, prepareRun, runImport, toImportRun, type ImportRequest } from './import-job';
import { convertCells, mappedFields } from './field-access';
import { readSample } from './preview';
import { checkNewRejectsPath } from './rejects-file';
import { describeHolder, holderOf } from './run-lock';
import { sniffFile, type SniffResult } from './sniff';

/** A text template naming a field the log does not have, in words; null when it has them all. */
function templateFieldProblem(mapping: ImportMapping, logFields: readonly string[]): string | null {
  if (!mapping.textTemplate) return null;
  const have = new Set(logFields);
  const missing = parseTemplate(mapping.textTemplate).fields.filter((f) => !have.has(f));
  if (missing.length === 0) return null;
  return (
    `the text template names ${missing.map((f) => `'${f}'`).join(', ')}, which the log does not have ` +
    `(its fields: ${logFields.slice(0, 30).join(', ')}${logFields.length > 30 ? ', …' : ''})`
  );
}

type ImportMethods = 'import.preview' | 'import.start' | 'import.runs' | 'import.discard' | 'import.mappings';

function featureNamesOf(m: ImportMapping): string[] | null {
  const f = m.features;
  if (!f) return null;
  if (f.kind === 'fields') return f.fields;
  return Array.from({ length: f.dim }, (_, i) => `${f.field}[${i}]`);
}

function newProject(ctx: Context, name: string, mapping: ImportMapping): Project {
  return createProject(ctx, {
    name,
    taskType: mapping.taskType,
    inputKind: mapping.inputKind,
    classes: mapping.classes,
    featureNames: featureNamesOf(mapping),
  });
}

/** The existing project a log goes into, or null when the import makes a new one by that name. */
function existingTarget(ctx: Context, target: { projectId: number } | { project: string }): Project | null {
  if ('projectId' in target) {
    const project = ctx.store.projects.byId(target.projectId);
    if (!project) throw new ApiError('not-found', `no project #${target.projectId}`);
    return project;
  }
  return ctx.store.projects.byName(target.project);
}

/**
 * Refuses an existing rejects path before anything is made (a project, a saved mapping), unless
 * it is the own file of an interrupted run of the project; prepareRun checks it again for that run.
 */
function refuseTakenRejectsPath(ctx: Context, target: { projectId: number } | { project: string }, file: string) {
  const project =
    'projectId' in target ? ctx.store.projects.byId(target.projectId) : ctx.store.projects.byName(target.project);
  const own = project && ctx.store.importRuns.unfinished(project.id).some((r) => r.rejects_path === file);
  if (!own) checkNewRejectsPath(file);
}

/**
 * An import that made its project and ended with nothing imported takes the project with it, so a
 * failed first import leaves no empty project behind. The error says so.
 */
function withoutCreatedProject(ctx: Context, project: Project, e: unknown): unknown {
  if (!ctx.store.projects.removeIfOnlyFailedImports(project.id)) return e;
  ctx.emit({ type: 'data.changed', projectId: project.id });
  const note = `; project '${project.name}' was made for this import and is removed with it`;
  if (e instanceof ApiError) return new ApiError(e.code, e.message + note, e.details);
  return new ApiError('internal', (e as Error).message + note);
}

/** Starts (or resumes) the import job into `project`; `created`: this call made the project. */
async function startImport(
  ctx: Context,
  input: ParsedInput<'import.start'>,
  file: SniffResult,
  project: Project,
  mapping: ImportMapping,
  created: boolean,
  rejectsPath: string | undefined,
): Promise<{ jobId: string; importRunId: number | null }> {
  const names = featureNamesOf(mapping);
  if (names && !project.featureNames) ctx.store.projects.setFeatureNames(project.id, names);
  if (input.saveMappingAs) ctx.store.projects.saveMapping(project.id, input.saveMappingAs, mapping);
  const req: ImportRequest = {
    project,
    file,
    mapping,
    strict: input.strict,
    ...(rejectsPath ? { rejectsPath } : {}),
    maxLineBytes: input.maxLineBytes,
    maxDecompressedBytes: input.maxDecompressedBytes,
    maxGzipRatio: input.maxGzipRatio,
    batchRows: input.batchRows,
    batchBytes: input.batchBytes,
  };
  let prepared = prepareRun(ctx, req);
  if ('done' in prepared) {
    const done = prepared.done;
    if (await confirmAlreadyImported(done, file.path)) {
      const jobId = ctx.jobs.start('import', () => Promise.resolve(toImportRun(done, { alreadyImported: true })));
      return { jobId, importRunId: done.id };
    }
    prepared = prepareRun(ctx, req, { ignoreDone: true });
  }
  const { run, resumed } = prepared as Exclude<typeof prepared, { done: unknown }>;
  const jobId = ctx.jobs.start('import', (control) =>
    runImport(ctx, req, run, resumed, control).catch((e: unknown) => {
      throw created ? withoutCreatedProject(ctx, project, e) : e;
    }),
  );
  return { jobId, importRunId: run.id };
}

export const importHandlers: HandlerGroup<ImportMethods> = {
  'import.preview': async (input, ctx) => {
    const file = sniffFile(input.path, input.format, input.sampleRows);
    const sample = await readSample(file, input.sampleRows);
    const project =
      input.projectId !== undefined
        ? ctx.store.projects.byId(input.projectId)
        : input.project !== undefined
          ? ctx.store.projects.byName(input.project)
          : null;
    let mapping: ImportMapping | null = input.mapping ?? null;
    let savedMapping: string | null = null;
    let notes: string[] = [];
    let fieldsDropped = 0;
    if (project && !mapping) {
      const fieldSet = new Set(sample.fields);
      const saved = ctx.store.projects
        .savedMappings(project.id)
        .find((s) => [...mappedFields(s.mapping).keys()].every((f) => fieldSet.has(f)));
      if (saved) {
        mapping = saved.mapping;
        savedMapping = saved.name;
        notes.push(`using the saved mapping '${saved.name}' of project '${project.name}'`);
      }
    }
    if (!mapping) {
      const guess = guessMapping(sample.fields, sample.rows, project ? { classes: project.classes } : {});
      mapping = guess.mapping;
      notes = notes.concat(guess.notes);
      fieldsDropped = guess.fieldsDropped;
    }
    const sampleRejects = [];
    let mappingProblem: string | null = null;
    let classOrder: string | null = null;
    let rowsChecked = 0;
    if (mapping) {
      const fields = mappedFields(mapping);
      const rows = sample.cells ? sample.cells.map((c) => convertCells(c, fields)) : sample.rows;
      rowsChecked = rows.length;
      try {
        const missing = templateFieldProblem(mapping, sample.fields);
        if (missing) throw new Error(missing);
        const validate = importValidator(mapping, project);
        for (const [i, row] of rows.entries()) {
          const r = validate(row);
          if (!r.ok) sampleRejects.push({ row: i + 1, line: null, field: r.problem.field, reason: r.problem.reason });
        }
      } catch (e) {
        mappingProblem = (e as Error).message;
      }
      classOrder = classOrderWarning(mapping, rows);
    }
    return {
      path: file.path,
      format: file.format,
      compression: file.compression,
      sizeBytes: file.size,
      fields: sample.fields,
      sample: sample.rows.slice(0, 20),
      mapping,
      notes,
      fieldsDropped,
      sampleRejects,
      rowsChecked,
      mappingProblem,
      classOrderWarning: classOrder,
      savedMapping,
    };
  },

  'import.start': async (input, ctx) => {
    const mapping = ImportMappingSchema.parse(input.mapping);
    const file = sniffFile(input.path);
    const rejectsPath = input.rejectsPath ? writablePath(ctx, input.rejectsPath, 'the rejects file') : undefined;
    if (rejectsPath) refuseTakenRejectsPath(ctx, input, rejectsPath);
    const existing = existingTarget(ctx, input);
    try {
      importValidator(mapping, existing);
    } catch (e) {
      throw new ApiError('bad-mapping', (e as Error).message);
    }
    if (mapping.textTemplate) {
      const missing = templateFieldProblem(mapping, (await readSample(file, 100)).fields);
      if (missing) throw new ApiError('bad-mapping', `${path.basename(file.path)}: ${missing}`);
    }
    if (existing) return startImport(ctx, input, file, existing, mapping, false, rejectsPath);
    const project = newProject(ctx, 'project' in input ? input.project : '', mapping);
    try {
      return await startImport(ctx, input, file, project, mapping, true, rejectsPath);
    } catch (e) {
      throw withoutCreatedProject(ctx, project, e);
    }
  },

  'import.runs': ({ projectId }, ctx) => ctx.store.importRuns.forProject(projectId).map((r) => toImportRun(r)),

  'import.discard': ({ importRunId }, ctx) => {
    const runs = ctx.store.importRuns;
    const run = runs.get(importRunId);
    if (!run) throw new ApiError('not-found', `no import run #${importRunId}`);
    const holder = run.status === 'running' ? holderOf(run) : null;
    if (holder?.alive) {
      throw new ApiError('conflict', `import #${importRunId} is still running in ${describeHolder(holder)}`);
    }
    const view = toImportRun(run);
    if (view.status !== 'interrupted') {
      throw new ApiError(
        'conflict',
        `import #${importRunId} is ${view.status}: only an interrupted import can be discarded`,
      );
    }
    // Take the dead run over first: of a discard and a resume racing for it, one wins.
    if (!runs.takeOver(run, process.pid, THIS_HOST)) {
      throw new ApiError('conflict', `import #${importRunId} was taken over by another process just now`);
    }
    return runs.abandon(importRunId, 'cancelled', 'discarded after an interruption');
  },

  'import.mappings': ({ projectId }, ctx) =>
    ctx.store.projects.savedMappings(projectId).map(({ name, mapping, createdAt }) => ({ name, mapping, createdAt })),
};
