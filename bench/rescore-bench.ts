import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import { Tokenizer } from '@huggingface/tokenizers';
import { bertTokenizerConfig, bertTokenizerJson, tinyBertModel } from '../src/main/features/models/fixture-bert';
import { fixtureModels } from '../src/main/features/models/fixture-models';
import { RescoreWriter } from '../src/main/store/rescore-writer';
import { removeDb, round, twoRunDatabase } from './bench-data';

type Ort = typeof import('onnxruntime-node');
const BATCH = 4096;

const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
type Feeds = Record<string, InstanceType<Ort['Tensor']>>;

/** session.run alone, on tensors built beforehand from the same inputs, with the job's threads. */
async function rawRate(file: string, batches: Feeds[], n: number): Promise<number> {
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

/** input_ids and attention_mask per batch, padded to the batch's longest text, as the job builds them. */
function tokenBatches(texts: string[]): Feeds[] {
  const tok = new Tokenizer(bertTokenizerJson() as never, bertTokenizerConfig() as never);
  const out: Feeds[] = [];
  for (let start = 0; start < texts.length; start += BATCH) {
    const enc = texts.slice(start, start + BATCH).map((t) => tok.encode(t));
    const width = Math.max(...enc.map((e) => e.ids.length));
    const ids = new BigInt64Array(enc.length * width);
    const mask = new BigInt64Array(enc.length * width);
    enc.forEach((e, i) => e.ids.forEach((id, j) => ((ids[i * width + j] = BigInt(id)), (mask[i * width + j] = 1n))));
    out.push({
      input_ids: new ort.Tensor('int64', ids, [enc.length, width]),
      attention_mask: new ort.Tensor('int64', mask, [enc.length, width]),
    });
  }
  return out;
}

export async function rescoreBench(o: { rows: number; workDir: string; model: string }) {
  const { db } = await twoRunDatabase(o.workDir, o.rows);
  let modelFile = path.join(o.workDir, `bench-${o.model}.onnx`);
  let modelPath = modelFile;
  if (o.model === 'bert') {
    modelPath = path.join(o.workDir, 'bench-bert');
    fs.mkdirSync(modelPath, { recursive: true });
    modelFile = path.join(modelPath, 'model.onnx');
    fs.writeFileSync(modelFile, tinyBertModel(3));
    fs.writeFileSync(path.join(modelPath, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
    fs.writeFileSync(path.join(modelPath, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
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
    const result = status.result as { rows: number; device: string };

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
    const raw = await rawRate(modelFile, o.model === 'bert' ? tokenBatches(texts) : featureBatches(all, n, 32), n);
    const rate = result.rows / seconds;
    return {
      bench: 'rescore',
      model: o.model,
      device: result.device,
      rows: result.rows,
      rows_per_s: Math.round(rate),
      raw_rows_per_s: Math.round(raw),
      storage_ceiling_rows_per_s: Math.round(ceiling),
      ratio: round(rate / Math.min(raw, ceiling), 2),
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
  }
}
