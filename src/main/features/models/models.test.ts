import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { makeTempDir, openContext, removeDir, type TestContext } from '../../../../test/helpers/import-fixtures';
import { importGuessed, loadDemo } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';
import { writeDemoLog } from '../demo/demo-data';
import { writeDemoModel } from '../demo/demo-model';
import { Tokenizer } from '@huggingface/tokenizers';
import { bertTokenizerConfig, bertTokenizerJson, tinyBertModel } from './fixture-bert';
import { fixtureModels } from './fixture-models';
import { withoutZipMap } from './unzip-map';

type Ort = typeof import('onnxruntime-node');
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
const ROOT = path.resolve(__dirname, '../../../..');
let dir: string;
let ctx: TestContext;
const project = { project: 'sentiment' };
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = makeTempDir('models');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 2000);
  for (const [name, bytes] of Object.entries(fixtureModels(32, 3))) {
    files[name] = path.join(dir, `${name}.onnx`);
    fs.writeFileSync(files[name], bytes);
  }
  files['truncated'] = path.join(dir, 'truncated.onnx');
  fs.writeFileSync(files['truncated'], fixtureModels(32, 3)['lr']!.subarray(0, 200));
  files['notes'] = path.join(dir, 'notes.onnx');
  fs.writeFileSync(files['notes'], 'these are not the weights you are looking for\n');
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

async function rescore(model: string, extra: Record<string, unknown> = {}) {
  const { jobId } = await call('models.rescore', { project, model, ...extra }, ctx);
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw Object.assign(new Error(status.error?.message), status.error);
  return status.result as {
    modelRunId: number;
    rows: number;
    resumedFrom: number;
    device: string;
    deviceNotes: string[];
  };
}

/** Rows of a read-only query on the test database. */
function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(path.join(dir, 'w.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

interface Example {
  external_id: string;
  features: Buffer;
  text: string;
}

/** The sentiment project's examples, in id order. */
function sentimentExamples(): Example[] {
  return query<Example>(
    `SELECT e.external_id, e.features, e.text FROM examples e JOIN projects p ON p.id = e.project_id
     WHERE p.name = 'sentiment' ORDER BY e.id`,
  );
}

function softmaxOf(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exp = logits.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((v) => v / sum);
}

/** The examples' feature vectors as one [n, 32] float tensor's data. */
function featureMatrix(rows: Example[]): Float32Array {
  const x = new Float32Array(rows.length * 32);
  rows.forEach((row, i) => x.set(new Float32Array(row.features.buffer, row.features.byteOffset, 32), i * 32));
  return x;
}

/** Every example's features and the model's own output on them, straight from ONNX Runtime. */
async function direct(file: string, softmax: boolean): Promise<Map<string, number[]>> {
  const rows = sentimentExamples();
  const session = await ort.InferenceSession.create(file);
  const out = await session.run({ features: new ort.Tensor('float32', featureMatrix(rows), [rows.length, 32]) });
  const name = session.outputNames.includes('probabilities') ? 'probabilities' : session.outputNames[0]!;
  const data = out[name]!.data as Float32Array;
  const result = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const p = Array.from(data.subarray(i * 3, i * 3 + 3));
    result.set(r.external_id, softmax ? softmaxOf(p) : p);
  });
  return result;
}

function stored(modelRunId: number): Map<string, number[]> {
  const rows = query<{ external_id: string; scores: Buffer }>(
    'SELECT e.external_id, p.scores FROM predictions p JOIN examples e ON e.id = p.example_id WHERE p.model_run_id = ?',
    modelRunId,
  );
  return new Map(
    rows.map((r) => [r.external_id, Array.from(new Float32Array(r.scores.buffer, r.scores.byteOffset, 3))]),
  );
}

