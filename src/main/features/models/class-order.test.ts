// A model's score columns are matched to the project's classes by name, never silently by position.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { makeTempDir, openContext, removeDir, type TestContext } from '../../../../test/helpers/import-fixtures';
import { mulberry32 } from '../../../shared/features/mining';
import { loadDemo } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';
import { bertConfig, bertTokenizerConfig, bertTokenizerJson, tinyBertModel } from './fixture-bert';
import { sklearnStyle } from './fixture-models';
import { denseClassifier } from './onnx-writer';
import { withoutZipMap } from './unzip-map';

type Ort = typeof import('onnxruntime-node');
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
const ROOT = path.resolve(__dirname, '../../../..');
const spam = { project: 'spam' };
const sentiment = { project: 'sentiment' };
let dir: string;
let ctx: TestContext;

beforeAll(async () => {
  dir = makeTempDir('class-order');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 300);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

function weights(n: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * 0.5);
}

/** A softmax (or logit) regression over the project's features, with metadata_props. */
function model(name: string, dim: number, k: number, metadata: Record<string, string>, output?: 'logits'): string {
  const file = path.join(dir, `${name}.onnx`);
  const layer = { weights: weights(dim * k, dim + k), bias: new Float32Array(k), inputs: dim, outputs: k };
  fs.writeFileSync(file, denseClassifier({ layers: [layer], metadata, ...(output ? { output } : {}) }));
  return file;
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(path.join(dir, 'w.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

interface Row {
  external_id: string;
  features: Buffer;
  text: string;
}

function examples(project: string): Row[] {
  return query<Row>(
    `SELECT e.external_id, e.features, e.text FROM examples e JOIN projects p ON p.id = e.project_id
     WHERE p.name = ? ORDER BY e.id`,
    project,
  );
}

/** The model's own output columns for every example of a project, straight from ONNX Runtime. */
async function direct(bytes: Buffer | string, project: string, dim: number, input = 'features') {
  const rows = examples(project);
  const x = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => x.set(new Float32Array(r.features.buffer, r.features.byteOffset, dim), i * dim));
  const session = await ort.InferenceSession.create(bytes as string);
  const out = await session.run({ [input]: new ort.Tensor('float32', x, [rows.length, dim]) });
  const t = out[session.outputNames.find((n) => /prob|logits/.test(n)) ?? session.outputNames[0]!]!;
  const w = Number(t.dims[1]);
  const data = t.data as Float32Array;
  return new Map(rows.map((r, i) => [r.external_id, Array.from(data.subarray(i * w, (i + 1) * w))]));
}

async function rescore(project: { project: string }, model: string): Promise<Map<string, number[]>> {
  const { jobId } = await call('models.rescore', { project, model }, ctx);
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw new Error(status.error?.message);
  const runId = (status.result as { modelRunId: number }).modelRunId;
  const rows = query<{ external_id: string; scores: Buffer }>(
    'SELECT e.external_id, p.scores FROM predictions p JOIN examples e ON e.id = p.example_id WHERE p.model_run_id = ?',
    runId,
  );
  return new Map(
    rows.map((r) => [
      r.external_id,
      Array.from(new Float32Array(r.scores.buffer, r.scores.byteOffset, r.scores.length / 4)),
    ]),
  );
}

function worstDelta(want: Map<string, number[]>, got: Map<string, number[]>): number {
  expect(got.size).toBe(want.size);
  let worst = 0;
  for (const [id, p] of want) p.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - got.get(id)![c]!))));
  return worst;
}

function permuted(m: Map<string, number[]>, f: (p: number[]) => number[]): Map<string, number[]> {
  return new Map([...m].map(([id, p]) => [id, f(p)]));
}

const names = async (project: { project: string }) =>
  (await call('models.list', project, ctx)).map((m) => `${m.name}@${m.version}`);

