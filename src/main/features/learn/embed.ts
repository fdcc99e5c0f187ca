import fs from 'node:fs';
import { ApiError } from '../../../shared/api/errors';
import type { RegisteredModel } from '../../../shared/features/models/contract';
import type { EmbedResult } from '../../../shared/features/learn/encode-contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { JobControl } from '../../core/jobs';
import { embeddingWriter } from '../../store/embeddings';
import { openModel } from '../models/model-host';
import { inputName, tokenizerOf } from '../models/model-input';
import { pipelineTuning } from '../models/pipeline-tuning';
import { findModel, gather } from '../models/rescore';
import { TokenizerPool, tokenizerThreads } from '../models/tokenizer-pool';
import { WindowReader, type ReadWindow } from '../models/window-reader';
import type { Device } from '../../../shared/features/models/contract';

/** Encoders with a pass under way in this process (a second start is refused, not interleaved). */
const running = new Set<number>();

/** A registered sentence encoder (output mapping 'embedding'), or a refusal saying what the model is. */
export function findEncoder(ctx: Context, project: Project, ref: number | string): RegisteredModel {
  const model = findModel(ctx, project, ref);
  if (model.outputMapping.kind !== 'embedding') {
    throw new ApiError(
      'bad-mapping',
      `model ${model.name}@${model.version} gives class scores [batch, ${model.outputMapping.width}], not token states: ` +
        'a sentence encoder is a folder (model.onnx with tokenizer.json) whose output is [batch, sequence, hidden] ' +
        '(e.g. last_hidden_state), registered with flywheel model add',
    );
  }
  return model;
}

/**
 * The stored vectors must be the encoder's width: a column written under another width (an older
 * registration of this id, a damaged file) is refused, not mixed in.
 */
export function checkStoredWidth(ctx: Context, encoder: RegisteredModel): void {
  const what = `encoder ${encoder.name}@${encoder.version}`;
  const run = ctx.store.embeddings.run(encoder.id);
  const dim = encoder.outputMapping.width;
  const others = ctx.store.embeddings.otherWidths(encoder.id, dim);
  if ((run && run.dim !== dim) || others.length > 0) {
    const stored = run && run.dim !== dim ? run.dim : others[0]!.bytes / 4;
    throw new ApiError(
      'conflict',
      `the stored embeddings of ${what} have ${stored} numbers per example, but the encoder gives ${dim}: ` +
        'they cannot be used together; compute them again from scratch (flywheel learn PROJECT embed --encoder ' +
        `${encoder.name}@${encoder.version} --reset)`,
      { reason: 'embedding-width' },
    );
  }
}

export function startEmbed(
  ctx: Context,
  input: { project: Project; encoder: number | string; device: Device; batchSize: number; reset: boolean },
): { jobId: string } {
  const { project } = input;
  const encoder = findEncoder(ctx, project, input.encoder);
  if (running.has(encoder.id))
    throw new ApiError('conflict', `the embeddings of ${encoder.name}@${encoder.version} are being computed already`);
  if (!fs.existsSync(encoder.file))
    throw new ApiError(
      'bad-file',
      `the copy of encoder ${encoder.name}@${encoder.version} is missing: ${encoder.file}`,
    );
  if (input.reset) ctx.store.embeddings.reset(encoder.id);
  checkStoredWidth(ctx, encoder);
  running.add(encoder.id);
  const jobId = ctx.jobs.start('embed', (control) =>
    embed(ctx, project, encoder, input, control).finally(() => running.delete(encoder.id)),
  );
  return { jobId };
}

interface Window {
  ids: Int32Array;
  vectors: Promise<{ values: Float32Array; width: number }>;
}

/**
 * One pass of the encoder over the project's texts not yet embedded: read on a thread, tokenized
 * by the pool, run and mean-pooled in the model process (a crash there fails the job, not the app),
 * written here window by window with the position, so a stopped pass goes on where it stopped.
 */
