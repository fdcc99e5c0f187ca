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
import { openModel, type OpenModel } from './model-host';
import { inputName, tokenizerOf } from './model-input';
import { pipelineTuning } from './pipeline-tuning';
import { TokenizerPool, tokenizerThreads } from './tokenizer-pool';
import { WindowReader, type ReadWindow } from './window-reader';

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
  threshold = 0.5,
) {
  const out = binary ? new Float32Array(n) : new Float32Array(n * width);
  const predicted = new Int32Array(n);
  // One row's probabilities in the model's column order, then in the project's (no allocation per row:
  // this runs on the thread that writes, for every row).
  const raw = new Float64Array(width);
  const probs = new Float64Array(width);
  for (let i = 0; i < n; i++) {
    const base = i * width;
    if (width === 1) {
      const v = values[base]!;
      const p = kind === 'logits' ? 1 / (1 + Math.exp(-v)) : v;
      // One column is P(the model's second class): the complement where that is the project's first.
      probs[0] = order && order[1] === 0 ? 1 - p : p;
    } else {
      if (kind === 'logits') {
        let max = -Infinity;
        for (let c = 0; c < width; c++) max = Math.max(max, values[base + c]!);
        let sum = 0;
        for (let c = 0; c < width; c++) sum += raw[c] = Math.exp(values[base + c]! - max);
        for (let c = 0; c < width; c++) raw[c] = raw[c]! / sum;
      } else for (let c = 0; c < width; c++) raw[c] = values[base + c]!;
      for (let c = 0; c < width; c++) probs[c] = raw[order ? order[c]! : c]!;
    }
    for (let c = 0; c < width; c++) if (!Number.isFinite(probs[c]!)) return { bad: i, scores: out, predicted };
    if (binary) {
      const p = width === 1 ? probs[0]! : probs[1]!;
      out[i] = p;
      predicted[i] = p >= threshold ? 1 : 0;
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

/** A window of rows on its way through the pipeline, and its scores once every batch is back. */
interface Window {
  ids: Int32Array;
  externalIds: string[];
  scores: Promise<{ values: Float32Array; width: number }>;
}

/**
 * A window's scores in its own row order: the batches' rows put back where bucketing took them
 * from (`places`), or the one batch as it is.
 */
export function gather(
  parts: { values: Float32Array; dims: number[] }[],
  places: Int32Array[] | null,
  n: number,
  what: string,
): { values: Float32Array; width: number } {
  const width = parts[0]?.dims[1] ?? 1;
  parts.forEach((p, i) => {
    const expected = places ? places[i]!.length : n;
    if (p.dims[0] !== expected)
      throw new ApiError('bad-file', `${what} returned ${p.dims[0]} rows for a batch of ${expected}`);
    if ((p.dims[1] ?? 1) !== width) throw new ApiError('bad-file', `${what} returned batches of different widths`);
  });
  if (!places) return { values: parts[0]!.values, width };
  const values = new Float32Array(n * width);
  parts.forEach((p, i) =>
    places![i]!.forEach((row, j) => values.set(p.values.subarray(j * width, (j + 1) * width), row * width)),
  );
  return { values, width };
}

export function startRescore(ctx: Context, input: ParsedInput<'models.rescore'>): { jobId: string } {
  const project = resolveProject(ctx, input.project);
  const model = findModel(ctx, project, input.model);
  if (model.outputMapping.kind === 'embedding') {
    throw new ApiError(
      'bad-mapping',
      `model ${model.name}@${model.version} is a sentence encoder (it gives embeddings of ${model.outputMapping.width} numbers, not class scores): use it as the learner's representation (flywheel learn ${project.name} embed --encoder ${model.name}@${model.version}, then --representation embeddings:${model.name}@${model.version})`,
    );
  }
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
  const spec = tokenizerOf(model.inputMapping, model.file);
  // The model process and the tokenizer threads start together, and the rows are counted meanwhile.
  const opening = openModel(model.file, input.device, what, spec, input.memoryLimitMb);
  const pooling = spec ? TokenizerPool.start(spec, tokenizerThreads(), what) : Promise.resolve(null);
  opening.catch(() => {});
  pooling.catch(() => {});
  // How windows are cut does not depend on the device: reading starts while the model loads.
  const reading = pipelineTuning(input.device, input.batchSize, spec ? tokenizerThreads() : 0);
  const reader = new WindowReader(
    {
      ...store.connectionInfo,
      projectId: project.id,
      after: resumedFrom,
      windowRows: reading.windowRows,
      ahead: reading.windowsAhead + 1,
      mapping: model.inputMapping,
    },
    what,
  );
  const total = store.models.visibleAfter(project.id, resumedFrom);
  let opened: OpenModel;
  try {
    opened = await opening;
  } catch (e) {
    void pooling.then((p) => p?.close()).catch(() => {});
    clearInterval(heartbeat);
    await reader.close();
    bulk.close();
    // Nothing was scored: the run ends now rather than holding the project's lock until it expires.
    store.importRuns.abandon(run.id, 'failed', (e as Error).message);
    store.models.removeIfEmpty(modelRunId);
    throw e;
  }
  let pool: TokenizerPool | null = null;
  const binary = project.taskType === 'binary';
  const inName = inputName(model.inputMapping);
  const { output: outName, kind } = model.outputMapping;
  const order = model.outputMapping.classOrder ?? null;
  const threshold = model.outputMapping.threshold ?? 0.5;
  let done = 0;
  const queue: Window[] = [];
  try {
    pool = await pooling;
    const tuning = pipelineTuning(opened.device, input.batchSize, pool?.size ?? 0);
    const started = performance.now();
    /** Starts scoring a window: tokenized by the pool and scored as batches of similar length, or as one batch. */
    const start = (next: ReadWindow): Window => {
      const { payload } = next;
      let scored: Promise<{ values: Float32Array; dims: number[] }[]>;
      let places: Int32Array[] | null = null;
      if (pool && payload.kind === 'tokenize') {
        scored = pool.tokenize(payload.data, payload.pairs, tuning.modelBatchRows, true).then((batches) => {
          places = batches.map((b) => b.rows);
          return Promise.all(
            batches.map((b) => opened.score(inName, outName, { kind: 'int64', feeds: b.feeds, dims: b.dims })),
          );
        });
      } else scored = Promise.all([opened.score(inName, outName, payload)]);
      const window: Window = {
        ids: next.ids,
        externalIds: next.externalIds,
        scores: scored.then((parts) => gather(parts, places, next.ids.length, what)),
      };
      // Read ahead of a failure: the job fails when it reaches this window, not as an unhandled rejection.
      window.scores.catch(() => {});
      return window;
    };
    /** Windows the reading thread has ready go on to be scored, up to the tuning's number ahead. */
    const fill = () => {
      while (queue.length < tuning.windowsAhead) {
        const next = reader.take();
        if (!next) return next;
        queue.push(start(next));
      }
      return undefined;
    };
    // Windows in flight: read by the reading thread, tokenized in the pool, scored in the model
    // process, written here in id order.
    for (;;) {
      if (control.signal.aborted)
        throw new ApiError('cancelled', `rescoring with ${what} was cancelled: nothing was kept`);
      const end = fill();
      if (queue.length === 0) {
        if (end === null) break;
        await reader.arrival();
        continue;
      }
      const { ids, externalIds, scores } = queue[0]!;
      const { values, width } = await scores;
      queue.shift();
      if (control.signal.aborted)
        throw new ApiError('cancelled', `rescoring with ${what} was cancelled: nothing was kept`);
      fill();
      const converted = toScores(
        values,
        ids.length,
        width,
        kind as 'probabilities' | 'logits',
        binary,
        order,
        threshold,
      );
      if (converted.bad !== undefined) {
        throw new ApiError(
          'bad-file',
          `${what} produced a non-finite score for example '${externalIds[converted.bad]!}': nothing was kept`,
        );
      }
      writer.writeBatch(ids, converted.predicted, converted.scores, binary ? 1 : width);
      done += ids.length;
      const seconds = (performance.now() - started) / 1000;
      const rate = done / Math.max(seconds, 1e-6);
      control.progress({
        phase: `rescoring on ${opened.device}${pool ? `, tokenized by ${pool.name} on ${pool.size} thread${pool.size === 1 ? '' : 's'}` : ''}`,
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
      tokenizer: pool?.name ?? opened.tokenizer,
      rowsPerSecond: done / Math.max(seconds, 1e-6),
      modelBusy: Math.min(1, opened.busyMs / 1000 / Math.max(seconds, 1e-6)),
    };
  } catch (e) {
    const error = e instanceof ApiError ? e : new ApiError('internal', (e as Error).message);
    store.importRuns.abandon(run.id, error.code === 'cancelled' ? 'cancelled' : 'failed', error.message);
    store.models.removeIfEmpty(modelRunId);
    throw error;
  } finally {
    clearInterval(heartbeat);
    await Promise.all([opened.close(), pool?.close(), reader.close()]);
    bulk.close();
  }
}