describe('model registry and rescoring', () => {
  it('registers ONNX models, inferring the input and output mappings', async () => {
    const lr = await call('models.add', { project, path: files['lr']!, name: 'lr', version: '1' }, ctx);
    expect(lr.inputMapping).toEqual({ kind: 'features', input: 'features', dim: 32 });
    expect(lr.outputMapping).toEqual({ output: 'probabilities', kind: 'probabilities', width: 3 });
    expect(fs.existsSync(lr.file)).toBe(true);
    const logits = await call('models.add', { project, path: files['logits']!, name: 'logits', version: '1' }, ctx);
    expect(logits.outputMapping.kind).toBe('logits');
    await call('models.add', { project, path: files['mlp']!, name: 'mlp', version: '1' }, ctx);
    // A tree ensemble (ai.onnx.ml) has two outputs: the int64 label and the probabilities it reads.
    const trees = await call('models.add', { project, path: files['trees']!, name: 'trees', version: '1' }, ctx);
    expect(trees.outputMapping).toEqual({ output: 'probabilities', kind: 'probabilities', width: 3 });
    const again = await failure(call('models.add', { project, path: files['lr']!, name: 'lr', version: '1' }, ctx));
    expect(again.code).toBe('conflict');
  });

  it('rescores every example, equal to a direct session.run, with auto falling back to CPU and saying why', async () => {
    for (const [name, softmax] of [
      ['lr', false],
      ['mlp', false],
      ['logits', true],
      ['trees', false],
    ] as const) {
      const r = await rescore(name);
      expect(r.rows).toBe(2000);
      expect(r.device).toBe('cpu');
      expect(r.deviceNotes.join('\n')).toMatch(/^cuda: .+\nwebgpu: .+/);
      const want = await direct(files[name]!, softmax);
      const got = stored(r.modelRunId);
      expect(got.size).toBe(2000);
      let worst = 0;
      for (const [id, p] of want) p.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - got.get(id)![c]!))));
      expect(worst).toBeLessThan(1e-5);
    }
    const repeat = await rescore('lr');
    expect(repeat.deviceNotes).toEqual(['already rescored']);
    // The new run is a model run like any other: mining compares it with an imported one.
    const mined = await call(
      'mining.run',
      {
        project,
        strategy: { strategy: 'disagreement', measure: 'abs-delta' },
        modelRuns: ['sentiment-clf@v2', 'mlp@1'],
        limit: 5,
      },
      ctx,
    );
    expect(mined.top[0]!.reason).toMatch(/^models v2\/1 /);
  });

  it('refuses bad models with clear errors, storing nothing', async () => {
    const cases: [string, RegExp][] = [
      ['notes', /is not a usable ONNX model: .*Protobuf parsing failed/],
      ['truncated', /is not a usable ONNX model: .*Protobuf parsing failed/],
      ['wrong-dim', /input 'features' takes 35 floats per example; project 'sentiment' has 32 features/],
      [
        'wrong-classes',
        /output 'probabilities' has 5 classes; project 'sentiment' has 3 \(negative, neutral, positive\)/,
      ],
      ['custom-op', /com.example:SecretSauce\(-1\) is not a registered function\/op/],
      ['nan', /non-finite output \(NaN\) for example 's-0000001'/],
    ];
    for (const [name, message] of cases) {
      const e = await failure(call('models.add', { project, path: files[name]!, name }, ctx));
      expect(e.message, name).toMatch(message);
    }
    const missing = await failure(call('models.add', { project, path: path.join(dir, 'nope.onnx') }, ctx));
    expect(missing.code).toBe('bad-file');
    expect((await call('models.list', project, ctx)).map((m) => m.name)).toEqual(['lr', 'logits', 'mlp', 'trees']);
    const spamText = await failure(
      call('models.add', { project: { project: 'spam' }, path: files['lr']!, name: 'x' }, ctx),
    );
    expect(spamText.code).toBe('bad-mapping');
    expect(spamText.message).toMatch(/project 'spam' has \d+ features/);
    expect(fs.readdirSync(path.join(dir, 'models')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await call('models.add', { project, path: files['lr']!, name: 'lr-gpu', version: '1' }, ctx);
    const gpu = await failure(rescore('lr-gpu', { device: 'webgpu' }));
    expect(gpu.message).toMatch(/no execution provider could load the model: webgpu: /);
    // A model that never opened holds no lock and leaves no empty run behind.
    const pid = ctx.store.projects.byName('sentiment')!.id;
    const rescores = ctx.store.db
      .prepare(`SELECT status FROM import_runs WHERE project_id = ? AND format = 'rescore'`)
      .pluck()
      .all(pid);
    expect(rescores).not.toContain('running');
    expect(ctx.store.models.modelRun(pid, 'lr-gpu', '1')).toBeNull();
  });

  it('reads the probabilities behind an sklearn-style label + ZipMap output', async () => {
    const m = await call('models.add', { project, path: files['sklearn']!, name: 'sklearn', version: '1' }, ctx);
    expect(m.inputMapping).toEqual({ kind: 'features', input: 'float_input', dim: 32 });
    expect(m.outputMapping).toEqual({ output: 'probability_tensor', kind: 'probabilities', width: 3 });
    const r = await rescore('sklearn');
    expect(r.rows).toBe(2000);
    // The original model's own label output (ONNX Runtime can return that one) agrees with the
    // stored probabilities, which match the tensor the ZipMap wrapped.
    const rows = sentimentExamples();
    const x = featureMatrix(rows);
    const feeds = { float_input: new ort.Tensor('float32', x, [rows.length, 32]) };
    const original = await ort.InferenceSession.create(files['sklearn']!);
    const labels = (await original.run(feeds, ['output_label']))['output_label']!.data as BigInt64Array;
    const unzipped = await ort.InferenceSession.create(withoutZipMap(fs.readFileSync(files['sklearn']!))!);
    const probs = (await unzipped.run(feeds))['probability_tensor']!.data as Float32Array;
    const got = stored(r.modelRunId);
    rows.forEach((row, i) => {
      const p = got.get(row.external_id)!;
      expect(p.indexOf(Math.max(...p))).toBe(Number(labels[i]));
      p.forEach((v, c) => expect(Math.abs(v - probs[i * 3 + c]!)).toBeLessThan(1e-6));
    });
  });

  it('rescores with a string-input text pipeline that tokenizes inside the graph', async () => {
    const m = await call('models.add', { project, path: files['text']!, name: 'text', version: '1' }, ctx);
    expect(m.inputMapping).toEqual({ kind: 'text', input: 'text', rank: 1 });
    const r = await rescore('text');
    expect(r.rows).toBe(2000);
    const rows = sentimentExamples();
    const session = await ort.InferenceSession.create(files['text']!);
    const out = await session.run({
      text: new ort.Tensor(
        'string',
        rows.map((x) => x.text),
        [rows.length],
      ),
    });
    const want = out['probabilities']!.data as Float32Array;
    const got = stored(r.modelRunId);
    let worst = 0;
    rows.forEach((x, i) =>
      got.get(x.external_id)!.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - want[i * 3 + c]!)))),
    );
    expect(worst).toBeLessThan(1e-5);
    // The words decide: not every example gets the same scores.
    expect(new Set([...got.values()].map((p) => p[2]!.toFixed(3))).size).toBeGreaterThan(3);
  });

  it('rescores with a Hugging Face style folder: tokenizer.json → input_ids, attention_mask → logits', async () => {
    const folder = path.join(dir, 'tiny-bert');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'model.onnx'), tinyBertModel(3));
    fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
    fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
    fs.writeFileSync(
      path.join(folder, 'config.json'),
      JSON.stringify({ id2label: { 0: 'negative', 1: 'neutral', 2: 'positive' } }),
    );
    const m = await call('models.add', { project, path: folder, name: 'bert', version: '1' }, ctx);
    expect(m.inputMapping).toEqual({
      kind: 'tokens',
      inputIds: 'input_ids',
      attentionMask: 'attention_mask',
      tokenTypeIds: null,
      maxLength: 128,
    });
    expect(m.outputMapping).toEqual({
      output: 'logits',
      kind: 'logits',
      width: 3,
      modelClasses: ['negative', 'neutral', 'positive'],
      classOrder: [0, 1, 2],
    });
    const r = await rescore('bert');
    expect(r.rows).toBe(2000);
    // The same tokenizer library and session.run, one example at a time (no padding involved).
    const rows = sentimentExamples().slice(0, 200);
    const tok = new Tokenizer(bertTokenizerJson() as never, bertTokenizerConfig() as never);
    const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'));
    const got = stored(r.modelRunId);
    let worst = 0;
    for (const row of rows) {
      const e = tok.encode(row.text);
      const dims = [1, e.ids.length];
      const out = await session.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(e.ids.map(BigInt)), dims),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(e.attention_mask.map(BigInt)), dims),
      });
      const probs = softmaxOf(Array.from(out['logits']!.data as Float32Array));
      probs.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - got.get(row.external_id)![c]!))));
    }
    expect(worst).toBeLessThan(1e-5);

    fs.rmSync(path.join(folder, 'tokenizer.json'));
    const missing = await failure(call('models.add', { project, path: folder, name: 'bert2' }, ctx));
    expect(missing.message).toMatch(/has no tokenizer.json/);
    fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
    fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ id2label: { 0: 'neg', 1: 'pos' } }));
    const labels = await failure(call('models.add', { project, path: folder, name: 'bert3' }, ctx));
    expect(labels.message).toMatch(
      /the model's classes \(neg, pos, from config.json's id2label\) do not match project 'sentiment' classes \(negative, neutral, positive\)/,
    );
  });

  it('rescores with the demo model retrained on the ground truth, which beats chance on it', async () => {
    const file = path.join(dir, 'retrained.onnx');
    expect(writeDemoModel(ctx, 'sentiment', file)!.examples).toBeGreaterThan(100);
    await call('models.add', { project, path: file, name: 'retrained', version: '1' }, ctx);
    const r = await rescore('retrained');
    const rows = query<{ ground_truth: string; predicted: number }>(
      `SELECT e.ground_truth, p.predicted FROM predictions p JOIN examples e ON e.id = p.example_id WHERE p.model_run_id = ? AND e.ground_truth IS NOT NULL`,
      r.modelRunId,
    );
    const classes = ['negative', 'neutral', 'positive'];
    const accuracy = rows.filter((x) => classes[x.predicted] === x.ground_truth).length / rows.length;
    expect(accuracy).toBeGreaterThan(0.6);
  });

  it('resumes after kill -9 mid-rescore without duplicates', async () => {
    const log = await writeDemoLog({
      project: 'sentiment',
      rows: 30_000,
      modelVersion: 'v1',
      format: 'jsonl',
      outPath: path.join(dir, 'big.jsonl'),
    });
    await importGuessed(ctx, log.path, 'big');
    await call('models.add', { project: { project: 'big' }, path: files['mlp']!, name: 'mlp', version: '1' }, ctx);
    const db = path.join(dir, 'w.db');
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/flywheel.js'), '--db', db, 'rescore', 'big', 'mlp', '--batch', '256'],
      {
        stdio: 'ignore',
      },
    );
    const check = new Database(db, { readonly: true });
    const progress = () =>
      check
        .prepare(
          `SELECT coalesce(max(rows_imported), 0) FROM import_runs WHERE format = 'rescore' AND status = 'running'`,
        )
        .pluck()
        .get() as number;
    const deadline = Date.now() + 30_000;
    while (progress() < 2000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = progress();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(30_000);
    // On a host since renamed, the dead holder keeps the run only until its heartbeat is 30 s old.
    ctx.store.db.prepare(`UPDATE import_runs SET owner_host = 'old-name' WHERE format = 'rescore'`).run();
    const locked = await failure(call('models.rescore', { project: { project: 'big' }, model: 'mlp' }, ctx));
    expect(locked.message).toMatch(
      /^model mlp@1 is being rescored by process \d+ on host old-name \(last heartbeat \d+ s ago\)/,
    );
    ctx.store.db.prepare(`UPDATE import_runs SET heartbeat_at = heartbeat_at - 31000 WHERE format = 'rescore'`).run();
    const { jobId } = await call('models.rescore', { project: { project: 'big' }, model: 'mlp' }, ctx);
    const status = await ctx.jobs.wait(jobId);
    expect(status.state).toBe('succeeded');
    const r = status.result as { rows: number; resumedFrom: number; modelRunId: number };
    expect(r.resumedFrom).toBeGreaterThan(0);
    expect(r.rows).toBe(30_000 - before);
    const counts = check
      .prepare('SELECT count(*) AS n, count(DISTINCT example_id) AS d FROM predictions WHERE model_run_id = ?')
      .get(r.modelRunId) as { n: number; d: number };
    expect(counts).toEqual({ n: 30_000, d: 30_000 });
    const columns = check
      .prepare('SELECT sum(rows) FROM prediction_columns WHERE model_run_id = ?')
      .pluck()
      .get(r.modelRunId);
    expect(columns).toBe(30_000);
    check.close();
  }, 120_000);
  it("edits a model's mappings, checked against the graph, and refuses edits once it has scored", async () => {
    const trees = await call('models.add', { project, path: files['trees']!, name: 'trees-edit', version: '1' }, ctx);
    const model = trees.id;
    const label = await failure(call('models.update', { project, model, output: 'label' }, ctx));
    expect(label.code).toBe('bad-mapping');
    expect(label.message).toMatch(
      /output 'label' must be a float32 tensor of the graph; it gives label int64 .*probabilities float32/,
    );
    const input = await failure(call('models.update', { project, model, input: 'pixels' }, ctx));
    expect(input.message).toMatch(/input 'pixels' must be a float32 tensor of the graph; it takes features float32 \[/);
    const tokens = await failure(call('models.update', { project, model, maxLength: 64 }, ctx));
    expect(tokens.message).toMatch(/maxLength applies to tokenizer folders only/);
    const edited = await call('models.update', { project, model, outputKind: 'logits' }, ctx);
    expect(edited.outputMapping).toEqual({ output: 'probabilities', kind: 'logits', width: 3 });
    expect((await call('models.list', project, ctx)).find((m) => m.id === model)!.outputMapping.kind).toBe('logits');
    await call('models.update', { project, model: 'trees-edit@1', outputKind: 'probabilities' }, ctx);
    await rescore('trees-edit@1');
    const late = await failure(call('models.update', { project, model, outputKind: 'logits' }, ctx));
    expect(late.code).toBe('conflict');
    expect(late.message).toMatch(/trees-edit@1 has already scored this project .*new version/);
    // Saving the same mappings again is no edit: allowed.
    await call('models.update', { project, model, outputKind: 'probabilities' }, ctx);
  });

  it('stops a model process that grows past its memory cap, and a later rescore under the default works', async () => {
    await call('models.add', { project, path: files['mlp']!, name: 'mlp-capped', version: 'cap' }, ctx);
    const capped = await failure(rescore('mlp-capped@cap', { memoryLimitMb: 40 }));
    expect(capped.message).toMatch(
      /model mlp-capped@cap: the model process used \d+ MB, over its cap of 40 MB, and was stopped/,
    );
    const r = await rescore('mlp-capped@cap');
    expect(r.rows).toBe(2000);
  });
});