describe('class order', () => {
  it("reorders a binary model's columns by its metadata classes, spam first", async () => {
    const file = model('spam-first', 16, 2, { classes: '["spam","ham"]' });
    const m = await call('models.add', { project: spam, path: file, name: 'spam-first', version: '1' }, ctx);
    expect(m.outputMapping).toMatchObject({ modelClasses: ['spam', 'ham'], classOrder: [1, 0] });
    expect(m.warnings).toEqual([]);
    // The store keeps P(spam), the project's second class: the model's first column.
    const want = permuted(await direct(file, 'spam', 16), (p) => [p[0]!]);
    expect(worstDelta(want, await rescore(spam, 'spam-first'))).toBeLessThan(1e-6);
  });

  it('takes the complement of a one-column binary model whose second class is the project first', async () => {
    const file = model('one-column', 16, 1, { classes: 'spam, ham' }, 'logits');
    const m = await call('models.add', { project: spam, path: file, name: 'one-column', version: '1' }, ctx);
    expect(m.outputMapping).toMatchObject({ width: 1, kind: 'logits', classOrder: [1, 0] });
    // The column is P(ham) as a logit; the store keeps P(spam).
    const want = permuted(await direct(file, 'spam', 16), (p) => [1 - 1 / (1 + Math.exp(-p[0]!))]);
    expect(worstDelta(want, await rescore(spam, 'one-column'))).toBeLessThan(1e-6);
  });

  it('reorders a 3-class model by comma-separated metadata classes', async () => {
    const file = model('shuffled', 32, 3, { classes: 'positive, negative, neutral' });
    const m = await call('models.add', { project: sentiment, path: file, name: 'shuffled', version: '1' }, ctx);
    expect(m.outputMapping.classOrder).toEqual([1, 2, 0]);
    const want = permuted(await direct(file, 'sentiment', 32), (p) => [p[1]!, p[2]!, p[0]!]);
    expect(worstDelta(want, await rescore(sentiment, 'shuffled'))).toBeLessThan(1e-6);
  });

  it("reorders by an sklearn ZipMap's string class labels", async () => {
    const file = path.join(dir, 'sklearn-labels.onnx');
    fs.writeFileSync(file, sklearnStyle(weights(32 * 3, 5), 32, 3, ['positive', 'neutral', 'negative']));
    const m = await call('models.add', { project: sentiment, path: file, name: 'sk', version: '1' }, ctx);
    expect(m.outputMapping.classOrder).toEqual([2, 1, 0]);
    const unzipped = withoutZipMap(fs.readFileSync(file))!;
    const want = permuted(await direct(unzipped as never, 'sentiment', 32, 'float_input'), (p) => [...p].reverse());
    expect(worstDelta(want, await rescore(sentiment, 'sk'))).toBeLessThan(1e-6);
  });

  it('refuses a model whose classes are not the project ones, naming both lists, registering nothing', async () => {
    const before = await names(spam);
    const stored = fs.readdirSync(path.join(dir, 'models'));
    const file = model('eggs', 16, 2, { classes: '["spam","eggs"]' });
    const e = await failure(call('models.add', { project: spam, path: file, name: 'eggs' }, ctx));
    expect(e.code).toBe('bad-mapping');
    expect(e.message).toMatch(
      /the model's classes \(spam, eggs, from the ONNX metadata 'classes'\) do not match project 'spam' classes \(ham, spam\)/,
    );
    const twice = await failure(
      call('models.add', { project: spam, path: model('twice', 16, 2, { classes: 'ham,Ham' }), name: 'twice' }, ctx),
    );
    expect(twice.message).toMatch(/the ONNX metadata 'classes' names class 'Ham' twice \(ham, Ham\)/);
    const three = await failure(
      call(
        'models.add',
        { project: spam, path: model('three', 16, 2, { classes: 'ham,spam,eggs' }), name: 'three' },
        ctx,
      ),
    );
    expect(three.message).toMatch(/\(ham, spam, eggs, from .*\) do not match project 'spam' classes \(ham, spam\)/);
    expect(await names(spam)).toEqual(before);
    expect(fs.readdirSync(path.join(dir, 'models'))).toEqual(stored);
  });

  it('takes declared classes where the model names none, and refuses declared ones that contradict it', async () => {
    const plain = model('plain', 16, 2, {});
    const assumed = await call('models.add', { project: spam, path: plain, name: 'plain', version: '1' }, ctx);
    expect(assumed.outputMapping.classOrder).toBeUndefined();
    expect(assumed.warnings).toEqual([
      'the model does not name its classes; assumed project order ham, spam (declare them with --classes if that is wrong)',
    ]);
    const declared = await call(
      'models.add',
      { project: spam, path: plain, name: 'plain', version: 'declared', classes: ['spam', 'ham'] },
      ctx,
    );
    expect(declared.outputMapping).toMatchObject({ modelClasses: ['spam', 'ham'], classOrder: [1, 0] });
    expect(declared.warnings).toEqual([]);
    const want = permuted(await direct(plain, 'spam', 16), (p) => [p[0]!]);
    expect(worstDelta(want, await rescore(spam, 'plain@declared'))).toBeLessThan(1e-6);
    const contradicted = await failure(
      call(
        'models.add',
        {
          project: spam,
          path: model('spam-first', 16, 2, { classes: '["spam","ham"]' }),
          name: 'x',
          classes: ['ham', 'spam'],
        },
        ctx,
      ),
    );
    expect(contradicted.message).toMatch(
      /the declared classes \(ham, spam\) and the ONNX metadata 'classes' \(spam, ham\) disagree/,
    );
  });

  it('reorders a Hugging Face folder by its id2label, and refuses one without names unless they are declared', async () => {
    const folder = (name: string, labels: string[] | null) => {
      const f = path.join(dir, name);
      fs.mkdirSync(f);
      fs.writeFileSync(path.join(f, 'model.onnx'), tinyBertModel(3));
      fs.writeFileSync(path.join(f, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
      fs.writeFileSync(path.join(f, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
      fs.writeFileSync(path.join(f, 'config.json'), JSON.stringify(bertConfig(labels)));
      return f;
    };
    const reversed = folder('bert-reversed', ['positive', 'neutral', 'negative']);
    const m = await call('models.add', { project: sentiment, path: reversed, name: 'bert-rev', version: '1' }, ctx);
    expect(m.outputMapping.classOrder).toEqual([2, 1, 0]);
    const got = await rescore(sentiment, 'bert-rev');
    // Each example through the Rust tokenizer and session.run, then the columns reversed.
    const { Tokenizer } = createRequire(import.meta.url)('tokenizers') as typeof import('tokenizers');
    const tok = Tokenizer.fromFile(path.join(reversed, 'tokenizer.json'));
    const session = await ort.InferenceSession.create(path.join(reversed, 'model.onnx'));
    let worst = 0;
    for (const row of examples('sentiment').slice(0, 50)) {
      const ids = (await tok.encode(row.text)).getIds();
      const dims = [1, ids.length];
      const out = await session.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), dims),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
      });
      const logits = Array.from(out['logits']!.data as Float32Array);
      const e = logits.map((v) => Math.exp(v - Math.max(...logits)));
      const p = e.map((v) => v / e.reduce((a, b) => a + b, 0)).reverse();
      p.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - got.get(row.external_id)![c]!))));
    }
    expect(worst).toBeLessThan(1e-5);
    for (const [name, labels] of [
      ['bert-unnamed', null],
      ['bert-default', ['LABEL_0', 'LABEL_1', 'LABEL_2']],
    ] as const) {
      const f = folder(name, labels as string[] | null);
      const unnamed = await failure(call('models.add', { project: sentiment, path: f, name }, ctx));
      expect(unnamed.code).toBe('bad-mapping');
      expect(unnamed.message).toMatch(/id2label does not name the classes .* --classes negative,neutral,positive/);
      expect((await call('models.list', sentiment, ctx)).map((x) => x.name)).not.toContain(name);
      // Declared, the folder registers in the declared order.
      const declared = await call(
        'models.add',
        { project: sentiment, path: f, name, classes: ['positive', 'neutral', 'negative'] },
        ctx,
      );
      expect(declared.outputMapping.classOrder).toEqual([2, 1, 0]);
    }
  });

  it("takes name and version from the model's metadata, and says which model a file already is", async () => {
    const file = model('card', 16, 2, { classes: 'ham,spam', model_name: 'spam-filter', model_version: '3' });
    const m = await call('models.add', { project: spam, path: file }, ctx);
    expect(`${m.name}@${m.version}`).toBe('spam-filter@3');
    const again = await failure(call('models.add', { project: spam, path: file }, ctx));
    expect(again.code).toBe('conflict');
    expect(again.message).toMatch(/is already registered in project 'spam' as model spam-filter@3 \(#\d+\)/);
    const other = await failure(
      call('models.add', { project: spam, path: model('plain', 16, 2, {}), name: 'spam-filter', version: '3' }, ctx),
    );
    expect(other.message).toMatch(/already has model spam-filter@3 from a different file/);
    // Under another version, the same file registers again.
    expect((await call('models.add', { project: spam, path: file, version: '3b' }, ctx)).name).toBe('spam-filter');
  });

  it('declares classes from the command line: model add --classes', () => {
    // The same weights as 'plain', already registered: a new name registers it again.
    const file = model('cli', 16, 2, {});
    const cli = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'bin/flywheel.js'),
        '--db',
        path.join(dir, 'w.db'),
        '--json',
        'model',
        'add',
        file,
        '--project',
        'spam',
        '--name',
        'cli',
        '--classes',
        'spam, ham',
      ],
      { encoding: 'utf8' },
    );
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const out = JSON.parse(cli.stdout) as { outputMapping: { classOrder: number[] }; warnings: string[] };
    expect(out.outputMapping.classOrder).toEqual([1, 0]);
    expect(out.warnings).toEqual([]);
  });
});
