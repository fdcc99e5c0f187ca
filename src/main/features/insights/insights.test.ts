import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { makeTempDir, openContext, removeDir, type TestContext } from '../../../../test/helpers/import-fixtures';
import { loadDemo } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';

const ROOT = path.resolve(__dirname, '../../../..');
let dir: string;
let ctx: TestContext;
const project = { project: 'sentiment' };

beforeAll(async () => {
  dir = makeTempDir('insights');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 3000);
  // A random sample (unbiased) and a disagreement batch (mined), labeled the way model v2 predicts.
  await call('mining.run', { project, strategy: { strategy: 'random', seed: 4 }, limit: 120, dedupe: false }, ctx);
  await call('mining.run', { project, strategy: { strategy: 'disagreement', measure: 'label-flip' }, limit: 80 }, ctx);
  for (;;) {
    const next = await call('queue.next', { project, annotator: 'ana' }, ctx);
    if (!next.item) break;
    const v2 = next.example!.predictions.find((p) => p.model.endsWith('@v2'))!;
    await call(
      'labels.record',
      {
        project,
        externalId: next.item.externalId,
        annotator: 'ana',
        schemaVersion: 1,
        action: 'label',
        labels: v2.predicted,
      },
      ctx,
    );
  }
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

describe('evaluation', () => {
  it('reports every run on all, random-sample and mined labels, and compares champion and challenger', async () => {
    const r = await call('insights.eval', { project, source: 'curated' }, ctx);
    expect(r.evaluationSet).toMatchObject({ source: 'curated', sourceReason: 'asked for: curated' });
    expect(r.labels).toEqual(['negative', 'neutral', 'positive']);
    expect(r.runs.map((x) => x.name)).toEqual(['sentiment-clf@v1', 'sentiment-clf@v2']);
    const [v1, v2] = r.runs;
    const labeled = (await call('queue.stats', project, ctx)).done;
    expect(labeled).toBeGreaterThan(190);
    expect(v2!.all.accuracy).toBe(1); // the labels follow v2
    expect(v1!.all.n).toBe(labeled);
    expect(v1!.randomSample.n + v1!.mined.n).toBe(labeled);
    expect(v1!.randomSample.n).toBeGreaterThan(100);
    // v1 looks far worse on the mined disagreements than on the random sample: the mined set is biased.
    expect(v1!.mined.accuracy!).toBeLessThan(v1!.randomSample.accuracy!);
    expect(v1!.all.confusion.flat().reduce((a, b) => a + b, 0)).toBe(labeled);
    expect(r.comparison).toMatchObject({
      champion: 'sentiment-clf@v1',
      challenger: 'sentiment-clf@v2',
      verdict: 'pass',
      gatePassed: true,
    });
    // the gate judges on the unbiased labels only: the mined disagreements feed error analysis
    expect(r.comparison!.basis.minedLeftOut).toBe(v1!.mined.n);
    expect(r.comparison!.n).toBe(labeled - v1!.mined.n);
    expect(v1!.unbiased.n).toBe(labeled - v1!.mined.n);
    // asked explicitly, it judges on them too, where v2 (whom the labels follow) is clearly better
    const withMined = await call('insights.eval', { project, source: 'curated', includeMined: true }, ctx);
    expect(withMined.comparison!.n).toBe(labeled);
    expect(withMined.comparison!.lo!).toBeGreaterThan(0);
    // the demo logs carry ground truth for some examples: without --source, eval judges on those
    const truth = await call('insights.eval', { project }, ctx);
    expect(truth.evaluationSet.source).toBe('truth');
    expect(truth.evaluationSet.fromCurated).toBe(0);
    expect(truth.evaluationSet.n).toBe(truth.evaluationSet.fromTruth);
    expect(truth.evaluationSet.n).toBeGreaterThan(100);
  });

  it('fails the gate when the challenger is worse, with exit code 6 from the CLI', async () => {
    const worse = await call(
      'insights.eval',
      { project, champion: 'v2', challenger: 'v1', metric: 'accuracy', source: 'curated', includeMined: true },
      ctx,
    );
    expect(worse.comparison!.gatePassed).toBe(false);
    expect(worse.comparison!.verdict).toBe('fail');
    expect(worse.comparison!.hi!).toBeLessThan(0);
    const cli = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'bin/flywheel.js'),
        '--db',
        path.join(dir, 'w.db'),
        'eval',
        'sentiment',
        '--champion',
        'v2',
        '--challenger',
        'v1',
        '--source',
        'curated',
        '--gate-on-mined',
        '--gate',
      ],
      { encoding: 'utf8' },
    );
    expect(cli.stdout).toMatch(/gate \(margin 0.01\): FAILED/);
    expect(cli.status).toBe(6);
  });

  it('refuses a project without curated labels', async () => {
    const e = await failure(call('insights.eval', { project: { project: 'spam' }, source: 'curated' }, ctx));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe(
      "project 'spam' has no curated labels under schema v1 to evaluate on (it has imported ground truth: --source truth)",
    );
  });
});

