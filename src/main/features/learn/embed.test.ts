// A sentence encoder's embeddings: registered with model add, computed once per example in the
// model process (mean pooling over the attention mask, L2 norm), equal to session.run pooled here,
// resumed after a kill, and refused where the stored width is not the encoder's.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import {
  makeTempDir,
  openContext,
  removeDir,
  sentimentRow,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import { importGuessed } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';
import { resolveProject } from '../projects/handlers';
import {
  bertConfig,
  bertEncoderModel,
  bertTokenizerConfig,
  bertTokenizerJson,
  bertVocabSize,
  tinyBertModel,
} from '../models/fixture-bert';
import { embeddingDesign } from './embedding-design';

type Ort = typeof import('onnxruntime-node');
const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node') as Ort;
const { Tokenizer } = require('tokenizers') as typeof import('tokenizers');
const ROOT = path.resolve(__dirname, '../../../..');

const HIDDEN = 16;
const VOCAB = ['love', 'great', 'awful', 'refund', 'okay', 'the', 'it', 'was', 'and', 'not', 'never', 'best', 'poor'];
/** Texts of 1 to 40 words, so that batches are padded to different widths. */
function texts(n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: 1 + ((i * 7) % 40) }, (_, j) => VOCAB[(i * 3 + j * 5) % VOCAB.length]).join(' '),
  );
}

let dir: string;
let ctx: TestContext;
let encoder: string;

function writeFolder(name: string, model: Buffer, labels: string[] | null = null): string {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'model.onnx'), model);
  fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
  fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(bertConfig(labels)));
  return folder;
}

async function importTexts(project: string, list: string[]) {
  const log = writeJsonl(
    path.join(dir, `${project}.jsonl`),
    list.map((text, i) => sentimentRow(i, { text })),
  );
  await importGuessed(ctx, log, project);
}

async function embed(project: string, extra: Record<string, unknown> = {}) {
  const { jobId } = await call('learn.embed', { project: { project }, encoder: 'encoder@1', ...extra }, ctx);
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw Object.assign(new Error(status.error?.message), status.error);
  return status.result as { rows: number; stored: number; resumedFrom: number; dim: number };
}

function exampleIds(project: string): Int32Array {
  const p = resolveProject(ctx, { project });
  return Int32Array.from(
    ctx.store.db.prepare('SELECT id FROM examples WHERE project_id = ? ORDER BY id').pluck().all(p.id) as number[],
  );
}