async function embed(
  ctx: Context,
  project: Project,
  encoder: RegisteredModel,
  input: { device: Device; batchSize: number },
  control: JobControl,
): Promise<EmbedResult> {
  const store = ctx.store;
  const dim = encoder.outputMapping.width;
  const what = `encoder ${encoder.name}@${encoder.version}`;
  const mapping = encoder.inputMapping;
  if (mapping.kind !== 'tokens') throw new ApiError('internal', `${what} has no tokenizer`);
  const run = store.embeddings.begin(encoder.id, project.id, dim, Date.now());
  const resumedFrom = run.last_example_id;
  const spec = tokenizerOf(mapping, encoder.file)!;
  const opening = openModel(encoder.file, input.device, what, spec);
  const pooling = TokenizerPool.start(spec, tokenizerThreads(), what);
  opening.catch(() => {});
  pooling.catch(() => {});
  const reading = pipelineTuning(input.device, input.batchSize, tokenizerThreads());
  const reader = new WindowReader(
    {
      ...store.connectionInfo,
      projectId: project.id,
      after: resumedFrom,
      windowRows: reading.windowRows,
      ahead: reading.windowsAhead + 1,
      mapping,
    },
    what,
  );
  const total = store.models.visibleAfter(project.id, resumedFrom);
  const lastVisible = store.embeddings.lastVisibleExample(project.id);
  const bulk = store.openBulkConnection();
  const write = embeddingWriter(bulk, encoder.id);
  let opened: Awaited<typeof opening> | null = null;
  let pool: TokenizerPool | null = null;
  try {
    opened = await opening;
    pool = await pooling;
    const model = opened;
    const tuning = pipelineTuning(model.device, input.batchSize, pool.size);
    const tokens = pool;
    const started = performance.now();
    const queue: Window[] = [];
    const start = (next: ReadWindow): Window => {
      const { payload } = next;
      if (payload.kind !== 'tokenize') throw new ApiError('internal', `${what}: the reader gave no texts to tokenize`);
      let places: Int32Array[] = [];
      const vectors = tokens.tokenize(payload.data, payload.pairs, tuning.modelBatchRows, true).then((batches) => {
        places = batches.map((b) => b.rows);
        return Promise.all(
          batches.map((b) =>
            model.score(
              inputName(mapping),
              encoder.outputMapping.output,
              { kind: 'int64', feeds: b.feeds, dims: b.dims },
              mapping.attentionMask,
            ),
          ),
        );
      });
      const window = { ids: next.ids, vectors: vectors.then((parts) => gather(parts, places, next.ids.length, what)) };
      window.vectors.catch(() => {});
      return window;
    };
    const fill = () => {
      while (queue.length < tuning.windowsAhead) {
        const next = reader.take();
        if (!next) return next;
        queue.push(start(next));
      }
      return undefined;
    };
    let done = 0;
    for (;;) {
      if (control.signal.aborted) throw new ApiError('cancelled', `computing the embeddings of ${what} was cancelled`);
      const end = fill();
      if (queue.length === 0) {
        if (end === null) break;
        await reader.arrival();
        continue;
      }
      const { ids, vectors } = queue[0]!;
      const { values, width } = await vectors;
      queue.shift();
      fill();
      if (width !== dim)
        throw new ApiError(
          'bad-file',
          `${what} gave embeddings of ${width} numbers, not the ${dim} it was registered with`,
        );
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0)
        throw new ApiError(
          'bad-file',
          `${what} gave a non-finite embedding for example #${ids[Math.floor(bad / dim)]!}`,
        );
      write(ids, values, dim, ids[ids.length - 1]!);
      done += ids.length;
      const seconds = (performance.now() - started) / 1000;
      const rate = done / Math.max(seconds, 1e-6);
      control.progress({
        phase: `embedding on ${model.device}, tokenized by ${tokens.name} on ${tokens.size} thread${tokens.size === 1 ? '' : 's'}`,
        rowsDone: done,
        bytesDone: done,
        bytesTotal: total,
        rowsPerSecond: rate,
        etaSeconds: Math.max(0, total - done) / rate,
      });
    }
    store.embeddings.readThrough(encoder.id, project.id, lastVisible);
    store.embeddings.end(encoder.id, 'done', null, Date.now());
    ctx.emit({ type: 'data.changed', projectId: project.id });
    const seconds = (performance.now() - started) / 1000;
    return {
      encoder: `${encoder.name}@${encoder.version}`,
      modelId: encoder.id,
      dim,
      rows: done,
      stored: store.embeddings.count(encoder.id),
      resumedFrom,
      device: model.device,
      rowsPerSecond: done / Math.max(seconds, 1e-6),
      modelBusy: Math.min(1, model.busyMs / 1000 / Math.max(seconds, 1e-6)),
    };
  } catch (e) {
    const error = e instanceof ApiError ? e : new ApiError('internal', (e as Error).message);
    store.embeddings.end(encoder.id, error.code === 'cancelled' ? 'cancelled' : 'failed', error.message, Date.now());
    throw error;
  } finally {
    await Promise.all([
      opened?.close(),
      pool?.close() ?? pooling.then((p) => p.close()).catch(() => {}),
      reader.close(),
    ]);
    bulk.close();
  }
}
