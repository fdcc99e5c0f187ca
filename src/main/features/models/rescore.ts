import fs from 'node:fs';
import type { ParsedInput } from '../../../shared/api/contract';
import type { RegisteredModel, RescoreResult } from '../../../shared/features/models/contract';
import { ApiError } from '../../../shared/api/errors';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { JobControl } from '../../core/jobs';
import { RescoreWriter } from '../../store/rescore-writer';
import { THIS_HOST } from '../../store/store';
import { describeHolder, HEARTBEAT_MS, holderOf } from '../import/run-lock';
import { resolveProject } from '../projects/handlers';
import { toModel } from './add-model';
import { openModel } from './model-host';
import { batchOf, inputName, tokenizerOf } from './model-input';

type Model = RegisteredModel;
type Result = RescoreResult;

export function findModel(ctx: Context, project: Project, ref: number | string): Model {
  const models = ctx.store.models.forProject(project.id).map(toModel);
  const found =
    typeof ref === 'number'
      ? models.find((m) => m.id === ref)
      : models.find((m) => `${m.name}@${m.version}` === ref || m.name === ref || m.version === ref);
  if (!found) {
    throw new ApiError(
      'not-found',
      `project '${project.name}' has no model '${ref}' (it has: ${models.map((m) => `${m.name}@${m.version}`).join(', ') || 'none'})`,
    );
  }
  return found;
}

/**
 * Class probabilities as the store keeps them: binary one value P(classes[1]), else one per class,
 * in the project's class order (`order[c]`: the model column holding project class c).
 */
export function toScores(
  values: Float32Array,
  n: number,
  width: number,
  kind: 'probabilities' | 'logits',
  binary: boolean,
  order: number[] | null = null,
) {
  const out = binary ? new Float32Array(n) : new Float32Array(n * width);
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = values.subarray(i * width, (i + 1) * width);
    let probs: number[];
    if (width === 1) {
      const p = kind === 'logits' ? 1 / (1 + Math.exp(-row[0]!)) : row[0]!;
      // One column is P(the model's second class): the complement where that is the project's first.
      probs = [order && order[1] === 0 ? 1 - p : p];
    } else {
      if (kind === 'logits') {
        const max = Math.max(...row);
        const e = Array.from(row, (v) => Math.exp(v - max));
        const sum = e.reduce((a, b) => a + b, 0);
        probs = e.map((v) => v / sum);
      } else probs = Array.from(row);
      if (order) probs = order.map((column) => probs[column]!);
    }
    if (probs.some((p) => !Number.isFinite(p))) return { bad: i, scores: out, predicted };
    if (binary) {
      const p = width === 1 ? probs[0]! : probs[1]!;
      out[i] = p;
      predicted[i] = p >= 0.5 ? 1 : 0;
    } else {
      let best = 0;
      for (let c = 0; c < width; c++) {
        out[i * width + c] = probs[c]!;
        if (probs[c]! > probs[best]!) best = c;
      }
      predicted[i] = best;
    }
  }
  return { bad: undefined, scores: out, predicted };
}

export function startRescore(ctx: Context, input: ParsedInput<'models.rescore'>): { jobId: string } {
  const project = resolveProject(ctx, input.project);
  const model = findModel(ctx, project, input.model);
  if (!fs.existsSync(model.file))
    throw new ApiError('bad-file', `the copy of model ${model.name}@${model.version} is missing: ${model.file}`);
  const existing = ctx.store.models.modelRun(project.id, model.name, model.version);
  const existingRun = existing?.import_run_id ? ctx.store.importRuns.get(existing.import_run_id) : null;
  const holder = existingRun?.status === 'running' ? holderOf(existingRun) : null;
  if (holder?.alive && !(holder.pid === process.pid && holder.host === THIS_HOST)) {
    throw new ApiError(
      'conflict',
      `model ${model.name}@${model.version} is being rescored by ${describeHolder(holder)}`,
    );
  }
  const jobId = ctx.jobs.start('rescore', (control) => rescore(ctx, project, model, input, control));
  return { jobId };
}

