// The quality gate end to end: ground truth beside curated labels, a time window, partial coverage,
// the non-inferiority verdict and the CLI's exit codes, on a real database built by real imports.
import { spawnSync } from 'node:child_process';
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
import { FRAUD_CLASSES, fraudMapping, fraudRows, HOUR, OCT } from '../../../../test/helpers/fraud-log';
import { call } from '../../core/dispatch';

const ROOT = path.resolve(__dirname, '../../../..');
let dir: string;
let ctx: TestContext;
const project = { project: 'fraud' };
const CLASSES = FRAUD_CLASSES;
const mapping = fraudMapping();
const rows = fraudRows;

function cli(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), '--db', path.join(dir, 'w.db'), ...args], {
    encoding: 'utf8',
  });
}

beforeAll(async () => {
  dir = makeTempDir('eval-gate');
  ctx = openContext(dir);
  for (const v of ['v1', 'v2', 'v3'] as const) {
    const { status } = await importFile(ctx, writeJsonl(path.join(dir, `${v}.jsonl`), rows(v)), mapping, {
      project: 'fraud',
    });
    expect(status.error).toBeUndefined();
  }
  for (let i = 0; i < 120; i++) {
    await call(
      'labels.record',
      { project, externalId: `s${i}`, annotator: 'ana', schemaVersion: 1, action: 'label', labels: [CLASSES[i % 2]!] },
      ctx,
    );
  }
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

const v1v2 = { project, champion: 'v1', challenger: 'v2', metric: 'accuracy' } as const;

describe('the quality gate', () => {
  it('reproduces the trap: curated labels say v2 is better, the newest ground truth says it is worse', async () => {
    // What eval judged on before: curated labels only, where v2 looks far better.
    const curated = await call('insights.eval', { ...v1v2, source: 'curated' }, ctx);
    expect(curated.evaluationSet).toMatchObject({ source: 'curated', n: 120, fromCurated: 120, fromTruth: 0 });
    expect(curated.comparison!.diff!).toBeGreaterThan(0.1);
    expect(curated.comparison!.verdict).toBe('pass');

    // The default is now the ground truth, and on it v2 fails.
    const r = await call('insights.eval', v1v2, ctx);
    expect(r.evaluationSet).toMatchObject({
      source: 'truth',
      sourceReason: 'default: the project has imported ground truth for 70 examples',
      n: 70,
      fromTruth: 70,
      fromCurated: 0,
      both: 10,
      disagreeing: 3,
      from: null,
      to: null,
    });
    const c = r.comparison!;
    expect(c).toMatchObject({ champion: 'fraud-clf@v1', challenger: 'fraud-clf@v2', n: 70, verdict: 'fail' });
    expect(c.gatePassed).toBe(false);
    expect(c.checks.map((x) => [x.kind, x.name])).toEqual([
      ['primary', 'accuracy'],
      ['recall', 'legit'],
      ['recall', 'fraud'],
    ]);
    // accuracy: v1 errs on 4 in October + 2 + 3 in September (i = 0, 7 alone; 1, 2, 3 with v2), v2 on 16 + 3
    expect(c.diff!).toBeCloseTo((70 - 19) / 70 - (70 - 9) / 70, 12);
    // McNemar: v1 alone right on v2's 16 October errors; v2 alone right on v1's 4 October errors and
    // September 0 and 7: 2 · P(X ≤ 6), X ~ Bin(22, ½) = 2 · 35,443 / 4,194,304
    expect(c.mcnemar).toMatchObject({ championOnly: 16, challengerOnly: 6 });
    expect(c.mcnemar.pValue).toBeCloseTo((2 * (1 + 22 + 231 + 1540 + 7315 + 26334 + 74613)) / 2 ** 22, 12);

    // October, the newest traffic: v1 errs on 4 of 60, v2 on 16
    const oct = await call('insights.eval', { ...v1v2, from: '2026-10-01', to: '2026-11-01' }, ctx);
    expect(oct.evaluationSet).toMatchObject({
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
      n: 60,
      excluded: { outsideWindow: 10, noTimestamp: 0 },
    });
    expect(oct.runs[0]!.all.accuracy).toBeCloseTo(56 / 60, 12);
    expect(oct.runs[1]!.all.accuracy).toBeCloseTo(44 / 60, 12);
    expect(oct.comparison!.verdict).toBe('fail');
  });

  it('fails a worse challenger whose wide interval the old rule (fail only if hi < −margin) passed', async () => {
    const late = await call('insights.eval', { ...v1v2, from: '2026-10-16', to: '2026-11-01' }, ctx);
    const c = late.comparison!;
    expect(late.evaluationSet.n).toBe(30);
    expect(c.diff!).toBeCloseTo(-2 / 30, 12);
    expect(c.hi!).toBeGreaterThanOrEqual(-c.margin); // the old gate: passed
    expect(c.lo!).toBeLessThan(-c.margin);
    expect(c.verdict).toBe('fail');
    expect(c.reason).toMatch(/^failed: accuracy: 95% CI -0\.\d+ to 0\.\d+: the lower bound is below −0.01/);
  });

  it('says insufficient evidence on too few examples, with exit code 7 from the CLI', async () => {
    const r = await call('insights.eval', { ...v1v2, from: '2026-10-25', to: '2026-11-01' }, ctx);
    expect(r.evaluationSet.n).toBe(12);
    expect(r.comparison).toMatchObject({ verdict: 'insufficient', gatePassed: false });
    expect(r.comparison!.reason).toMatch(
      /insufficient evidence: accuracy: 12 common examples; the gate needs at least 30/,
    );
    const out = cli(
      'eval',
      'fraud',
      '--champion',
      'v1',
      '--challenger',
      'v2',
      '--metric',
      'accuracy',
      '--from',
      '2026-10-25',
      '--gate',
    );
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/gate \(margin 0.01\): INSUFFICIENT EVIDENCE/);
    expect(out.stdout).toMatch(/window 2026-10-25T00:00:00.000Z – … \(to excluded\)/);
    expect(out.status).toBe(7);
  });

  it('fails with exit 6 from the CLI and carries the whole verdict in --json', async () => {
    const out = cli('eval', 'fraud', '--champion', 'v1', '--challenger', 'v2', '--metric', 'accuracy', '--gate');
    expect(out.stdout).toMatch(
      /Evaluation set: imported ground truth \(default: the project has imported ground truth for 70 examples\)/,
    );
    expect(out.stdout).toMatch(/FAILED\s+accuracy\s+n=70/);
    expect(out.stdout).toMatch(/McNemar exact test/);
    expect(out.stdout).toMatch(/gate \(margin 0.01\): FAILED/);
    expect(out.status).toBe(6);
    const json = cli('--json', 'eval', 'fraud', '--champion', 'v1', '--challenger', 'v2', '--source', 'both', '--gate');
    const r = JSON.parse(json.stdout) as {
      evaluationSet: Record<string, unknown>;
      comparison: Record<string, unknown>;
    };
    expect(r.evaluationSet).toMatchObject({ source: 'both', n: 180, fromCurated: 120, fromTruth: 60, both: 10 });
    expect(r.comparison).toMatchObject({ metric: 'macroF1', margin: 0.01, recallMargin: 0.05, samples: 1000, seed: 1 });
    expect(Object.keys(r.comparison)).toEqual(
      expect.arrayContaining(['checks', 'mcnemar', 'verdict', 'reason', 'coverage']),
    );
    expect(cli('eval', 'fraud', '--source', 'labels').status).toBe(2);
    expect(cli('eval', 'fraud', '--metric', 'f2').status).toBe(2);
  });

  it('gives every difference between the runs its paired interval, per class too, in the API, --json and the CLI', async () => {
    const r = await call('insights.eval', { ...v1v2, from: '2026-10-01' }, ctx);
    const c = r.comparison!;
    expect(c.differences.map((d) => (d.class ? `${d.metric} ${d.class}` : d.metric))).toEqual([
      'accuracy',
      'macroF1',
      'rocAuc',
      'prAuc',
      'logLoss',
      'brier',
      'precision legit',
      'recall legit',
      'f1 legit',
      'precision fraud',
      'recall fraud',
      'f1 fraud',
    ]);
    const v1 = r.runs[0]!.all;
    const v2 = r.runs[1]!.all;
    const row = (metric: string, cls: string | null = null) =>
      c.differences.find((d) => d.metric === metric && d.class === cls)!;
    // the same numbers as the two reports, and the gate's own interval for its metric and recalls
    expect(row('logLoss').diff).toBeCloseTo(v2.logLoss! - v1.logLoss!, 12);
    expect(row('precision', 'fraud').diff).toBeCloseTo(v2.perClass[1]!.precision! - v1.perClass[1]!.precision!, 12);
    expect(row('accuracy')).toMatchObject({ lo: c.lo, hi: c.hi, samples: 1000 });
    expect(row('recall', 'fraud')).toMatchObject({ lo: c.checks[2]!.lo, hi: c.checks[2]!.hi });
    for (const d of c.differences) {
      expect(d.lo!).toBeLessThanOrEqual(d.diff!);
      expect(d.hi!).toBeGreaterThanOrEqual(d.diff!);
    }
    expect(row('brier').higherIsBetter).toBe(false);
    const again = await call('insights.eval', { ...v1v2, from: '2026-10-01' }, ctx);
    expect(again.comparison!.differences).toEqual(c.differences);
    const out = cli('eval', 'fraud', '--champion', 'v1', '--challenger', 'v2', '--from', '2026-10-01');
    expect(out.stdout).toContain('every difference, challenger − champion');
    expect(out.stdout).toMatch(/ {4}F1 fraud +[\d.]+ vs [\d.]+, difference -?[\d.]+ \(-?[\d.]+ to -?[\d.]+\)/);
    const json = JSON.parse(
      cli('--json', 'eval', 'fraud', '--champion', 'v1', '--challenger', 'v2', '--from', '2026-10-01').stdout,
    ) as {
      comparison: { differences: unknown[] };
    };
    expect(json.comparison.differences).toEqual(c.differences);
  });

  it('judges on the examples both runs scored and says so', async () => {
    const r = await call('insights.eval', { ...v1v2, challenger: 'v3', from: '2026-10-01' }, ctx);
    const v3 = r.runs.find((x) => x.name === 'fraud-clf@v3')!;
    expect(v3.coverage).toEqual({ scored: 40, of: 60 });
    expect(r.comparison).toMatchObject({ n: 40, coverage: { champion: 60, challenger: 40, of: 60 } });
    expect(r.notes).toContain('fraud-clf@v3 scored 40 of the 60 examples; its report rests on those');
    expect(r.notes).toContain(
      'the comparison rests on the 40 of 60 examples both runs scored (fraud-clf@v1: 60, fraud-clf@v3: 40)',
    );
  });

  it('reports calibration on P(positive) and the predicted against the labeled positive rate', async () => {
    const r = await call('insights.eval', { ...v1v2, from: '2026-10-01' }, ctx);
    const v2 = r.runs[1]!.all;
    expect(v2.reliabilityBasis).toBe('positive');
    // the bins hold every example once
    expect(v2.reliability.reduce((s, b) => s + b.count, 0)).toBe(60);
    expect(v2.positiveRate!.labeled).toBe(0.5);
    const predictedFraud = v2.perClass[1]!.predicted;
    expect(v2.positiveRate!.predicted).toBeCloseTo(predictedFraud / 60, 12);
    // binned P(positive) ECE: bin 0.8 holds the predicted frauds, bin 0.2 the rest
    const hi = v2.reliability.find((b) => b.count > 0 && b.lo >= 0.5)!;
    const lo = v2.reliability.find((b) => b.count > 0 && b.lo < 0.5)!;
    const expected = (hi.count / 60) * Math.abs(hi.observed! - 0.8) + (lo.count / 60) * Math.abs(lo.observed! - 0.2);
    expect(v2.ece).toBeCloseTo(expected, 6);
    expect(v2.perClass[1]!.ece).toBe(v2.ece); // binary: the positive class's one-vs-rest ECE
    expect(v2.topLabelEce).not.toBeNull();
  });

  it('refuses bad input with a clear error', async () => {
    const same = await failure(call('insights.eval', { project, champion: 'v2', challenger: 'v2' }, ctx));
    expect(same.code).toBe('invalid-input');
    expect(same.message).toBe('champion and challenger are the same model run (fraud-clf@v2): name two different runs');
    const metric = await failure(call('insights.eval', { project, metric: 'f2' as 'accuracy' }, ctx));
    expect(metric.code).toBe('invalid-input');
    expect(metric.message).toMatch(/metric/);
    const empty = await failure(call('insights.eval', { project, from: '2030-01-01' }, ctx));
    expect(empty.code).toBe('conflict');
    expect(empty.message).toBe(
      "project 'fraud' has no imported ground truth in 2030-01-01T00:00:00.000Z – … to evaluate on (it has curated labels: --source curated)",
    );
    const backwards = await failure(call('insights.eval', { project, from: '2026-10-02', to: '2026-10-01' }, ctx));
    expect(backwards.code).toBe('invalid-input');
    expect(backwards.message).toMatch(/from must be before to/);
    const notDate = await failure(call('insights.eval', { project, from: 'last week' }, ctx));
    expect(notDate.message).toMatch(/not a date/);
  });

  it('maps ground truth through label schema versions like curated labels', async () => {
    const [v1] = await call('labels.versions', project, ctx);
    await call(
      'labels.create',
      {
        project,
        draft: {
          labels: [v1!.labels[0]!, { ...v1!.labels[1]!, id: 'scam', name: 'Scam' }],
          guidelines: '',
          changeNote: 'fraud is now scam',
          mappingFromPrevious: [{ kind: 'rename', from: 'fraud', to: 'scam' }],
        },
      },
      ctx,
    );
    const renamed = await call('insights.eval', { ...v1v2, from: '2026-10-01' }, ctx);
    expect(renamed.schemaVersion).toBe(2);
    expect(renamed.labels).toEqual(['legit', 'scam']);
    expect(renamed.evaluationSet).toMatchObject({ n: 60, excluded: { truthUnmapped: 0 } });
    expect(renamed.runs[1]!.all.accuracy).toBeCloseTo(44 / 60, 12);
  });

  it('leaves out ground truth whose class the schema split, and says how much', async () => {
    const three: ImportMappingInput = {
      ...mapping,
      taskType: 'multiclass',
      classes: ['low', 'mid', 'high'],
      scores: { kind: 'vector', field: 'scores' },
    };
    const file = writeJsonl(
      path.join(dir, 'tiers.jsonl'),
      Array.from({ length: 45 }, (_, i) => ({
        id: `t${i}`,
        ts: OCT + i * HOUR,
        text: `tier ${i}`,
        scores: [0, 1, 2].map((c) => (c === i % 3 ? 0.8 : 0.1)),
        model: 'tiers',
        model_version: 'v1',
        truth: ['low', 'mid', 'high'][i % 3],
      })),
    );
    expect((await importFile(ctx, file, three, { project: 'tiers' })).status.error).toBeUndefined();
    const tiers = { project: 'tiers' };
    const [v1] = await call('labels.versions', tiers, ctx);
    await call(
      'labels.create',
      {
        project: tiers,
        draft: {
          labels: [
            v1!.labels[0]!,
            v1!.labels[1]!,
            { ...v1!.labels[2]!, id: 'high-a', name: 'High A' },
            { ...v1!.labels[2]!, id: 'high-b', name: 'High B', hotkey: null },
          ],
          guidelines: '',
          changeNote: 'high split in two',
          mappingFromPrevious: [{ kind: 'split', from: 'high', to: ['high-a', 'high-b'] }],
        },
      },
      ctx,
    );
    const split = await call('insights.eval', { project: tiers }, ctx);
    expect(split.evaluationSet).toMatchObject({ source: 'truth', n: 30, excluded: { truthUnmapped: 15 } });
    expect(split.notes).toContain('15 ground-truth labels name no class under schema v2 and are left out');
    expect(split.runs[0]!.all.accuracy).toBe(1);
    const before = await call('insights.eval', { project: tiers, schemaVersion: 1 }, ctx);
    expect(before.evaluationSet).toMatchObject({ n: 45, excluded: { truthUnmapped: 0 } });
  });
});
