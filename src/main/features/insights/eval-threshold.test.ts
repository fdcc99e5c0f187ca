// Metrics at a model's own threshold: a binary model registered with a threshold (or one in its ONNX
// metadata) and an imported log whose predicted labels were decided at 0.3, on ten hand-worked examples.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
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
import { call } from '../../core/dispatch';
import { denseClassifier } from '../models/onnx-writer';

const ROOT = path.resolve(__dirname, '../../../..');
const P = [0.1, 0.2, 0.25, 0.35, 0.4, 0.45, 0.6, 0.7, 0.8, 0.9];
const TRUTH = [0, 0, 1, 1, 0, 1, 1, 0, 1, 1];
const CLASSES = ['ham', 'spam'];
const project = { project: 'thr' };
let dir: string;
let ctx: TestContext;

/** A one-feature model whose P(spam) is the sigmoid of the feature: x = logit(P) gives back P. */
function sigmoidModel(metadata?: Record<string, string>): Buffer {
  return denseClassifier({
    layers: [{ weights: Float32Array.from([0, 1]), bias: new Float32Array(2), inputs: 1, outputs: 2 }],
    ...(metadata ? { metadata } : {}),
  });
}

async function rescore(model: string) {
  const { jobId } = await call('models.rescore', { project, model }, ctx);
  const status = await ctx.jobs.wait(jobId);
  expect(status.state).toBe('succeeded');
}

beforeAll(async () => {
  dir = makeTempDir('eval-threshold');
  ctx = openContext(dir);
  const rows = P.map((p, i) => ({
    id: `e${i}`,
    ts: Date.UTC(2026, 9, 1) + i * 3_600_000,
    x: Math.log(p / (1 - p)),
    p_spam: p,
    decided: CLASSES[p >= 0.3 ? 1 : 0],
    truth: CLASSES[TRUTH[i]!],
    model: 'prod',
    model_version: 'v1',
  }));
  const { status } = await importFile(
    ctx,
    writeJsonl(path.join(dir, 'log.jsonl'), rows),
    {
      id: 'id',
      inputKind: 'tabular',
      features: { kind: 'fields', fields: ['x'] },
      timestamp: { field: 'ts', unit: 'ms' },
      taskType: 'binary',
      classes: CLASSES,
      scores: { kind: 'columns', columns: ['p_spam'] },
      predictedLabel: 'decided',
      groundTruth: 'truth',
      model: { nameField: 'model', versionField: 'model_version' },
    },
    { project: 'thr' },
  );
  expect(status.error).toBeUndefined();
  fs.writeFileSync(path.join(dir, 'plain.onnx'), sigmoidModel());
  fs.writeFileSync(path.join(dir, 'meta.onnx'), sigmoidModel({ threshold: '0.3' }));
  fs.writeFileSync(path.join(dir, 'bad-meta.onnx'), sigmoidModel({ threshold: 'high' }));
  await call(
    'models.add',
    { project, path: path.join(dir, 'plain.onnx'), name: 'clf', version: 't03', threshold: 0.3 },
    ctx,
  );
  await call('models.add', { project, path: path.join(dir, 'meta.onnx'), name: 'clf', version: 'meta' }, ctx);
  await call('models.add', { project, path: path.join(dir, 'plain.onnx'), name: 'clf', version: 'argmax' }, ctx);
  for (const v of ['t03', 'meta', 'argmax']) await rescore(`clf@${v}`);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

/** The hand-worked report at 0.3 (see decisions.test.ts): TP 5, FP 2, FN 1, TN 2. */
function expectAtPoint3(t: NonNullable<Awaited<ReturnType<typeof evalAll>>['runs'][number]['all']['atThreshold']>) {
  expect(t.confusion).toEqual([
    [2, 2],
    [1, 5],
  ]);
  expect(t.accuracy).toBeCloseTo(0.7, 12);
  expect(t.macroF1).toBeCloseTo((10 / 13 + 4 / 7) / 2, 12);
  expect(t.predictedPositiveRate).toBeCloseTo(0.7, 12);
  expect(t.perClass[1]!.precision).toBeCloseTo(5 / 7, 12);
  expect(t.perClass[1]!.recall).toBeCloseTo(5 / 6, 12);
}

const evalAll = () => call('insights.eval', { project, source: 'truth' }, ctx);

describe('metrics at the model’s own threshold', () => {
  it('reports a registered threshold, one from the ONNX metadata and the logged labels beside the argmax', async () => {
    const r = await evalAll();
    const run = (name: string) => r.runs.find((x) => x.name === name)!;
    for (const name of ['clf@t03', 'clf@meta']) {
      const x = run(name);
      expect(x.decision).toMatchObject({ source: 'model', threshold: 0.3 });
      expect(x.decision.description).toContain('P(spam) ≥ 0.3');
      // argmax: TP 3, FP 1, FN 3, TN 3 (accuracy 0.6); at its threshold: accuracy 0.7
      expect(x.all.accuracy).toBeCloseTo(0.6, 6);
      expectAtPoint3(x.all.atThreshold!);
    }
    const logged = run('prod@v1');
    expect(logged.decision.source).toBe('logged');
    expect(logged.decision.impliedThreshold!.above).toBeCloseTo(0.25, 6);
    expect(logged.decision.impliedThreshold!.atMost).toBeCloseTo(0.35, 6);
    expect(logged.decision.description).toContain('differ from the argmax on 3');
    expectAtPoint3(logged.all.atThreshold!);
    const plain = run('clf@argmax');
    expect(plain.decision.source).toBe('argmax');
    expect(plain.all.atThreshold).toBeNull();
  });

  it('stores the decision at the threshold with the rescored predictions', () => {
    const db = new Database(path.join(dir, 'w.db'), { readonly: true });
    try {
      const decided = (version: string) =>
        db
          .prepare(
            `SELECT p.predicted FROM predictions p JOIN model_runs m ON m.id = p.model_run_id
             WHERE m.model_version = ? ORDER BY p.example_id`,
          )
          .pluck()
          .all(version);
      expect(decided('t03')).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
      expect(decided('argmax')).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    } finally {
      db.close();
    }
  });

  it('refuses metadata that is not a threshold', async () => {
    const bad = await failure(
      call('models.add', { project, path: path.join(dir, 'bad-meta.onnx'), name: 'clf', version: 'bad' }, ctx),
    );
    expect(bad.code).toBe('bad-mapping');
    expect(bad.message).toMatch(/metadata 'threshold' is 'high'.*--threshold/);
  });

  it('the CLI prints the rule and the metrics at the threshold; --json carries them', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), '--db', path.join(dir, 'w.db'), ...args], {
        encoding: 'utf8',
      });
    const text = run('eval', 'thr', '--source', 'truth', '--runs', 'clf@t03');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("decisions      its model's threshold: spam when P(spam) ≥ 0.3");
    expect(text.stdout).toMatch(
      /at threshold {3}n=10 +accuracy 0\.700 {2}macro-F1 0\.670 {2}predicted positive 0\.700/,
    );
    const json = JSON.parse(run('--json', 'eval', 'thr', '--source', 'truth', '--runs', 'prod@v1').stdout) as {
      runs: { decision: { source: string }; all: { atThreshold: { accuracy: number } } }[];
    };
    expect(json.runs[0]!.decision.source).toBe('logged');
    expect(json.runs[0]!.all.atThreshold.accuracy).toBeCloseTo(0.7, 12);
  });
});
