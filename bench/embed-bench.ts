import fs from 'node:fs';
import path from 'node:path';
import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import {
  bertEncoderModel,
  bertTokenizerConfig,
  bertTokenizerJson,
  bertVocabSize,
} from '../src/main/features/models/fixture-bert';
import { tokenizerOf } from '../src/main/features/models/model-input';
import { tokenizerThreads } from '../src/main/features/models/tokenizer-pool';
import { removeDb, round } from './bench-data';
import { benchVocabulary } from './bench-texts';
import { longTextDatabase, rawRate, tokenizerRate } from './rescore-bench';

const BATCH = 4096;
const HIDDEN = 128;

/**
 * `npm run bench -- embed --rows N`: a sentence encoder's pass over reviews of 20–200 words (the
 * rescoring bench's BERT-shaped encoder, ending at its token states), against session.run alone on
 * the same padded batches and the tokenizer pool alone: the pass's overhead (reading, pooling in
 * the model process, writing the column) is 1 − ratio.
 */
export async function embedBench(o: { rows: number; workDir: string }) {
  const db = await longTextDatabase(o.workDir, o.rows);
  const folder = path.join(o.workDir, 'bench-encoder');
  fs.mkdirSync(folder, { recursive: true });
  const vocabulary = benchVocabulary();
  const modelFile = path.join(folder, 'model.onnx');
  fs.writeFileSync(
    modelFile,
    bertEncoderModel({
      classes: 3,
      layers: 2,
      hidden: HIDDEN,
      vocabSize: bertVocabSize(vocabulary),
      output: 'last_hidden_state',
    }),
  );
  fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(bertTokenizerJson(vocabulary)));
  fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
  const ctx = createContext({ dbPath: db, runtime: 'cli', dataDir: path.dirname(db) });
  try {
    const project = { project: 'sentiment' };
    const encoder = await call('models.add', { project, path: folder, name: 'encoder', version: 'bench' }, ctx);
    const t0 = performance.now();
    const { jobId } = await call(
      'learn.embed',
      { project, encoder: 'encoder@bench', device: 'cpu', batchSize: BATCH },
      ctx,
    );
    const status = await ctx.jobs.wait(jobId);
    if (status.state !== 'succeeded') throw new Error(status.error?.message);
    const seconds = (performance.now() - t0) / 1000;
    const result = status.result as { rows: number; device: string; rowsPerSecond: number; modelBusy: number };
    const projectId = ctx.store.projects.byName('sentiment')!.id;
    const texts = (
      ctx.store.db
        .prepare('SELECT text FROM examples WHERE project_id = ? AND text IS NOT NULL ORDER BY id')
        .pluck()
        .all(projectId) as string[]
    ).slice(0, result.rows);
    const tokenized = await tokenizerRate(tokenizerOf(encoder.inputMapping, encoder.file)!, texts);
    const raw = await rawRate(encoder.file, tokenized.batches, texts.length);
    const rate = result.rows / seconds;
    return {
      bench: 'embed',
      device: result.device,
      rows: result.rows,
      dim: HIDDEN,
      rows_per_s: Math.round(rate),
      // The job's own rate, from its first window on: the start of the model process left out.
      job_rows_per_s: Math.round(result.rowsPerSecond),
      model_busy: round(result.modelBusy, 2),
      raw_rows_per_s: Math.round(raw),
      tokenizer_rows_per_s: Math.round(tokenized.rate),
      tokenizer_threads: tokenizerThreads(),
      ratio: round(rate / Math.min(raw, tokenized.rate), 2),
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
  }
}
