import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import { importGuessed } from '../src/main/cli/commands/demo';
import {
  bertConfig,
  bertEncoderModel,
  bertTokenizerConfig,
  bertTokenizerJson,
  bertVocabSize,
} from '../src/main/features/models/fixture-bert';
import { fixtureModels } from '../src/main/features/models/fixture-models';
import { tokenizerOf } from '../src/main/features/models/model-input';
import type { TokenizerSpec } from '../src/main/features/models/model-protocol';
import { pipelineTuning } from '../src/main/features/models/pipeline-tuning';
import type { TokenBatch } from '../src/main/features/models/token-batches';
import { TokenizerPool, tokenizerThreads } from '../src/main/features/models/tokenizer-pool';
import { RescoreWriter } from '../src/main/store/rescore-writer';
import { removeDb, round, sentimentLog, twoRunDatabase } from './bench-data';
import { benchVocabulary, longTextLog } from './bench-texts';

type Ort = typeof import('onnxruntime-node');
const BATCH = 4096;

const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
type Feeds = Record<string, InstanceType<Ort['Tensor']>>;

/** session.run alone, on tensors built beforehand from the same inputs, with the job's threads. */
export async function rawRate(file: string, batches: Feeds[], n: number): Promise<number> {
  const session = await ort.InferenceSession.create(file, {
    executionProviders: ['cpu'],
    intraOpNumThreads: Math.max(1, os.availableParallelism() - 1),
    graphOptimizationLevel: 'all',
  });
  const t0 = performance.now();
  for (const feeds of batches) await session.run(feeds);
  return n / ((performance.now() - t0) / 1000);
}

function featureBatches(features: Float32Array, n: number, dim: number): Feeds[] {
  const out: Feeds[] = [];
  for (let start = 0; start < n; start += BATCH) {
    const m = Math.min(BATCH, n - start);
    out.push({ features: new ort.Tensor('float32', features.subarray(start * dim, (start + m) * dim), [m, dim]) });
  }
  return out;
}

/**
 * The tokenizer pool alone, as the job runs it (windows, length buckets, padded int64 batches, as
 * many windows in flight as the job keeps), on every text: its rate and the batches it made.
 */
export async function tokenizerRate(spec: TokenizerSpec, texts: string[]): Promise<{ rate: number; batches: Feeds[] }> {
  const pool = await TokenizerPool.start(spec, tokenizerThreads(), 'bench');
  const tuning = pipelineTuning('cpu', BATCH, pool.size);
  try {
    const t0 = performance.now();
    const windows: Promise<TokenBatch[]>[] = [];
    const out: TokenBatch[] = [];
    for (let start = 0; start < texts.length; start += tuning.windowRows) {
      windows.push(
        pool.tokenize(texts.slice(start, start + tuning.windowRows), undefined, tuning.modelBatchRows, true),
      );
      if (windows.length >= tuning.windowsAhead) out.push(...(await windows.shift()!));
    }
    for (const w of windows) out.push(...(await w));
    const rate = texts.length / ((performance.now() - t0) / 1000);
    const batches = out.map((b) =>
      Object.fromEntries(Object.entries(b.feeds).map(([name, data]) => [name, new ort.Tensor('int64', data, b.dims)])),
    );
    return { rate, batches };
  } finally {
    await pool.close();
  }
}

/** A database whose sentiment examples carry reviews of 20–200 words (built once per size). */
export async function longTextDatabase(workDir: string, rows: number): Promise<string> {
  fs.mkdirSync(workDir, { recursive: true });
  const log = await longTextLog(await sentimentLog(workDir, rows, 'v1'));
  const template = path.join(workDir, `long-texts-${rows}.db`);
  if (!fs.existsSync(template)) {
    const building = `${template}.building`;
    removeDb(building);
    const ctx = createContext({ dbPath: building, runtime: 'cli', dataDir: workDir });
    try {
      await importGuessed(ctx, log, 'sentiment');
    } finally {
      await ctx.dispose();
    }
    fs.renameSync(building, template);
  }
  const db = path.join(workDir, `run-${process.pid}.db`);
  fs.copyFileSync(template, db);
  return db;
}

