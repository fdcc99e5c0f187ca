import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { makeTempDir, openContext, removeDir, type TestContext } from '../../../../test/helpers/import-fixtures';
import { loadDemo } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';
import { textShingles, jaccard } from '../../../shared/features/mining';

let dir: string;
let ctx: TestContext;
const sentiment = { project: 'sentiment' };

beforeAll(async () => {
  dir = makeTempDir('mining');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 4000);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

function sql<T>(query: string, ...params: unknown[]): T[] {
  const db = new Database(path.join(dir, 'w.db'), { readonly: true });
  try {
    return db.prepare(query).all(...params) as T[];
  } finally {
    db.close();
  }
}

describe('mining', () => {
  it('refuses a project without predictions, and a two-run strategy on one run', async () => {
    await call(
      'projects.create',
      { name: 'empty', taskType: 'binary', inputKind: 'text', classes: ['no', 'yes'] },
      ctx,
    );
    const none = await failure(
      call('mining.run', { project: { project: 'empty' }, strategy: { strategy: 'entropy' } }, ctx),
    );
    expect(none.code).toBe('conflict');
    expect(none.message).toMatch(/'empty' has no predictions to mine yet/);
    const one = await failure(
      call(
        'mining.run',
        {
          project: { project: 'spam' },
          strategy: { strategy: 'disagreement', measure: 'label-flip' },
          modelRuns: ['spam-filter@v3'],
        },
        ctx,
      ),
    );
    expect(one.code).toBe('invalid-input');
    expect(one.message).toMatch(/compares exactly 2 model runs; got 1/);
    const threshold = await failure(
      call('mining.run', { project: sentiment, strategy: { strategy: 'threshold', threshold: 0.3 } }, ctx),
    );
    expect(threshold.message).toMatch(/needs a binary project/);
    const unknownRun = await failure(
      call('mining.run', { project: sentiment, strategy: { strategy: 'entropy' }, modelRuns: ['nope@v9'] }, ctx),
    );
    expect(unknownRun.code).toBe('not-found');
  });

  it('queues the top entropy items with reasons, records the run, and merges a re-run without duplicates', async () => {
    const first = await call('mining.run', { project: sentiment, strategy: { strategy: 'entropy' }, limit: 50 }, ctx);
    expect(first).toMatchObject({ selected: 50, added: 50, scanned: 4000 });
    expect(first.top[0]!.reason).toMatch(/^entropy \d\.\d\d \(max 1\)$/);
    // Each top item and each listed queue item carries the start of its text, to read at a glance.
    const texts = new Map(
      sql<{ external_id: string; text: string }>('SELECT external_id, text FROM examples').map((r) => [
        r.external_id,
        r.text,
      ]),
    );
    for (const t of first.top) expect(t.snippet).toBe(texts.get(t.externalId)!.slice(0, 200));
    const listed = await call('queue.list', { project: sentiment, limit: 5 }, ctx);
    for (const q of listed) expect(q.snippet).toBe(texts.get(q.externalId)!.slice(0, 200));
    const priorities = first.top.map((t) => t.priority);
    expect([...priorities].sort((a, b) => b - a)).toEqual(priorities);
    const again = await call('mining.run', { project: sentiment, strategy: { strategy: 'entropy' }, limit: 50 }, ctx);
    expect(again.added).toBe(0);
    expect(again.alreadyQueued + again.updated).toBe(50);
    const rows = sql<{ n: number; d: number }>(
      'SELECT count(*) AS n, count(DISTINCT example_id) AS d FROM queue_items WHERE project_id = (SELECT id FROM projects WHERE name = ?)',
      'sentiment',
    );
    expect(rows[0]).toEqual({ n: 50, d: 50 });
    const runs = await call('mining.runs', sentiment, ctx);
    expect(runs[0]).toMatchObject({ strategy: 'entropy', itemsAdded: 0, params: { limit: 50 } });
    expect(runs[1]).toMatchObject({ strategy: 'entropy', itemsAdded: 50 });
  });

  it('ranks two-run disagreement with label flips first and says which models disagree', async () => {
    const r = await call(
      'mining.run',
      { project: sentiment, strategy: { strategy: 'disagreement', measure: 'label-flip' }, limit: 40 },
      ctx,
    );
    expect(r.modelRuns.map((m) => m.name)).toEqual(['sentiment-clf@v1', 'sentiment-clf@v2']);
    expect(r.top[0]!.reason).toMatch(/^models v1\/v2 disagree: \w+ vs \w+ \(mean \|Δp\| \d\.\d\d\)$/);
    expect(r.top[0]!.priority).toBeGreaterThan(1);
  });

  it('applies the time window, predicted-class filter and per-class quota', async () => {
    const from = Date.UTC(2026, 8, 10);
    const to = Date.UTC(2026, 8, 20);
    const r = await call(
      'mining.run',
      {
        project: sentiment,
        strategy: { strategy: 'margin' },
        filters: { from, to, predictedClasses: ['negative', 'positive'] },
        perClassQuota: 5,
        limit: 30,
        controlShare: 0,
      },
      ctx,
    );
    expect(r.selected).toBe(10);
    expect(r.suppressedByQuota).toBeGreaterThan(0);
    const items = sql<{ ts: number; predicted: number }>(
      `SELECT e.ts, p.predicted FROM queue_items q JOIN examples e ON e.id = q.example_id
       JOIN predictions p ON p.example_id = e.id AND p.model_run_id = ? WHERE q.mining_run_id = ?`,
      (await call('mining.runs', sentiment, ctx))[0]!.modelRuns[0],
      r.miningRunId,
    );
    expect(items).toHaveLength(10);
    for (const i of items) {
      expect(i.ts).toBeGreaterThanOrEqual(from);
      expect(i.ts).toBeLessThan(to);
      expect([0, 2]).toContain(i.predicted);
    }
  });

  it('suppresses near-duplicate texts in what it queues when asked', async () => {
    const r = await call(
      'mining.run',
      { project: { project: 'spam' }, strategy: { strategy: 'random', seed: 7 }, limit: 1500, dedupe: true },
      ctx,
    );
    expect(r.suppressedDuplicates).toBeGreaterThan(0);
    const texts = sql<{ text: string }>(
      'SELECT e.text FROM queue_items q JOIN examples e ON e.id = q.example_id WHERE q.mining_run_id = ?',
      r.miningRunId,
    ).map((t) => textShingles(t.text));
    let near = 0;
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++) if (jaccard(texts[i]!, texts[j]!) >= 0.8) near++;
    expect(near).toBe(0);
    const kept = await call(
      'mining.run',
      { project: { project: 'spam' }, strategy: { strategy: 'random', seed: 8 }, limit: 10, dedupe: false },
      ctx,
    );
    expect(kept.suppressedDuplicates).toBe(0);
  });

  it('keeps the duplicates of a random sample unless asked; other strategies drop them by default', async () => {
    const spam = { project: 'spam' };
    const request = { project: spam, strategy: { strategy: 'random' as const, seed: 11 }, limit: 1500 };
    const random = await call('mining.preview', { ...request, listItems: true }, ctx);
    expect(random.suppressedDuplicates).toBe(0);
    expect(random.items).toHaveLength(random.selected);
    const byId = new Map(
      sql<{ external_id: string; text: string }>(
        "SELECT external_id, text FROM examples WHERE project_id = (SELECT id FROM projects WHERE name = 'spam')",
      ).map((r) => [r.external_id, textShingles(r.text)]),
    );
    const texts = random.items!.map((i) => byId.get(i.externalId)!);
    let near = 0;
    for (let i = 0; i < texts.length && near === 0; i++)
      for (let j = i + 1; j < texts.length; j++) if (jaccard(texts[i]!, texts[j]!) >= 0.8) near++;
    expect(near, 'the random sample holds near-duplicates, as the log does').toBeGreaterThan(0);
    const asked = await call('mining.preview', { ...request, dedupe: true }, ctx);
    expect(asked.suppressedDuplicates).toBeGreaterThan(0);
    const entropy = await call('mining.preview', { ...request, strategy: { strategy: 'entropy' } }, ctx);
    expect(entropy.suppressedDuplicates).toBeGreaterThan(0);
  });

  it('enriches the queue in true model errors compared with the base rate', async () => {
    const base = sql<{ n: number; wrong: number }>(
      `SELECT count(*) AS n, sum(p.predicted != (CASE e.ground_truth WHEN 'negative' THEN 0 WHEN 'neutral' THEN 1 ELSE 2 END)) AS wrong
       FROM examples e JOIN predictions p ON p.example_id = e.id
       JOIN model_runs m ON m.id = p.model_run_id AND m.model_version = 'v2'
       WHERE e.ground_truth IS NOT NULL AND e.project_id = (SELECT id FROM projects WHERE name = 'sentiment')`,
    )[0]!;
    const mined = await call(
      'mining.run',
      { project: sentiment, strategy: { strategy: 'entropy' }, limit: 400, excludeLabeled: false },
      ctx,
    );
    expect(mined.selected).toBe(400);
    const queued = sql<{ n: number; wrong: number }>(
      `SELECT count(*) AS n, sum(p.predicted != (CASE e.ground_truth WHEN 'negative' THEN 0 WHEN 'neutral' THEN 1 ELSE 2 END)) AS wrong
       FROM queue_items q JOIN examples e ON e.id = q.example_id JOIN predictions p ON p.example_id = e.id
       JOIN model_runs m ON m.id = p.model_run_id AND m.model_version = 'v2'
       WHERE e.ground_truth IS NOT NULL AND q.project_id = e.project_id AND q.status = 'pending'`,
    )[0]!;
    const baseRate = base.wrong / base.n;
    const queueRate = queued.wrong / queued.n;
    console.log(
      `[mining] error rate: queue ${queueRate.toFixed(3)} (${queued.n} with truth) vs base ${baseRate.toFixed(3)} (${base.n})`,
    );
    expect(queueRate).toBeGreaterThan(1.5 * baseRate);
  });

  it('mines confident errors only where ground truth says the model is wrong', async () => {
    const r = await call(
      'mining.run',
      { project: sentiment, strategy: { strategy: 'confident-error' }, limit: 20 },
      ctx,
    );
    expect(r.selected).toBeGreaterThan(0);
    expect(r.controlSample).toBe(2); // 10% of 20
    for (const t of r.top)
      expect(t.reason).toMatch(/^confident error: predicted \w+ at \d\.\d\d, truth \w+$|^random control sample/);
  });

  it('previews what a run would queue without writing: counts, cut-off and a priority histogram', async () => {
    const queued = () => sql<{ n: number }>('SELECT count(*) AS n FROM queue_items')[0]!.n;
    const before = queued();
    const request = { project: sentiment, strategy: { strategy: 'margin' as const }, limit: 30, perClassQuota: 12 };
    const preview = await call('mining.preview', { ...request, bins: 10 }, ctx);
    expect(queued()).toBe(before);
    expect(preview.selected).toBe(30);
    expect(preview.histogram.all).toHaveLength(10);
    expect(preview.histogram.all.reduce((a, b) => a + b, 0)).toBe(preview.eligible);
    // the histogram shows the ranked items; the 3 of the random control sample sit anywhere
    expect(preview.controlSample).toBe(3);
    expect(preview.histogram.selected.reduce((a, b) => a + b, 0)).toBe(27);
    // The selected ones sit in the top bins: none below the bin of the cut-off.
    const width = (preview.histogram.max - preview.histogram.min) / 10;
    const cutBin = Math.min(9, Math.floor((preview.cutoff! - preview.histogram.min) / width));
    expect(preview.histogram.selected.slice(0, cutBin).every((n) => n === 0)).toBe(true);
    const run = await call('mining.run', request, ctx);
    expect(run.selected).toBe(preview.selected);
    expect(run.top.map((t) => t.externalId)).toEqual(preview.top.map((t) => t.externalId));
    expect(run.top.at(-1)!.priority).toBeGreaterThanOrEqual(preview.cutoff!);
  });

  it("gives the queue overview by strategy and by the newest run's predicted class", async () => {
    const overview = await call('queue.overview', sentiment, ctx);
    const total = sql<{ n: number }>(
      "SELECT count(*) AS n FROM queue_items WHERE project_id = (SELECT id FROM projects WHERE name = 'sentiment')",
    )[0]!.n;
    expect(overview.total).toBe(total);
    const sum = (rows: typeof overview.byStrategy) =>
      rows.reduce((s, r) => s + r.counts.pending + r.counts.leased + r.counts.done + r.counts.skipped, 0);
    expect(sum(overview.byStrategy)).toBe(total);
    expect(sum(overview.byClass)).toBe(total);
    expect(overview.byStrategy.map((r) => r.key)).toEqual(
      expect.arrayContaining(['entropy', 'disagreement', 'margin']),
    );
    expect(overview.modelRun).toBe('sentiment-clf@v2');
    for (const r of overview.byClass) expect(['negative', 'neutral', 'positive', '(no prediction)']).toContain(r.key);
  });
});
