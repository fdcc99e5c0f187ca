import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ApiError } from '../../../shared/api/errors';
import {
  scoreColumn,
  type PredictionsExportInput,
  type PredictionsExportResult,
} from '../../../shared/features/predictions/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { builtEntry } from '../../core/entry-points';
import type { HandlerGroup } from '../../core/handler';
import type { JobControl } from '../../core/jobs';
import { APP_VERSION } from '../../core/version';
import { writablePath } from '../../io/confine';
import { fsyncDir } from '../export/file-sink';
import { resolveModelRun } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';
import type { PredictionsLayout, PredictionsWorkerData, PredictionsWorkerMessage } from './layout';

/** Where a predictions file goes: the path asked for, or one named after the run in the data folder. */
function destination(ctx: Context, project: Project, runLabel: string, input: PredictionsExportInput): string {
  if (input.out) return writablePath(ctx, input.out, 'the predictions file');
  const safe = `${project.name}-${runLabel}`.replace(/[^A-Za-z0-9._@-]/g, '_');
  return path.join(ctx.dataDir, 'predictions', `${safe}.${input.format}`);
}

function checkDestination(file: string, force: boolean): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return; // nothing there yet
  }
  if (!stat.isFile())
    throw new ApiError('invalid-input', `${file} exists and is not a regular file: choose another output path`);
  if (!force)
    throw new ApiError('conflict', `${file} already exists: choose another output path, or replace it (--force)`, {
      reason: 'exists',
    });
}

/** Runs the worker that writes the file; cancel stops it. */
function writeInWorker(
  data: PredictionsWorkerData,
  control: JobControl,
): Promise<{ rows: number; bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(builtEntry('predictions-worker'), { workerData: data, execArgv: [] });
    const started = Date.now();
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      control.signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      void worker.terminate();
      finish(() => reject(new ApiError('cancelled', 'predictions export cancelled: nothing was written')));
    };
    control.signal.addEventListener('abort', onAbort);
    worker.on('message', (m: PredictionsWorkerMessage) => {
      if (m.type === 'progress') {
        const seconds = (Date.now() - started) / 1000;
        const rate = seconds > 0 ? m.rows / seconds : 0;
        control.progress({
          phase: 'writing',
          rowsDone: m.rows,
          bytesDone: 0,
          bytesTotal: null,
          rowsPerSecond: rate,
          etaSeconds: rate > 0 ? Math.max(0, (m.total - m.rows) / rate) : null,
        });
      } else if (m.type === 'done') finish(() => resolve(m));
      else finish(() => reject(new ApiError('internal', `predictions export failed: ${m.message}`)));
    });
    worker.on('error', (e) =>
      finish(() => reject(new ApiError('internal', `predictions export failed: ${e.message}`))),
    );
    worker.on('exit', (code) =>
      finish(() => reject(new ApiError('internal', `predictions export stopped early (exit ${code})`))),
    );
  });
}

function startPredictionsExport(ctx: Context, input: PredictionsExportInput): { jobId: string } {
  const project = resolveProject(ctx, input.project);
  const run = resolveModelRun(project, ctx.store.mining.modelRuns(project.id), input.run);
  const label = `${run.model_name}@${run.model_version}`;
  const file = destination(ctx, project, label, input);
  checkDestination(file, input.force);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const layout: PredictionsLayout = {
    taskType: project.taskType,
    inputKind: project.inputKind,
    classes: project.classes,
    featureNames: project.featureNames ?? [],
    model: { name: run.model_name, version: run.model_version },
  };
  const jobId = ctx.jobs.start('predictions', async (control): Promise<PredictionsExportResult> => {
    // Written beside the destination, then renamed over it: the path holds the old file or the new one.
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const written = await writeInWorker(
        {
          ...ctx.store.connectionInfo,
          modelRunId: run.id,
          layout,
          format: input.format,
          file: temp,
          createdBy: `Flywheel Workbench ${APP_VERSION}`,
        },
        control,
      );
      checkDestination(file, input.force);
      fs.renameSync(temp, file);
      fsyncDir(path.dirname(file));
      return {
        path: file,
        format: input.format,
        run: { id: run.id, name: run.model_name, version: run.model_version },
        ...written,
        columns: project.classes.map(scoreColumn),
      };
    } finally {
      fs.rmSync(temp, { force: true });
    }
  });
  return { jobId };
}

export const predictionsHandlers: HandlerGroup<'predictions.export'> = {
  'predictions.export': (input, ctx) => startPredictionsExport(ctx, input),
};
