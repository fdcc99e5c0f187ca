// The rescoring pipeline (tokenizer threads, length buckets, several batches in flight to the model
// process) stores what session.run gives on each text alone, keeps nothing when cancelled, and
// fails cleanly when the model process dies under it.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { bertConfig, bertEncoderModel, bertTokenizerConfig, bertTokenizerJson, bertVocabSize } from './fixture-bert';
import { tokenBatches } from './token-batches';

type Ort = typeof import('onnxruntime-node');
const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node') as Ort;
const { Tokenizer } = require('tokenizers') as typeof import('tokenizers');

const WORDS = ['love', 'it', 'was', 'great', 'the', 'refund', 'awful', 'and', 'okay', 'never', 'zebra', 'café'];
/** Texts from 1 to 160 words, lengths mixed so that length buckets reorder them. */
const TEXTS = Array.from({ length: 700 }, (_, i) =>
  Array.from({ length: 1 + ((i * 37) % 160) }, (_, j) => WORDS[(i + j * 5) % WORDS.length]).join(' '),
);
const project = { project: 'reviews' };
let dir: string;
let ctx: TestContext;
let folder: string;

beforeAll(async () => {
  dir = makeTempDir('rescore-pipeline');
  ctx = openContext(dir);
  const log = writeJsonl(
    path.join(dir, 'reviews.jsonl'),
    TEXTS.map((text, i) => sentimentRow(i, { text })),
  );
  await importGuessed(ctx, log, 'reviews');
  folder = path.join(dir, 'encoder');
  fs.mkdirSync(folder);
  fs.writeFileSync(
    path.join(folder, 'model.onnx'),
    bertEncoderModel({ classes: 3, layers: 2, hidden: 32, vocabSize: bertVocabSize() }),
  );
  fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
  fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(bertConfig(['negative', 'neutral', 'positive'])));
  await call('models.add', { project, path: folder, name: 'encoder', version: '1' }, ctx);
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(path.join(dir, 'w.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

function softmax(v: number[]): number[] {
  const max = Math.max(...v);
  const e = v.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** The model process this test process started (Linux: its parent and command line in /proc). */
function modelProcessPid(): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('model-process'))
        return Number(entry);
    } catch {
      // the process ended while being looked at
    }
  }
  return null;
}

/** Starts a rescore in small windows and waits until it has written its first one. */
async function startedRescore(version: string): Promise<string> {
  const { jobId } = await call('models.rescore', { project, model: `encoder@${version}`, batchSize: 64 }, ctx);
  const deadline = Date.now() + 30_000;
  while (!(ctx.jobs.get(jobId).progress?.rowsDone ?? 0) && Date.now() < deadline) {
    if (ctx.jobs.get(jobId).state !== 'running') break;
    await new Promise((r) => setTimeout(r, 2));
  }
  expect(ctx.jobs.get(jobId).state).toBe('running');
  return jobId;
}

function predictionsOf(version: string): number {
  return query<{ n: number }>(
    `SELECT count(*) AS n FROM predictions p JOIN model_runs m ON m.id = p.model_run_id
     WHERE m.model_name = 'encoder' AND m.model_version = ?`,
    version,
  )[0]!.n;
}

