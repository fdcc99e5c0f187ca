// The counts shown everywhere come from per-import tallies; they must equal what the tables hold.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../core/dispatch';
import {
  importFile,
  makeTempDir,
  openContext,
  removeDir,
  sentimentMapping,
  sentimentRow,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';

let dir: string;
let ctx: TestContext;

beforeAll(async () => {
  dir = makeTempDir('project-stats');
  ctx = openContext(dir);
  const rows = (from: number, to: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
    Array.from({ length: to - from }, (_, k) => sentimentRow(from + k, extra(from + k)));
  const truth = (i: number) => (i % 4 === 0 ? { label: ['negative', 'neutral', 'positive'][i % 3] } : {});
  const mapping = sentimentMapping({ groundTruth: 'label' });
  // v1 over 0..999 (with truth), v2 over 500..1499, v1 again over 900..1099 (overlap), one bad file
  await importFile(ctx, writeJsonl(path.join(dir, 'a.jsonl'), rows(0, 1000, truth)), mapping, { batchRows: 128 });
  await importFile(
    ctx,
    writeJsonl(
      path.join(dir, 'b.jsonl'),
      rows(500, 1500, (i) => ({ ...truth(i), model_version: 'v2' })),
    ),
    mapping,
  );
  await importFile(ctx, writeJsonl(path.join(dir, 'c.jsonl'), rows(900, 1100, truth)), mapping);
  const bad = [...rows(2000, 2100), { ...sentimentRow(2100), scores: [2, 0, 0] }];
  await importFile(ctx, writeJsonl(path.join(dir, 'd.jsonl'), bad), mapping, { strict: true });
});

afterAll(async () => {
  await ctx.dispose();
  removeDir(dir);
});

describe('project stats', () => {
  it('match the tables after imports, overlaps and a failed strict import', async () => {
    const stats = await call('projects.stats', { project: 'p' }, ctx);
    const db = ctx.store.db;
    const one = (sql: string) => db.prepare(sql).pluck().get() as number;
    expect(stats.counts.examples).toBe(one('SELECT count(*) FROM examples'));
    expect(stats.counts.examples).toBe(1500);
    expect(stats.counts.predictions).toBe(one('SELECT count(*) FROM predictions'));
    expect(stats.counts.predictions).toBe(1100 + 1000);
    expect(stats.counts.groundTruth).toBe(one('SELECT count(*) FROM examples WHERE ground_truth IS NOT NULL'));
    expect(stats.counts.modelRuns).toBe(2);
    expect(stats.timeRange).toEqual({
      from: one('SELECT min(ts) FROM examples'),
      to: one('SELECT max(ts) FROM examples'),
    });
    const truth = db
      .prepare('SELECT ground_truth AS g, count(*) AS n FROM examples WHERE ground_truth IS NOT NULL GROUP BY g')
      .all() as {
      g: string;
      n: number;
    }[];
    expect(stats.groundTruthCounts).toEqual(Object.fromEntries(truth.map((t) => [t.g, t.n])));
    for (const run of stats.modelRuns) {
      const byClass = db
        .prepare('SELECT predicted, count(*) AS n FROM predictions WHERE model_run_id = ? GROUP BY predicted')
        .all(run.id) as { predicted: number; n: number }[];
      expect(run.predictedCounts).toEqual(
        Object.fromEntries(byClass.map((b) => [stats.project.classes[b.predicted], b.n])),
      );
    }
  });
});