export async function rescoreBench(o: { rows: number; workDir: string; model: string }) {
  const db =
    o.model === 'bert' ? await longTextDatabase(o.workDir, o.rows) : (await twoRunDatabase(o.workDir, o.rows)).db;
  let modelFile = path.join(o.workDir, `bench-${o.model}.onnx`);
  let modelPath = modelFile;
  if (o.model === 'bert') {
    modelPath = path.join(o.workDir, 'bench-bert');
    fs.mkdirSync(modelPath, { recursive: true });
    modelFile = path.join(modelPath, 'model.onnx');
    const vocabulary = benchVocabulary();
    fs.writeFileSync(
      modelFile,
      bertEncoderModel({ classes: 3, layers: 2, hidden: 128, vocabSize: bertVocabSize(vocabulary) }),
    );
    fs.writeFileSync(path.join(modelPath, 'tokenizer.json'), JSON.stringify(bertTokenizerJson(vocabulary)));
    fs.writeFileSync(path.join(modelPath, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
    fs.writeFileSync(
      path.join(modelPath, 'config.json'),
      JSON.stringify(bertConfig(['negative', 'neutral', 'positive'])),
    );
  } else {
    const models = fixtureModels(32, 3);
    if (!models[o.model]) throw new Error(`--model is one of lr, mlp, bert`);
    fs.writeFileSync(modelFile, models[o.model]!);
  }
  const ctx = createContext({ dbPath: db, runtime: 'cli', dataDir: path.dirname(db) });
  try {
    const project = { project: 'sentiment' };
    await call('models.add', { project, path: modelPath, name: o.model, version: 'bench' }, ctx);
    const t0 = performance.now();
    const { jobId } = await call(
      'models.rescore',
      { project, model: `${o.model}@bench`, device: 'cpu', batchSize: BATCH },
      ctx,
    );
    const status = await ctx.jobs.wait(jobId);
    if (status.state !== 'succeeded') throw new Error(status.error?.message);
    const seconds = (performance.now() - t0) / 1000;
    const result = status.result as { rows: number; device: string; rowsPerSecond: number; modelBusy: number };

    // Storage ceiling: read the same features and write the same number of predictions, no model.
    const projectId = ctx.store.projects.byName('sentiment')!.id;
    const runRow = ctx.store.importRuns.create({
      projectId,
      sourcePath: 'ceiling',
      sourceSize: 0,
      fingerprint: 'ceiling',
      format: 'rescore' as never,
      compression: 'none',
      mapping: '{}',
      strict: false,
      ownerPid: process.pid,
      ownerHost: 'bench',
    });
    const modelRunId = ctx.store.models.createModelRun(projectId, 'ceiling', '1', runRow.id, Date.now());
    const bulk = ctx.store.openBulkConnection();
    const writer = new RescoreWriter(bulk, runRow.id, modelRunId);
    const all = new Float32Array(result.rows * 32);
    const texts: string[] = [];
    const c0 = performance.now();
    let after = 0;
    let n = 0;
    for (;;) {
      const batch = ctx.store.models.featureBatch(projectId, after, BATCH);
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.id;
      const bytes = new Uint8Array(all.buffer);
      batch.forEach((r, i) => {
        bytes.set(r.features!, (n + i) * 128);
        if (o.model === 'bert') texts.push(r.text ?? '');
      });
      const scores = new Float32Array(batch.length * 3).fill(1 / 3);
      writer.writeBatch(
        Int32Array.from(batch, (r) => r.id),
        new Int32Array(batch.length),
        scores,
        3,
      );
      n += batch.length;
    }
    const ceiling = n / ((performance.now() - c0) / 1000);
    bulk.close();
    let tokenizer: number | null = null;
    let batches = featureBatches(all, n, 32);
    if (o.model === 'bert') {
      const model = (await call('models.list', project, ctx)).find((m) => m.name === 'bert')!;
      const tokenized = await tokenizerRate(tokenizerOf(model.inputMapping, model.file)!, texts);
      tokenizer = tokenized.rate;
      batches = tokenized.batches;
    }
    const raw = await rawRate(modelFile, batches, n);
    const rate = result.rows / seconds;
    return {
      bench: 'rescore',
      model: o.model,
      device: result.device,
      rows: result.rows,
      rows_per_s: Math.round(rate),
      // The job's own rate, from its first window on: the start of the model process left out.
      job_rows_per_s: Math.round(result.rowsPerSecond),
      // The share of the job's time the model process spent in session.run.
      model_busy: round(result.modelBusy, 2),
      raw_rows_per_s: Math.round(raw),
      tokenizer_rows_per_s: tokenizer === null ? null : Math.round(tokenizer),
      tokenizer_threads: tokenizer === null ? null : tokenizerThreads(),
      storage_ceiling_rows_per_s: Math.round(ceiling),
      ratio: round(rate / Math.min(raw, tokenizer ?? Infinity, ceiling), 2),
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
  }
}
