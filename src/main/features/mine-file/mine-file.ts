import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors';
import type { ImportMapping } from '../../../shared/features/import/mapping';
import { importValidator } from '../../../shared/features/import/import-target';
import { binaryOnly } from '../../../shared/features/mining';
import {
  FILE_STRATEGIES,
  type MineFileRequest,
  type MineFileResult,
} from '../../../shared/features/mine-file/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { JobControl } from '../../core/jobs';
import { prepareRun, runImport, type ImportRequest } from '../import/import-job';
import { sniffFile } from '../import/sniff';
import { resolveProject } from '../projects/handlers';
import type { ScanJob, ScanResult } from './scan';
import { scanInChildProcess } from './scan-host';

/** The checks that need no file: a refused request never starts a job. */
function refuseEarly(project: Project, req: MineFileRequest): void {
  const s = req.strategy.strategy;
  if (!FILE_STRATEGIES.includes(s)) {
    const why =
      s === 'confident-error' ? 'needs labels stored in the project' : 'compares two or more model runs of the project';
    throw new ApiError(
      'invalid-input',
      `${s} ${why} and cannot run over log files; mine-file runs ${FILE_STRATEGIES.join(', ')} ` +
        `(or import the log and use mine --strategy ${s})`,
    );
  }
  if (binaryOnly(s) && project.taskType !== 'binary')
    throw new ApiError('invalid-input', `${s} needs a binary project; '${project.name}' is ${project.taskType}`);
  const unknown = (req.filters.predictedClasses ?? []).filter((c) => !project.classes.includes(c));
  if (unknown.length > 0)
    throw new ApiError(
      'invalid-input',
      `filters.predictedClasses: not a class of '${project.name}': ${unknown.join(', ')}`,
    );
}

function checkedMapping(project: Project, mapping: ImportMapping): ImportMapping {
  try {
    importValidator(mapping, project);
  } catch (e) {
    throw new ApiError('bad-mapping', (e as Error).message);
  }
  return mapping;
}

/** The mapping given, or named, or the saved ones that fit the project (the scan picks one by fields). */
function mappingsFor(ctx: Context, project: Project, req: MineFileRequest): Pick<ScanJob, 'mappings' | 'mappingFixed'> {
  if (req.mapping)
    return { mappings: [{ name: 'given', mapping: checkedMapping(project, req.mapping) }], mappingFixed: true };
  const saved = ctx.store.projects.savedMappings(project.id);
  if (req.mappingName) {
    const found = saved.find((s) => s.name === req.mappingName);
    if (!found)
      throw new ApiError(
        'not-found',
        `project '${project.name}' has no saved mapping '${req.mappingName}' (it has: ${saved.map((s) => s.name).join(', ') || 'none'})`,
      );
    return { mappings: [{ name: found.name, mapping: checkedMapping(project, found.mapping) }], mappingFixed: true };
  }
  const fitting = saved.filter((s) => {
    try {
      importValidator(s.mapping, project);
      return true;
    } catch {
      return false;
    }
  });
  return { mappings: fitting.map((s) => ({ name: s.name, mapping: s.mapping })), mappingFixed: false };
}

/** Example ids mine leaves out: decided under the current schema version, or no longer pending. */
function blockedIds(ctx: Context, project: Project, excludeLabeled: boolean): string[] {
  const ids = new Set(ctx.store.queue.notPending(project.id));
  const latest = ctx.store.labelSchemas.latest(project.id);
  if (excludeLabeled && latest) for (const id of ctx.store.mining.labeledUnder(project.id, latest.id)) ids.add(id);
  return ctx.store.mining.externalIds([...ids]);
}

function defaultThreads(): number {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return Math.max(1, cores - 1);
}

/** Starts mine-file as a job; the request is checked first, so a bad one fails at once. */
export function startMineFile(ctx: Context, req: MineFileRequest): { jobId: string } {
  const project = resolveProject(ctx, req.project);
  refuseEarly(project, req);
  const mappings = mappingsFor(ctx, project, req);
  const jobId = ctx.jobs.start('mine-file', (control) => runMineFile(ctx, project, req, mappings, control));
  return { jobId };
}

