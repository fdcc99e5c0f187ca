// Drift that attributes, end to end on imported logs: the traffic moved (channel), one run's scores
// moved and the other's did not, and the labeled spam rate rose; the summary says which is which.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importFile,
  makeTempDir,
  openContext,
  removeDir,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import { psi } from '../../../shared/features/insights';
import type { ImportMappingInput } from '../../../shared/features/import/mapping';
import { call } from '../../core/dispatch';

const ROOT = path.resolve(__dirname, '../../../..');
let dir: string;
let ctx: TestContext;
const project = { project: 'mail' };
const SEP = Date.UTC(2026, 8, 1, 7, 30);
const OCT = Date.UTC(2026, 9, 1, 7, 30);
const HOUR = 3_600_000;

/**
 * 200 examples each in September and October. P(spam) of v1 is 0.05, 0.15, …, 0.95 by i % 10 in both
 * months; v2 gives the same in September and 0.2 more (at most 0.99) in October. Channel: email on
 * half of September, 80% of October; lang: en throughout. Spam is 20% of September (i % 5 = 0) and
 * 30% of October (i % 10 < 3).
 */
const base = (i: number) => 0.05 + 0.1 * (i % 10);
const score = (v: 'v1' | 'v2', month: 'sep' | 'oct', i: number) =>
  v === 'v2' && month === 'oct' ? Math.min(0.99, base(i) + 0.2) : base(i);

function rows(v: 'v1' | 'v2') {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < 200; i++) {
    out.push({
      id: `s${i}`,
      ts: SEP + i * HOUR,
      text: `mail ${i}`,
      p_spam: score(v, 'sep', i),
      model: 'filter',
      model_version: v,
      truth: i % 5 === 0 ? 'spam' : 'ham',
      channel: i % 2 === 0 ? 'email' : 'web',
      lang: 'en',
    });
    out.push({
      id: `o${i}`,
      ts: OCT + i * HOUR,
      text: `mail o${i}`,
      p_spam: score(v, 'oct', i),
      model: 'filter',
      model_version: v,
      truth: i % 10 < 3 ? 'spam' : 'ham',
      channel: i % 5 === 0 ? 'web' : 'email',
      lang: 'en',
    });
  }
  return out;
}

const mapping: ImportMappingInput = {
  id: 'id',
  inputKind: 'text',
  text: 'text',
  timestamp: { field: 'ts', unit: 'ms' },
  taskType: 'binary',
  classes: ['ham', 'spam'],
  scores: { kind: 'columns', columns: ['p_spam'] },
  scoreTransform: 'none',
  groundTruth: 'truth',
  model: { nameField: 'model', versionField: 'model_version' },
  metadata: ['channel', 'lang'],
  sumTolerance: 0.01,
};

const windows = {
  reference: { from: Date.UTC(2026, 8, 1), to: Date.UTC(2026, 8, 15) },
  current: { from: Date.UTC(2026, 9, 1), to: Date.UTC(2026, 9, 15) },
};

beforeAll(async () => {
  dir = makeTempDir('drift-attribution');
  ctx = openContext(dir);
  for (const v of ['v1', 'v2'] as const) {
    const { status } = await importFile(ctx, writeJsonl(path.join(dir, `${v}.jsonl`), rows(v)), mapping, {
      project: 'mail',
    });
    expect(status.error).toBeUndefined();
  }
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

describe('drift that attributes', () => {
  it('separates traffic, model and prior shift, and says which moved', async () => {
    const r = await call('insights.drift', { project, ...windows }, ctx);
    // traffic: channel 50/50 → 80/20 is 0.3·ln 1.6 + 0.3·ln 2.5; lang did not move
    const channel = r.traffic!.movers.find((m) => m.quantity === 'metadata:channel')!;
    expect(channel.psi).toBeCloseTo(0.3 * Math.log(1.6) + 0.3 * Math.log(2.5), 10);
    expect(channel.level).toBe('alert');
    expect(r.traffic!.movers.map((m) => m.quantity)).toEqual(['metadata:channel', 'metadata:lang']);
    expect(r.traffic!.movers[1]!.psi).toBe(0);
    // model shift: v1's scores are the same multiset in both months, v2's moved (scores stored as float32)
    const [v1, v2] = r.modelShift.runs;
    expect(v1).toMatchObject({ run: 'filter@v1', psi: 0, level: 'ok', reference: 200, current: 200 });
    const f32 = (month: 'sep' | 'oct') =>
      Float64Array.from({ length: 200 }, (_, i) => Math.fround(score('v2', month, i)));
    expect(v2!.psi).toBeCloseTo(psi(f32('sep'), f32('oct'))!, 10);
    expect(v2!.level).toBe('alert');
    // run against run in October: |Δp| 0.2 on eight in ten, 0.14 (0.85 → 0.99) and 0.04 (0.95 → 0.99)
    // on the others; labels flip at 0.35 and 0.45
    const pair = r.modelShift.pairs[0]!;
    expect(pair).toMatchObject({ a: 'filter@v1', b: 'filter@v2', examples: 200 });
    expect(pair.meanAbsDelta!).toBeCloseTo((8 * 0.2 + 0.14 + 0.04) / 10, 6);
    expect(pair.flipRate).toBeCloseTo(0.2, 12);
    // prior shift: labeled spam 20% → 30%; predicted: v1 50% both months, v2 50% then 70%
    const [sep, oct] = r.priorShift!.windows;
    expect(r.priorShift!.className).toBe('spam');
    expect(sep).toMatchObject({ labeled: 200, labeledRate: 0.2, label: '2026-09-01T00:00Z – 2026-09-15T00:00Z' });
    expect(oct!.labeledRate).toBeCloseTo(0.3, 12);
    expect(oct!.predicted.map((p) => [p.run, p.rate])).toEqual([
      ['filter@v1', 0.5],
      ['filter@v2', 0.7],
    ]);
    expect(r.summary).toBe(
      `Traffic moved (top: channel); filter@v2's scores moved more than filter@v1's (PSI ${v2!.psi!.toFixed(2)} vs 0.00); ` +
        'the labeled spam rate rose from 20% to 30% while filter@v2 predicts 70%',
    );
    expect(r.reference).toBe('filter@v2 2026-09-01T00:00Z – 2026-09-15T00:00Z');
  });

  it('flywheel drift prints the summary and top movers; --all prints every row', () => {
    const run = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'bin/flywheel.js'),
          '--db',
          path.join(dir, 'w.db'),
          'drift',
          'mail',
          '--reference',
          '2026-09-01..2026-09-15',
          '--current',
          '2026-10-01..2026-10-15',
          ...extra,
        ],
        { encoding: 'utf8' },
      );
    const short = run();
    expect(short.status, short.stderr).toBe(0);
    expect(short.stdout.split('\n')[1]).toMatch(/^Traffic moved \(top: channel\); filter@v2's scores moved more/);
    expect(short.stdout).toContain('metadata:channel');
    expect(short.stdout).not.toContain('Every row');
    expect(short.stdout.split('\n').length).toBeLessThan(30);
    const all = run('--all');
    expect(all.stdout).toContain('Every row');
    expect(all.stdout).toMatch(/score:spam/);
  });
});