async function rescore(
  ctx: Context,
  project: Project,
  model: Model,
  input: ParsedInput<'models.rescore'>,
  control: JobControl,
): Promise<Result> {
  const store = ctx.store;
  const existing = store.models.modelRun(project.id, model.name, model.version);
  let run = existing?.import_run_id ? store.importRuns.get(existing.import_run_id) : null;
  if (run?.status === 'done') {
    // Idempotent: this model already scored this project.
    return {
      modelRunId: existing!.id,
      rows: run.rows_imported,
      resumedFrom: 0,
      device: 'none',
      deviceNotes: ['already rescored'],
      tokenizer: null,
      rowsPerSecond: 0,
    };
  }
  if (!run || run.status !== 'running') {
    run = store.importRuns.create({
      projectId: project.id,
      sourcePath: model.file,
      sourceSize: fs.statSync(model.file).size,
      fingerprint: `rescore:${model.sha256}`,
      format: 'rescore' as never,
      compression: 'none',
      mapping: JSON.stringify({ input: model.inputMapping, output: model.outputMapping }),
      strict: false,
      ownerPid: process.pid,
      ownerHost: THIS_HOST,
    });
  }
  store.importRuns.claim(run.id, process.pid, THIS_HOST, '');
  const modelRunId =
    existing?.id ?? store.models.createModelRun(project.id, model.name, model.version, run.id, Date.now());
  const resumedFrom = run.records_read;
  // The lock dies with this process: without this heartbeat, the run soon counts as interrupted.
  const runId = run.id;
  const heartbeat = setInterval(() => {
    try {
      store.importRuns.heartbeat(runId, process.pid, THIS_HOST);
    } catch {
      // the database is busy: the next beat refreshes it
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const bulk = store.openBulkConnection();
  const writer = new RescoreWriter(bulk, run.id, modelRunId);
  const what = `model ${model.name}@${model.version}`;
  const opened = await openModel(
    model.file,
    input.device,
    what,
    tokenizerOf(model.inputMapping, model.file),
    input.memoryLimitMb,
  ).catch((e: unknown) => {
    clearInterval(heartbeat);
    bulk.close();
    throw e;
  });
  const binary = project.taskType === 'binary';
  const inName = inputName(model.inputMapping);
  const { output: outName, kind } = model.outputMapping;
  const order = model.outputMapping.classOrder ?? null;
  const total = store.models.visibleAfter(project.id, resumedFrom);
  const started = performance.now();
  let done = 0;
  let after = resumedFrom;
  try {
    /** The next batch the model can take, in example id order (others are passed over). */
    const read = () => {
      for (;;) {
        const batch = store.models.featureBatch(project.id, after, input.batchSize);
        if (batch.length === 0) return null;
        after = batch[batch.length - 1]!.id;
        const usable = batchOf(model.inputMapping, batch);
        if (usable) return usable;
      }
    };
    // One batch is scored in the model process while the next is read here.
    let next = read();
    while (next) {
      if (control.signal.aborted)
        throw new ApiError('cancelled', `rescoring with ${what} was cancelled: nothing was kept`);
      const { rows, payload } = next;
      const scoring = opened.score(inName, outName, payload);
      next = read();
      const { values, dims } = await scoring;
      const width = dims[1] ?? 1;
      if (dims[0] !== rows.length)
        throw new ApiError('bad-file', `${what} returned ${dims[0]} rows for a batch of ${rows.length}`);
      const converted = toScores(values, rows.length, width, kind, binary, order);
      if (converted.bad !== undefined) {
        throw new ApiError(
          'bad-file',
          `${what} produced a non-finite score for example '${rows[converted.bad]!.external_id}': nothing was kept`,
        );
      }
      writer.writeBatch(
        Int32Array.from(rows, (r) => r.id),
        converted.predicted,
        converted.scores,
        binary ? 1 : width,
      );
      done += rows.length;
      const seconds = (performance.now() - started) / 1000;
      const rate = done / Math.max(seconds, 1e-6);
      control.progress({
        phase: `rescoring on ${opened.device}${opened.tokenizer ? `, tokenized by ${opened.tokenizer}` : ''}`,
        rowsDone: done,
        bytesDone: done,
        bytesTotal: total,
        rowsPerSecond: rate,
        etaSeconds: (total - done) / rate,
      });
    }
    store.importRuns.finish(run.id, model.sha256);
    ctx.emit({ type: 'data.changed', projectId: project.id });
    const seconds = (performance.now() - started) / 1000;
    return {
      modelRunId,
      rows: done,
      resumedFrom,
      device: opened.device,
      deviceNotes: opened.notes,
      tokenizer: opened.tokenizer,
      rowsPerSecond: done / Math.max(seconds, 1e-6),
    };
  } catch (e) {
    const error = e instanceof ApiError ? e : new ApiError('internal', (e as Error).message);
    store.importRuns.abandon(run.id, error.code === 'cancelled' ? 'cancelled' : 'failed', error.message);
    store.db
      .prepare('DELETE FROM model_runs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM predictions WHERE model_run_id = ?)')
      .run(modelRunId, modelRunId);
    throw error;
  } finally {
    clearInterval(heartbeat);
    await opened.close();
    bulk.close();
  }
}
