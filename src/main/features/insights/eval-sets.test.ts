// Frozen evaluation sets, training lineage and the random control sample, end to end on a real
// database built by real imports: the trap of a challenger judged on its own training data.
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
import { FRAUD_CLASSES, fraudMapping, fraudRows, HOUR, OCT } from '../../../../test/helpers/fraud-log';
import { call } from '../../core/dispatch';

const ROOT = path.resolve(__dirname, '../../../..');
let dir: string;
let ctx: TestContext;
const project = { project: 'fraud' };
const CLASSES = FRAUD_CLASSES;
const mapping = fraudMapping(['channel']);
const rows = fraudRows;

function cli(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), '--db', path.join(dir, 'w.db'), ...args], {
    encoding: 'utf8',
  });
}

function count(sql: string): number {
  const db = new Database(path.join(dir, 'w.db'), { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

const label = (externalId: string, cls: string) =>
  call(
    'labels.record',
    { project, externalId, annotator: 'ana', schemaVersion: 1, action: 'label', labels: [cls] },
    ctx,
  );

beforeAll(async () => {
  dir = makeTempDir('eval-sets');
  ctx = openContext(dir);
  for (const v of ['v1', 'v2'] as const) {
    const { status } = await importFile(ctx, writeJsonl(path.join(dir, `${v}.jsonl`), rows(v)), mapping, {
      project: 'fraud',
    });
    expect(status.error).toBeUndefined();
  }
  for (let i = 0; i < 120; i++) await label(`s${i}`, CLASSES[i % 2]!);
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

const v1v2 = { project, champion: 'v1', challenger: 'v2', metric: 'accuracy' } as const;

describe('evaluation sets', () => {
  it('freezes the examples the filters select, with counts worked out by hand', async () => {
    const oct = await call('evalSets.create', { project, name: 'october', from: '2026-10-01' }, ctx);
    // 120 curated (September, s0–s9 curated over their ground truth) + 60 October ground truth
    expect(oct.summary).toMatchObject({
      n: 60,
      fromTruth: 60,
      fromCurated: 0,
      control: 0,
      excluded: { outsideWindow: 120, noTimestamp: 0, metadata: 0, provenance: 0, unmapped: 0 },
      firstTs: '2026-10-01T00:00:00.000Z',
      lastTs: new Date(OCT + 59 * 12 * HOUR).toISOString(),
    });
    // channel=email in October: j % 3 = 0, 20 of 60
    const email = await call(
      'evalSets.create',
      { project, name: 'october-email', from: '2026-10-01', metadata: { channel: 'email' } },
      ctx,
    );
    expect(email.summary).toMatchObject({ n: 20, excluded: { outsideWindow: 120, metadata: 40 } });
    // only unbiased labels: none of the curated ones came from a control sample; s0–s9 keep their ground truth
    const control = await call('evalSets.create', { project, name: 'unbiased', provenance: 'control' }, ctx);
    expect(control.summary).toMatchObject({ n: 70, fromTruth: 70, fromCurated: 0, excluded: { provenance: 110 } });
    const shown = await call('evalSets.show', { project, name: 'october' }, ctx);
    expect(shown.labels).toEqual({ legit: 30, fraud: 30 });
    expect((await call('evalSets.list', project, ctx)).map((s) => s.name)).toEqual([
      'october',
      'october-email',
      'unbiased',
    ]);
  });

  it('refuses a taken name, an unknown field and an empty set, and stores nothing', async () => {
    const members = count('SELECT count(*) FROM eval_set_examples');
    const taken = await failure(call('evalSets.create', { project, name: 'october' }, ctx));
    expect(taken.code).toBe('conflict');
    expect(taken.message).toMatch(/already has an evaluation set 'october'/);
    const field = await failure(call('evalSets.create', { project, name: 'x', metadata: { chanel: 'email' } }, ctx));
    expect(field.code).toBe('invalid-input');
    expect(field.message).toMatch(/no example of 'fraud' has a metadata field 'chanel'/);
    const empty = await failure(call('evalSets.create', { project, name: 'y', from: '2027-01-01' }, ctx));
    expect(empty.code).toBe('conflict');
    expect(empty.message).toMatch(/would be empty \(180 left out by outsideWindow\)/);
    const unknownKey = await failure(call('evalSets.create', { project, name: 'z', colour: 'red' } as never, ctx));
    expect(unknownKey.code).toBe('invalid-input');
    const mixed = await failure(call('insights.eval', { ...v1v2, evalSet: 'october', source: 'truth' }, ctx));
    expect(mixed.code).toBe('invalid-input');
    const missing = await failure(call('insights.eval', { ...v1v2, evalSet: 'nope' }, ctx));
    expect(missing.code).toBe('not-found');
    expect((await call('evalSets.list', project, ctx)).length).toBe(3);
    expect(count('SELECT count(*) FROM eval_set_examples')).toBe(members);
  });

  it('judges on exactly the frozen labels: a later relabel does not change it', async () => {
    await call('evalSets.create', { project, name: 'sept-curated', source: 'curated' }, ctx);
    await label('s5', 'legit'); // v2 predicts fraud for s5; the curated label followed v2 until now
    const now = await call('insights.eval', { ...v1v2, source: 'curated' }, ctx);
    expect(now.runs[1]!.all.accuracy).toBeCloseTo(119 / 120, 12);
    const frozen = await call('insights.eval', { ...v1v2, evalSet: 'sept-curated' }, ctx);
    expect(frozen.evaluationSet).toMatchObject({ name: 'sept-curated', n: 120, fromCurated: 120 });
    expect(frozen.runs[1]!.all.accuracy).toBe(1);
    expect(frozen.notes[0]).toMatch(
      /^evaluation set 'sept-curated' .*frozen; labels changed since then do not change it$/,
    );
    await label('s5', 'fraud');
  });
});

describe('training lineage', () => {
  it('the naive comparison passes v2; with its lineage recorded the gate fails it and says why', async () => {
    // Curated labels that are v2's own training data: v2 looks far better, and the gate passes.
    const naive = await call('insights.eval', { ...v1v2, source: 'curated' }, ctx);
    expect(naive.comparison!.verdict).toBe('pass');
    expect(naive.notes.some((n) => /no training lineage is recorded for fraud-clf@v1, fraud-clf@v2/.test(n))).toBe(
      true,
    );

    const set = await call('models.setLineage', { project, modelRun: 'v2', trainUntil: '2026-09-06' }, ctx);
    expect(set).toEqual({
      model: 'fraud-clf@v2',
      exportId: null,
      trainUntil: '2026-09-06T00:00:00.000Z',
      trainingExamples: 120, // s0–s119: Sep 1 00:00 to Sep 5 23:00
    });
    const r = await call('insights.eval', { ...v1v2, source: 'both' }, ctx);
    const v2 = r.runs.find((x) => x.name === 'fraud-clf@v2')!;
    expect(v2.training).toEqual({ lineage: 'examples before 2026-09-06T00:00:00.000Z', excluded: 120 });
    expect(v2.all.n).toBe(60);
    expect(r.notes).toContain('fraud-clf@v2 was trained on 120 of these examples; they were left out of its report');
    const c = r.comparison!;
    expect(c.basis).toMatchObject({
      trainingLeftOut: 120,
      lineage: ['fraud-clf@v2 was trained on 120 of these examples; they were left out'],
    });
    // October alone is left: v1 errs on 4 of 60, v2 on 16
    expect(c.n).toBe(60);
    expect(c.diff!).toBeCloseTo(44 / 60 - 56 / 60, 12);
    expect(c.verdict).toBe('fail');
    expect(c.reason).toMatch(/\(fraud-clf@v2 was trained on 120 of these examples; they were left out\)$/);

    // The frozen October set, with the lineage: the same failing verdict.
    const oct = await call('insights.eval', { ...v1v2, evalSet: 'october' }, ctx);
    expect(oct.comparison!.verdict).toBe('fail');
    // The report names the prior shift: predicted vs labeled positive rate per window.
    expect(oct.priorShift).toHaveLength(4);
    expect(oct.priorShift![0]).toMatchObject({ n: 15, labeled: 7 / 15 });
  });

  it('refuses to judge a model whose training data covers every example', async () => {
    await call('models.setLineage', { project, modelRun: 'v2', trainUntil: '2027-01-01' }, ctx);
    const e = await failure(call('insights.eval', { ...v1v2, evalSet: 'october' }, ctx));
    expect(e.code).toBe('conflict');
    expect(e.message).toMatch(/^every one of the 60 examples of the evaluation set is training data of fraud-clf@v2/);
    await call('models.setLineage', { project, modelRun: 'v2', trainUntil: '2026-09-06' }, ctx);
    const bad = await failure(call('models.setLineage', { project, modelRun: 'v2' }, ctx));
    expect(bad.code).toBe('invalid-input');
    const noExport = await failure(call('models.setLineage', { project, modelRun: 'v2', trainedOn: 999 }, ctx));
    expect(noExport.code).toBe('not-found');
  });

  it('takes an export as training data: every split but test, as its manifest counts them', async () => {
    const { jobId } = await call(
      'export.start',
      { project, name: 'train-v1', dir: path.join(dir, 'exports'), format: 'jsonl' },
      ctx,
    );
    const status = await ctx.jobs.wait(jobId);
    expect(status.error).toBeUndefined();
    const exportId = (status.result as { exportId: number }).exportId;
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'exports', 'train-v1', 'manifest.json'), 'utf8')) as {
      counts: Record<string, { rows: number }>;
    };
    const seen = manifest.counts.train!.rows + manifest.counts.validation!.rows;
    expect(seen).toBeGreaterThan(0);
    const r = await call('models.setLineage', { project, modelRun: 'v1', trainedOn: exportId }, ctx);
    expect(r.trainingExamples).toBe(seen);
    // 120 curated September labels and 60 October ground truth; the export holds labeled examples only
    const e = await call('insights.eval', { ...v1v2, source: 'both' }, ctx);
    expect(e.evaluationSet.n).toBe(180);
    expect(e.runs[0]!.training).toEqual({ lineage: `export #${exportId} (all but its test split)`, excluded: seen });
    expect(e.runs[0]!.all.n).toBe(180 - seen);
  });
});

describe('the random control sample', () => {
  it('mixes a uniform sample of the eligible pool into every mining run, tagged on the queue', async () => {
    const r = await call(
      'mining.run',
      { project, strategy: { strategy: 'margin' }, limit: 50, controlShare: 0.2, seed: 3 },
      ctx,
    );
    expect(r.selected).toBe(50);
    expect(r.controlSample).toBe(10);
    const items = await call('queue.list', { project, limit: 100 }, ctx);
    const control = items.filter((i) => i.control);
    expect(control).toHaveLength(10);
    for (const i of control) expect(i.reason).toMatch(/^random control sample \(20% of this run, seed 3\)/);
    expect(count('SELECT count(*) FROM queue_items WHERE control = 1')).toBe(10);
    // the same seed draws the same sample
    const again = await call(
      'mining.preview',
      { project, strategy: { strategy: 'margin' }, limit: 50, controlShare: 0.2, seed: 3, listItems: true },
      ctx,
    );
    expect(again.controlSample).toBe(10);
  });

  it('reports unbiased and mined labels apart; the gate leaves mined ones out unless asked', async () => {
    for (const i of await call('queue.list', { project, limit: 100 }, ctx)) {
      await label(i.externalId, i.externalId.startsWith('o') ? CLASSES[Number(i.externalId.slice(1)) % 2]! : 'legit');
    }
    const r = await call('insights.eval', { ...v1v2, source: 'both', from: '2026-09-06' }, ctx);
    for (const run of r.runs) {
      expect(run.unbiased.n + run.mined.n).toBe(run.all.n);
      expect(run.randomSample.n).toBeGreaterThan(0);
    }
    const c = r.comparison!;
    expect(c.basis.minedLeftOut).toBe(r.runs[0]!.mined.n);
    expect(c.n).toBe(r.runs[0]!.unbiased.n);
    const asked = await call('insights.eval', { ...v1v2, source: 'both', from: '2026-09-06', includeMined: true }, ctx);
    expect(asked.comparison!.n).toBe(r.runs[0]!.all.n);
    expect(asked.comparison!.basis.minedLeftOut).toBe(0);
  });
});

describe('flywheel eval-set and model-run lineage', () => {
  it('creates, lists and shows sets, records lineage and evaluates on a set', () => {
    const created = cli('eval-set', 'create', 'fraud', 'late-oct', '--from', '2026-10-16', '--where', 'channel=sms');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/frozen: later relabels do not change it/);
    expect(created.stdout).toMatch(/late-oct: 20 examples/);
    const taken = cli('eval-set', 'create', 'fraud', 'late-oct');
    expect(taken.status).not.toBe(0);
    expect(taken.stderr).toMatch(/already has an evaluation set 'late-oct'/);
    expect(cli('eval-set', 'list', 'fraud').stdout).toMatch(/^late-oct: 20 examples/m);
    expect(cli('eval-set', 'show', 'fraud', 'late-oct').stdout).toMatch(/labels: /);
    const lineage = cli('model-run', 'lineage', 'fraud', 'fraud-clf@v2', '--train-until', '2026-09-06');
    expect(lineage.status, lineage.stderr).toBe(0);
    expect(lineage.stdout).toMatch(
      /^fraud-clf@v2 was trained on examples before 2026-09-06T00:00:00.000Z: 120 examples/,
    );
    const evaluated = cli('eval', 'fraud', '--eval-set', 'october', '--champion', 'v1', '--challenger', 'v2', '--gate');
    expect(evaluated.stdout).toMatch(/Evaluation set: 'october' \(frozen\)/);
    expect(evaluated.stdout).toMatch(/Positive rate per window/);
    expect(evaluated.status).toBe(6);
  });
});

describe('a mining run that is all control sample', () => {
  it('queues only random control items when the share is 1', async () => {
    const r = await call(
      'mining.run',
      { project, strategy: { strategy: 'entropy' }, limit: 5, controlShare: 1, seed: 9 },
      ctx,
    );
    expect(r.selected).toBe(5);
    expect(r.controlSample).toBe(5);
  });
});