beforeAll(async () => {
  dir = makeTempDir('embed');
  ctx = openContext(dir);
  await importTexts('reviews', texts(60));
  encoder = writeFolder(
    'encoder',
    bertEncoderModel({
      classes: 3,
      layers: 2,
      hidden: HIDDEN,
      vocabSize: bertVocabSize(),
      output: 'last_hidden_state',
    }),
  );
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

describe('sentence encoder embeddings', () => {
  it('registers a folder whose output is [batch, sequence, hidden] as an encoder, not a scorer', async () => {
    const m = await call(
      'models.add',
      { project: { project: 'reviews' }, path: encoder, name: 'encoder', version: '1' },
      ctx,
    );
    expect(m.outputMapping).toEqual({ output: 'last_hidden_state', kind: 'embedding', width: HIDDEN });
    const refused = await failure(call('models.rescore', { project: { project: 'reviews' }, model: 'encoder@1' }, ctx));
    expect(refused.message).toMatch(/is a sentence encoder \(it gives embeddings of 16 numbers, not class scores\)/);
  });

  it('refuses an already pooled [batch, hidden] output, saying to export the token states', async () => {
    const pooled = writeFolder('pooled', tinyBertModel(HIDDEN));
    const refused = await failure(call('models.add', { project: { project: 'reviews' }, path: pooled }, ctx));
    expect(refused.message).toMatch(/has 16 classes; project 'reviews' has 3/);
    expect(refused.message).toMatch(/last_hidden_state \[batch, sequence, hidden\].*does not take an already pooled/);
  });

  it('stores per example the mean over the attention mask of session.run, L2-normalised (1e-5)', async () => {
    const r = await embed('reviews');
    expect(r).toMatchObject({ rows: 60, stored: 60, resumedFrom: 0, dim: HIDDEN });
    const ids = exampleIds('reviews');
    const design = embeddingDesign(ctx, resolveProject(ctx, { project: 'reviews' }), 'encoder@1', ids);
    expect(design.missing).toBe(0);
    expect(design.rows.dim).toBe(HIDDEN);
    const session = await ort.InferenceSession.create(path.join(encoder, 'model.onnx'));
    const tok = Tokenizer.fromFile(path.join(encoder, 'tokenizer.json'));
    const list = texts(60);
    for (let i = 0; i < list.length; i++) {
      const e = await tok.encode(list[i]!);
      const seq = e.getIds().length;
      const feeds = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(e.getIds().map(BigInt)), [1, seq]),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(e.getAttentionMask().map(BigInt)), [1, seq]),
      };
      const out = (await session.run(feeds))['last_hidden_state']!.data as Float32Array;
      const mean = Array.from({ length: HIDDEN }, (_, h) => {
        let s = 0;
        for (let t = 0; t < seq; t++) s += out[t * HIDDEN + h]!;
        return s / seq;
      });
      const norm = Math.hypot(...mean);
      const stored = design.rows.values.subarray(i * HIDDEN, (i + 1) * HIDDEN);
      mean.forEach((v, h) => expect(Math.abs(stored[h]! - v / norm)).toBeLessThan(1e-5));
    }
    await session.release();
    const columns = await call('learn.embeddings', { project: 'reviews' }, ctx);
    expect(columns).toEqual([
      expect.objectContaining({ encoder: 'encoder@1', dim: HIDDEN, stored: 60, pending: 0, status: 'done' }),
    ]);
    // Nothing new: a second pass reads nothing and keeps the column.
    expect(await embed('reviews')).toMatchObject({ rows: 0, stored: 60 });
  }, 60_000);

  it('refuses a stored column of another width than the encoder, until it is computed again', async () => {
    const project = resolveProject(ctx, { project: 'reviews' });
    const modelId = ctx.store.db.prepare("SELECT id FROM models WHERE name = 'encoder'").pluck().get() as number;
    ctx.store.db.prepare('UPDATE embeddings SET vector = substr(vector, 1, 32) WHERE model_id = ?').run(modelId);
    const expected =
      /^the stored embeddings of encoder encoder@1 have 8 numbers per example, but the encoder gives 16: .*--reset\)$/;
    expect(
      (await failure(call('learn.embed', { project: { project: 'reviews' }, encoder: 'encoder@1' }, ctx))).message,
    ).toMatch(expected);
    expect(() => embeddingDesign(ctx, project, 'encoder@1', exampleIds('reviews'))).toThrow(expected);
    expect(await embed('reviews', { reset: true })).toMatchObject({ rows: 60, stored: 60, resumedFrom: 0 });
    expect(embeddingDesign(ctx, project, 'encoder@1', exampleIds('reviews')).rows.dim).toBe(HIDDEN);
  }, 60_000);

  it('refuses a model that is not an encoder as a representation', async () => {
    const classifier = writeFolder('classifier', tinyBertModel(3), ['negative', 'neutral', 'positive']);
    await call('models.add', { project: { project: 'reviews' }, path: classifier, name: 'clf', version: '1' }, ctx);
    const refused = await failure(call('learn.embed', { project: { project: 'reviews' }, encoder: 'clf@1' }, ctx));
    expect(refused.message).toMatch(/^model clf@1 gives class scores \[batch, 3\], not token states/);
  });

  it('continues after a kill where the killed pass stopped, each example once', async () => {
    const total = 4000;
    await importTexts('big', texts(total));
    await call('models.add', { project: { project: 'big' }, path: encoder, name: 'encoder', version: '1' }, ctx);
    const modelId = ctx.store.db
      .prepare("SELECT m.id FROM models m JOIN projects p ON p.id = m.project_id WHERE p.name = 'big'")
      .pluck()
      .get() as number;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/helpers/embed-in-child.ts'), dir, 'big', 'encoder@1'],
      { stdio: 'ignore', cwd: ROOT },
    );
    const stored = () => ctx.store.embeddings.count(modelId);
    const deadline = Date.now() + 60_000;
    while (stored() < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = stored();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(total);
    const project = resolveProject(ctx, { project: 'big' });
    expect(() => embeddingDesign(ctx, project, 'encoder@1', exampleIds('big'))).toThrow(
      /^the embeddings of encoder encoder@1 are incomplete \(\d+ examples not reached\)/,
    );
    const r = await embed('big');
    expect(r.resumedFrom).toBeGreaterThan(0);
    expect(r.rows).toBe(total - before);
    expect(r.stored).toBe(total);
    const design = embeddingDesign(ctx, project, 'encoder@1', exampleIds('big'));
    expect(design.missing).toBe(0);
    // The texts repeat every 520 examples: the same text embeds alike on either side of the kill.
    for (let i = 0; i + 520 < total; i += 7) {
      const a = design.rows.values.subarray(i * HIDDEN, (i + 1) * HIDDEN);
      const b = design.rows.values.subarray((i + 520) * HIDDEN, (i + 521) * HIDDEN);
      a.forEach((v, h) => expect(Math.abs(v - b[h]!)).toBeLessThan(1e-6));
    }
  }, 120_000);

  it('fails the pass, not the app, when the model process dies; the next pass goes on from there', async () => {
    const total = 3000;
    await importTexts('crash', texts(total));
    await call('models.add', { project: { project: 'crash' }, path: encoder, name: 'encoder', version: '1' }, ctx);
    const modelId = ctx.store.db
      .prepare("SELECT m.id FROM models m JOIN projects p ON p.id = m.project_id WHERE p.name = 'crash'")
      .pluck()
      .get() as number;
    const { jobId } = await call(
      'learn.embed',
      { project: { project: 'crash' }, encoder: 'encoder@1', batchSize: 64 },
      ctx,
    );
    const deadline = Date.now() + 60_000;
    while (ctx.store.embeddings.count(modelId) < 200 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    // The model process is this process's child running the built model-process entry.
    const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    const line = children.split('\n').find((l) => l.includes('model-process'));
    expect(line).toBeDefined();
    process.kill(Number(line!.trim().split(/\s+/)[0]), 'SIGKILL');
    const status = await ctx.jobs.wait(jobId);
    expect(status.state).toBe('failed');
    expect(status.error?.message).toMatch(/^encoder encoder@1: the model process was killed by SIGKILL/);
    const columns = await call('learn.embeddings', { project: 'crash' }, ctx);
    expect(columns[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/killed by SIGKILL/) });
    expect(columns[0]!.pending).toBeGreaterThan(0);
    const r = await embed('crash');
    expect(r.resumedFrom).toBeGreaterThan(0);
    expect(r.stored).toBe(total);
  }, 120_000);
});