async function runMineFile(
  ctx: Context,
  project: Project,
  req: MineFileRequest,
  mappings: Pick<ScanJob, 'mappings' | 'mappingFixed'>,
  control: JobControl,
): Promise<MineFileResult> {
  const workDir = path.join(ctx.dataDir, 'mine-file', `${Date.now()}-${crypto.randomBytes(4).toString('hex')}`);
  const started = Date.now();
  const report = (phase: string, fraction: number | null, rowsDone = 0) =>
    control.progress({
      phase,
      rowsDone,
      bytesDone: fraction === null ? 0 : Math.round(fraction * 1000),
      bytesTotal: fraction === null ? null : 1000,
      rowsPerSecond: 0,
      etaSeconds:
        fraction !== null && fraction > 0.02 ? ((Date.now() - started) / 1000) * ((1 - fraction) / fraction) : null,
    });
  try {
    const dedupe = req.dedupe ?? req.strategy.strategy !== 'random';
    const job: ScanJob = {
      pattern: path.resolve(req.paths),
      project: {
        name: project.name,
        classes: project.classes,
        taskType: project.taskType,
        inputKind: project.inputKind,
        featureNames: project.featureNames,
      },
      ...mappings,
      request: {
        strategy: req.strategy,
        filters: req.filters,
        limit: req.limit,
        perClassQuota: req.perClassQuota,
        dedupe,
        minJaccard: req.minJaccard,
        minCosine: req.minCosine,
        secondLabelShare: req.secondLabelShare,
        controlShare: req.controlShare,
        seed: req.seed,
        bins: req.bins,
        dryRun: req.dryRun,
      },
      blockedIds: blockedIds(ctx, project, req.excludeLabeled),
      workDir,
      rejectsDir: path.join(ctx.dataDir, 'rejects'),
      threads: req.threads ?? defaultThreads(),
      memoryLimitMb: req.memoryLimitMb,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    };
    const scan = await scanInChildProcess(job, report, control.signal);
    const present = ctx.store.mining.exampleIdsByExternalId(
      project.id,
      scan.items.map((i) => i.externalId),
    );
    const base = {
      dryRun: req.dryRun,
      strategy: req.strategy.strategy,
      files: scan.files,
      mapping: scan.mappingName,
      scanned: scan.scanned,
      rejected: scan.rejected,
      rejectsPath: scan.rejectsPath,
      repeatedIds: scan.repeatedIds,
      eligible: scan.eligible,
      selected: scan.items.length,
      controlSample: scan.controlSample,
      doublyLabeled: scan.items.filter((i) => i.labelsWanted > 1).length,
      suppressedDuplicates: scan.suppressedDuplicates,
      suppressedByQuota: scan.suppressedByQuota,
      alreadyPresent: present.size,
      cutoff: scan.cutoff,
      histogram: scan.histogram,
      top: scan.items.slice(0, 20).map(view),
      ...(req.listItems ? { items: scan.items.map(view) } : {}),
    };
    if (req.dryRun || scan.items.length === 0) {
      return {
        ...base,
        imported: 0,
        importRunId: null,
        miningRunId: null,
        added: 0,
        updated: 0,
        alreadyQueued: 0,
        timings: {
          scanMs: scan.timings.scanMs,
          selectMs: scan.timings.selectMs,
          importMs: 0,
          queueMs: 0,
          scanPeakRssMb: scan.timings.peakRssMb,
        },
      };
    }
    const t0 = performance.now();
    const imported = await importSelected(ctx, project, scan, control);
    const importMs = performance.now() - t0;
    const queued = queueSelected(ctx, project, req, dedupe, scan);
    return {
      ...base,
      imported: imported.rowsImported,
      importRunId: imported.id,
      ...queued,
      timings: {
        scanMs: scan.timings.scanMs,
        selectMs: scan.timings.selectMs,
        importMs,
        queueMs: performance.now() - t0 - importMs,
        scanPeakRssMb: scan.timings.peakRssMb,
      },
    };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

const view = (i: ScanResult['items'][number]) => ({
  externalId: i.externalId,
  priority: i.priority,
  reason: i.reason,
  labelsWanted: i.labelsWanted,
  control: i.control,
  snippet: i.snippet,
});

/** The selected rows go in through the import itself: its validation, mapping, predictions and rejects. */
async function importSelected(ctx: Context, project: Project, scan: ScanResult, control: JobControl) {
  const file = sniffFile(scan.extractPath!);
  const req: ImportRequest = {
    project,
    file,
    mapping: scan.mapping,
    strict: false,
    maxLineBytes: 1 << 30,
    maxDecompressedBytes: 64 * 2 ** 30,
    maxGzipRatio: 200,
    batchRows: 8192,
    batchBytes: 16 << 20,
  };
  const prepared = prepareRun(ctx, req, { ignoreDone: true });
  if ('done' in prepared) throw new ApiError('internal', 'the selected rows count as imported already');
  return runImport(ctx, req, prepared.run, false, control);
}

function queueSelected(ctx: Context, project: Project, req: MineFileRequest, dedupe: boolean, scan: ScanResult) {
  const ids = ctx.store.mining.exampleIdsByExternalId(
    project.id,
    scan.items.map((i) => i.externalId),
  );
  const missing = scan.items.filter((i) => !ids.has(i.externalId));
  if (missing.length > 0)
    throw new ApiError(
      'internal',
      `${missing.length} selected rows did not come in (first: '${missing[0]!.externalId}'); nothing was queued`,
    );
  const items = scan.items.map((i) => ({
    exampleId: ids.get(i.externalId)!,
    priority: i.priority,
    reason: i.reason,
    labelsWanted: i.labelsWanted,
    control: i.control,
  }));
  const run = scan.model
    ? ctx.store.mining
        .modelRuns(project.id)
        .find(
          (r) => r.source === 'import' && r.model_name === scan.model!.name && r.model_version === scan.model!.version,
        )
    : undefined;
  const { strategy: name, ...params } = req.strategy;
  const now = Date.now();
  return ctx.store.db
    .transaction(() => {
      const id = ctx.store.mining.createRun(
        project.id,
        {
          strategy: name,
          params: {
            ...params,
            limit: req.limit,
            dedupe,
            minJaccard: req.minJaccard,
            minCosine: req.minCosine,
            secondLabelShare: req.secondLabelShare,
            controlShare: name === 'random' ? 0 : req.controlShare,
            seed: req.seed,
          },
          modelRuns: run ? [run.id] : [],
          filters: {
            ...req.filters,
            excludeLabeled: req.excludeLabeled,
            perClassQuota: req.perClassQuota ?? null,
            files: scan.files,
          },
        },
        now,
      );
      const m = ctx.store.queue.merge(project.id, id, items, now);
      ctx.store.mining.finishRun(id, m.added, {
        selected: items.length,
        controlSample: scan.controlSample,
        updated: m.updated,
        alreadyQueued: m.unchanged,
        suppressedDuplicates: scan.suppressedDuplicates,
        suppressedByQuota: scan.suppressedByQuota,
        scanned: scan.scanned,
        rejected: scan.rejected,
      });
      ctx.emit({ type: 'data.changed', projectId: project.id });
      return { miningRunId: id, added: m.added, updated: m.updated, alreadyQueued: m.unchanged };
    })
    .immediate();
}
