// The learner leaves the workbench as ONNX: over the logged features (standardised as it saw them)
// or appended to its sentence encoder's graph. Registered with model add, it brings its classes,
// name, version and training lineage; rescored, it gives the learner's own probabilities (1e-5);
// evaluated, its training examples are left out of the gate.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import {
  importFile,
  makeTempDir,
  openContext,
  removeDir,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import type { ImportMappingInput } from '../../../shared/features/import/mapping';
import { call } from '../../core/dispatch';
import {
  bertConfig,
  bertEncoderModel,
  bertTokenizerConfig,
  bertTokenizerJson,
  bertVocabSize,
} from '../models/fixture-bert';
import type { Design } from './design';
import { featuresLearnerOnnx } from './learner-onnx';
import { fitLogistic, predictProba, type LearnTask } from './logistic';

type Ort = typeof import('onnxruntime-node');
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;

const ROOT = path.resolve(__dirname, '../../../..');
const N = 300;
const LABELED = 60;
const WORDS = { ham: ['love', 'great', 'best', 'happy'], spam: ['refund', 'awful', 'worst', 'never'] };

/** A little generator of its own, so the data does not hang on another module's. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const truthOf = (i: number) => (i % 2 === 1 ? 'spam' : 'ham');

function rows() {
  const r = rng(11);
  return Array.from({ length: N }, (_, i) => {
    const words = WORDS[truthOf(i)];
    // A noisy first feature and mixed words: a learner that is right often, not always.
    const noisy = r() < 0.2;
    return {
      id: `m${i}`,
      ts: 1_700_000_000_000 + i * 60_000,
      text: `${words[i % 4]} it was ${noisy ? WORDS.ham[i % 4] : words[(i + 1) % 4]} and ${WORDS.spam[i % 4]}`,
      f: [(i % 2 ? 1 : -1) * (noisy ? -1 : 1) + (r() - 0.5) * 2, r() * 3 + 10, r() - 0.5, (r() - 0.5) * 100],
      p_spam: i % 3 === 0 ? 0.9 : 0.1,
      truth: truthOf(i),
      model: 'prod',
      model_version: 'v1',
    };
  });
}

const MAPPING: ImportMappingInput = {
  id: 'id',
  inputKind: 'text',
  text: 'text',
  features: { kind: 'vector', field: 'f', dim: 4 },
  timestamp: { field: 'ts', unit: 'ms' },
  taskType: 'binary',
  classes: ['ham', 'spam'],
  scores: { kind: 'columns', columns: ['p_spam'] },
  scoreTransform: 'none',
  groundTruth: 'truth',
  model: { nameField: 'model', versionField: 'model_version' },
  metadata: [],
  sumTolerance: 0.01,
};

let dir: string;
let ctx: TestContext;
let encoderFolder: string;

async function job(jobId: string) {
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw Object.assign(new Error(status.error?.message), status.error);
  return status.result;
}

async function setUpProject(name: string) {
  const file = writeJsonl(path.join(dir, `${name}.jsonl`), rows());
  const { status } = await importFile(ctx, file, MAPPING, { project: name });
  expect(status.state).toBe('succeeded');
  const schemaVersion = ctx.store.labelSchemas.latest(ctx.store.projects.byName(name)!.id)!.version;
  for (let i = 0; i < LABELED; i++) {
    await call(
      'labels.record',
      {
        project: { project: name },
        externalId: `m${i}`,
        annotator: 'ann',
        schemaVersion,
        action: 'label',
        labels: [truthOf(i)],
      },
      ctx,
    );
  }
}

async function learn(project: string, representation: string) {
  await call('learn.configure', { project: { project }, representation }, ctx);
  const { jobId } = await call('learn.refresh', { project: { project } }, ctx);
  await job(jobId);
}

/** P(spam) per external id of a model run. */
function scoresOf(project: string, name: string, version: string): Map<string, number> {
  const rowsOf = ctx.store.db
    .prepare(
      `SELECT e.external_id, p.scores FROM predictions p JOIN model_runs r ON r.id = p.model_run_id JOIN examples e ON e.id = p.example_id
       JOIN projects pr ON pr.id = r.project_id WHERE pr.name = ? AND r.model_name = ? AND r.model_version = ?`,
    )
    .all(project, name, version) as { external_id: string; scores: Buffer }[];
  return new Map(rowsOf.map((r) => [r.external_id, r.scores.readFloatLE(0)]));
}