describe('drift', () => {
  it('measures PSI and KS of scores and features between two windows, and between two runs', async () => {
    const day = (d: number) => Date.UTC(2026, 8, d);
    const w = await call(
      'insights.drift',
      { project, reference: { from: day(1), to: day(15) }, current: { from: day(20), to: day(40) } },
      ctx,
    );
    expect(w.mode).toBe('windows');
    expect(w.rows.map((r) => r.quantity).slice(0, 3)).toEqual(['score:negative', 'score:neutral', 'score:positive']);
    expect(w.rows.filter((r) => r.quantity.startsWith('feature:')).length).toBe(32);
    for (const r of w.rows) {
      expect(r.psi).toBeGreaterThanOrEqual(0);
      expect(r.level).toBe(r.psi! >= 0.2 || r.ks! >= 0.2 ? 'alert' : r.psi! >= 0.1 || r.ks! >= 0.1 ? 'warn' : 'ok');
    }
    const runs = await call('insights.drift', { project, runs: ['v1', 'v2'] }, ctx);
    expect(runs.mode).toBe('runs');
    expect(runs.rows).toHaveLength(3);
    const empty = await failure(
      call(
        'insights.drift',
        {
          project,
          reference: { from: day(1), to: day(2) },
          current: { from: Date.UTC(2030, 0, 1), to: Date.UTC(2030, 1, 1) },
        },
        ctx,
      ),
    );
    expect(empty.message).toMatch(/the current window 2030-01-01T00:00Z – 2030-02-01T00:00Z holds no scored examples/);
    const neither = await failure(call('insights.drift', { project }, ctx));
    expect(neither.code).toBe('invalid-input');
  });

  it("measures how far model runs agree, and `flywheel stats` shows it with each run's score distribution", async () => {
    const [pair] = await call('insights.runAgreement', { project }, ctx);
    // The same figures straight from the stored score blobs.
    const db = new Database(path.join(dir, 'w.db'), { readonly: true });
    const rows = db
      .prepare(
        `SELECT a.scores AS a, b.scores AS b FROM predictions a
           JOIN model_runs ma ON ma.id = a.model_run_id AND ma.model_version = 'v1'
           JOIN predictions b ON b.example_id = a.example_id
           JOIN model_runs mb ON mb.id = b.model_run_id AND mb.model_version = 'v2'`,
      )
      .all() as { a: Buffer; b: Buffer }[];
    db.close();
    const floats = (blob: Buffer) =>
      Array.from(new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)));
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    let agree = 0;
    let delta = 0;
    for (const r of rows) {
      const [a, b] = [floats(r.a), floats(r.b)];
      if (argmax(a) === argmax(b)) agree++;
      delta += a.reduce((s, x, c) => s + Math.abs(x - b[c]!), 0) / a.length;
    }
    expect(pair).toMatchObject({ a: 'sentiment-clf@v1', b: 'sentiment-clf@v2', examples: rows.length });
    expect(pair!.labelAgreement).toBeCloseTo(agree / rows.length, 9);
    expect(pair!.meanAbsDelta).toBeCloseTo(delta / rows.length, 5);
    const cli = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin/flywheel.js'), '--db', path.join(dir, 'w.db'), 'stats', 'sentiment'],
      {
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(
      /score distribution \(top-class probability, 10 bins over 0 → 1\)\n\s+[ ▁▂▃▄▅▆▇█]{10} {2}sentiment-clf@v1/,
    );
    const pct = (100 * agree) / rows.length;
    expect(cli.stdout).toContain(`sentiment-clf@v1 vs sentiment-clf@v2: ${pct.toFixed(1)}% · `);
  });
});