describe('rescoring pipeline', () => {
  it('buckets mixed-length texts and stores what session.run gives on each text alone', async () => {
    // Bucketing does reorder these texts, and pads less than batches in arrival order.
    const tok = Tokenizer.fromFile(path.join(folder, 'tokenizer.json'));
    tok.setTruncation(128);
    const encodings = await tok.encodeBatch(TEXTS.slice(0, 640));
    const encoded = { ids: encodings.map((e) => e.getIds()), typeIds: encodings.map((e) => e.getTypeIds()) };
    const padding = { left: false, id: 0, typeId: 0, fixedLength: null, multipleOf: null };
    const inputs = { inputIds: 'input_ids', attentionMask: 'attention_mask', tokenTypeIds: null };
    const cells = (bs: ReturnType<typeof tokenBatches>) => bs.reduce((s, b) => s + b.dims[0] * b.dims[1], 0);
    const bucketed = tokenBatches(encoded, padding, inputs, 64, true);
    const plain = tokenBatches(encoded, padding, inputs, 64, false);
    expect(Array.from(bucketed[0]!.rows.slice(0, 5))).not.toEqual([0, 1, 2, 3, 4]);
    expect(cells(bucketed)).toBeLessThan(cells(plain) * 0.7);

    const { jobId } = await call('models.rescore', { project, model: 'encoder@1', batchSize: 256 }, ctx);
    const status = await ctx.jobs.wait(jobId);
    expect(status.error?.message).toBeUndefined();
    const result = status.result as { rows: number; modelRunId: number; tokenizer: string; modelBusy: number };
    expect(result.rows).toBe(TEXTS.length);
    expect(result.tokenizer).toMatch(/Rust/);
    // How much of the job the model process spent running the model: the figure that says what limits it.
    expect(result.modelBusy).toBeGreaterThan(0);
    expect(result.modelBusy).toBeLessThanOrEqual(1);
    const rows = query<{ text: string; scores: Buffer }>(
      'SELECT e.text, p.scores FROM predictions p JOIN examples e ON e.id = p.example_id WHERE p.model_run_id = ?',
      result.modelRunId,
    );
    const got = new Map(
      rows.map((r) => [r.text, Array.from(new Float32Array(r.scores.buffer, r.scores.byteOffset, 3))]),
    );
    const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'));
    let worst = 0;
    for (const text of new Set(TEXTS)) {
      const ids = (await tok.encode(text)).getIds();
      const dims = [1, ids.length];
      const out = await session.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), dims),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
      });
      const want = softmax(Array.from(out['logits']!.data as Float32Array));
      want.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - got.get(text)![c]!))));
    }
    expect(worst).toBeLessThan(1e-5);
  }, 60_000);

  it('keeps nothing when cancelled mid-rescore', async () => {
    await call('models.add', { project, path: folder, name: 'encoder', version: '2' }, ctx);
    const jobId = await startedRescore('2');
    await call('jobs.cancel', { jobId }, ctx);
    const status = await ctx.jobs.wait(jobId);
    expect(status.state).toBe('cancelled');
    expect(status.error?.message).toMatch(/rescoring with model encoder@2 was cancelled: nothing was kept/);
    expect(predictionsOf('2')).toBe(0);
    expect(query(`SELECT 1 FROM model_runs WHERE model_name = 'encoder' AND model_version = '2'`)).toEqual([]);
  }, 60_000);

  it.skipIf(process.platform !== 'linux')(
    'fails with the reason when the model process dies mid-pipeline, the database intact',
    async () => {
      await call('models.add', { project, path: folder, name: 'encoder', version: '3' }, ctx);
      const examples = query<{ n: number }>('SELECT count(*) AS n FROM examples')[0]!.n;
      const jobId = await startedRescore('3');
      const pid = modelProcessPid();
      expect(pid).not.toBeNull();
      process.kill(pid!, 'SIGKILL');
      const status = await ctx.jobs.wait(jobId);
      expect(status.state).toBe('failed');
      expect(status.error?.message).toMatch(/^model encoder@3: the model process was killed by SIGKILL/);
      expect(predictionsOf('3')).toBe(0);
      expect(query<{ integrity_check: string }>('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(query<{ n: number }>('SELECT count(*) AS n FROM examples')[0]!.n).toBe(examples);
      expect(predictionsOf('1')).toBe(TEXTS.length);
      // The same model rescores from the start afterwards.
      const again = await call('models.rescore', { project, model: 'encoder@3' }, ctx);
      const done = await ctx.jobs.wait(again.jobId);
      expect(done.state).toBe('succeeded');
      expect(predictionsOf('3')).toBe(TEXTS.length);
    },
    60_000,
  );
});