/** Export → model add → rescore: the rescored scores equal the learner run's, example by example. */
async function roundTrip(project: string, out: string, run = String(LABELED)) {
  const exported = await call('learn.export', { project: { project }, out }, ctx);
  const version = `learner@${run}`;
  expect(exported).toMatchObject({ name: 'learner', version, classes: ['ham', 'spam'], trainingExamples: LABELED });
  const added = await call('models.add', { project: { project }, path: out }, ctx);
  expect(added).toMatchObject({ name: 'learner', version, warnings: [] });
  expect(added.outputMapping).toMatchObject({ output: 'probabilities', kind: 'probabilities', width: 2 });
  const { jobId } = await call('models.rescore', { project: { project }, model: `learner@${version}` }, ctx);
  expect(await job(jobId)).toMatchObject({ rows: N });
  const learner = scoresOf(project, 'learner', run);
  const rescored = scoresOf(project, 'learner', version);
  expect(learner.size).toBe(N);
  expect(rescored.size).toBe(N);
  for (const [id, p] of learner) expect(Math.abs(rescored.get(id)! - p)).toBeLessThan(1e-5);
  // Not a constant: the equality says something about every weight.
  expect(Math.max(...learner.values()) - Math.min(...learner.values())).toBeGreaterThan(0.2);
  return exported;
}

beforeAll(async () => {
  dir = makeTempDir('learn-export');
  ctx = openContext(dir);
  await setUpProject('feats');
  await setUpProject('texts');
  encoderFolder = path.join(dir, 'encoder');
  fs.mkdirSync(encoderFolder);
  fs.writeFileSync(
    path.join(encoderFolder, 'model.onnx'),
    bertEncoderModel({ classes: 2, layers: 1, hidden: 12, vocabSize: bertVocabSize(), output: 'last_hidden_state' }),
  );
  fs.writeFileSync(path.join(encoderFolder, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
  fs.writeFileSync(path.join(encoderFolder, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
  fs.writeFileSync(path.join(encoderFolder, 'config.json'), JSON.stringify(bertConfig(null)));
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

describe('the learner as ONNX', () => {
  it.each<[LearnTask, number]>([
    ['binary', 2],
    ['multiclass', 3],
    ['multilabel', 3],
  ])('%s: session.run of the graph equals predictProba (1e-5), standardisation included', async (task, classes) => {
    const r = rng(5);
    const rowsN = 80;
    const dim = 5;
    const raw = Float32Array.from({ length: rowsN * dim }, () => (r() - 0.5) * 10 + 3);
    const mean = [3, 2, -1, 0, 5];
    const std = [5, 0.5, 2, 1, 3];
    const scaled = Float32Array.from(raw, (v, k) => (v - mean[k % dim]!) / std[k % dim]!);
    const x: Design = { kind: 'dense', rows: rowsN, dim, values: scaled };
    const y =
      task === 'multilabel'
        ? Uint8Array.from({ length: rowsN * classes }, (_, k) =>
            scaled[Math.floor(k / classes) * dim + (k % classes)]! > 0 ? 1 : 0,
          )
        : Int32Array.from(
            { length: rowsN },
            (_, i) => (scaled[i * dim]! > 0 ? 1 : 0) + (classes > 2 && scaled[i * dim + 1]! > 1 ? 1 : 0),
          );
    const model = fitLogistic(x, y, { task, classes, l2: 1 });
    const expected = predictProba(model, x);
    const session = await ort.InferenceSession.create(featuresLearnerOnnx(model, { mean, std }, {}));
    const out = await session.run({ features: new ort.Tensor('float32', raw, [rowsN, dim]) });
    const got = out['probabilities']!;
    expect(got.dims).toEqual([rowsN, classes]);
    (got.data as Float32Array).forEach((v, k) => expect(Math.abs(v - expected[k]!)).toBeLessThan(1e-5));
    await session.release();
  });

  it('features: model add registers it with classes and lineage; rescoring gives the learner’s scores', async () => {
    await learn('feats', 'features');
    const out = path.join(dir, 'out', 'feats-learner.onnx');
    const exported = await roundTrip('feats', out);
    expect(exported.files).toEqual([out]);
    expect(exported.next).toBe(`flywheel model add ${out} --project feats`);
    // The lineage the file carried: the labeled examples, and nothing else.
    const p = ctx.store.projects.byName('feats')!;
    const ids = ctx.store.trainingExamples.get(p.id, { name: 'learner', version: `learner@${LABELED}` })!;
    expect(ctx.store.trainingExamples.externalIds(ids).sort()).toEqual(
      Array.from({ length: LABELED }, (_, i) => `m${i}`).sort(),
    );
    const again = await failure(call('learn.export', { project: { project: 'feats' }, out }, ctx));
    expect(again.message).toMatch(/already exists: choose another --out, or give --force to replace it$/);
  }, 120_000);

  it('passes through eval: the gate compares it with the production run, its training examples left out', async () => {
    const result = await call(
      'insights.eval',
      { project: { project: 'feats' }, champion: 'prod@v1', challenger: `learner@learner@${LABELED}`, source: 'truth' },
      ctx,
    );
    const run = result.runs.find((r) => r.name === `learner@learner@${LABELED}`)!;
    expect(run.training.excluded).toBe(LABELED);
    expect(run.training.lineage).toMatch(/the 60 labeled examples its file names/);
    expect(result.comparison).toMatchObject({ champion: 'prod@v1', challenger: `learner@learner@${LABELED}` });
    expect(result.comparison!.basis.trainingLeftOut).toBe(LABELED);
    expect(['pass', 'fail', 'insufficient']).toContain(result.comparison!.verdict);
  }, 60_000);

  it('text (hashed n-grams): refused, saying why and what to use instead', async () => {
    await learn('texts', 'text');
    const refused = await failure(
      call('learn.export', { project: { project: 'texts' }, out: path.join(dir, 'x.onnx') }, ctx),
    );
    expect(refused.message).toMatch(/hashing strings is not an ONNX operator/);
    expect(refused.message).toMatch(/features .* or embeddings:MODEL/);
    expect(fs.existsSync(path.join(dir, 'x.onnx'))).toBe(false);
  }, 60_000);

  it('embeddings: a folder whose graph takes the encoder’s inputs; rescoring gives the learner’s scores', async () => {
    await call(
      'models.add',
      { project: { project: 'texts' }, path: encoderFolder, name: 'encoder', version: '1' },
      ctx,
    );
    const { jobId } = await call('learn.embed', { project: { project: 'texts' }, encoder: 'encoder@1' }, ctx);
    await job(jobId);
    await learn('texts', 'embeddings:encoder@1');
    const out = path.join(dir, 'out', 'texts-learner');
    // The text learner fitted on the same 60 labels took learner@60: this one is learner@60.2.
    const exported = await roundTrip('texts', out, `${LABELED}.2`);
    expect(exported.files.map((f) => path.basename(f)).sort()).toEqual(
      ['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
    const added = ctx.store.models
      .forProject(ctx.store.projects.byName('texts')!.id)
      .find((m) => m.version === `learner@${LABELED}.2`)!;
    expect(JSON.parse(added.input_mapping)).toMatchObject({
      kind: 'tokens',
      inputIds: 'input_ids',
      attentionMask: 'attention_mask',
    });
  }, 120_000);

  it('flywheel learn PROJECT export / embed on the command line', () => {
    const flywheel = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), '--db', path.join(dir, 'w.db'), ...args], {
        encoding: 'utf8',
      });
    const out = path.join(dir, 'cli', 'learner.onnx');
    const exported = flywheel('learn', 'feats', 'export', '--out', out);
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
    expect(exported.stdout).toMatch(
      /^Exported learner@60 \(features, ham \/ spam, fitted on 60 labeled examples\) to /,
    );
    expect(fs.existsSync(out)).toBe(true);
    expect(flywheel('learn', 'feats', 'export', '--out', out).status).toBe(5);
    expect(flywheel('learn', 'feats', 'export', '--out', out, '--force').status).toBe(0);
    const embedded = flywheel('learn', 'texts', 'embed', '--encoder', 'encoder@1', '--json');
    expect(embedded.status).toBe(0);
    expect(JSON.parse(embedded.stdout)).toMatchObject({ rows: 0, stored: N, dim: 12 });
    const usage = flywheel('learn', 'texts', 'embed');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/needs --encoder MODEL/);
  }, 60_000);
});
