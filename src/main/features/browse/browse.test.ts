import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import {
  makeTempDir,
  openContext,
  removeDir,
  SENTIMENT,
  storedScores,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import type { Input } from '../../../shared/api/contract';
import { loadDemo } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';

let dir: string;
let ctx: TestContext;
const project = { project: 'sentiment' };

/** The examples as the test reads them itself, straight from the database: the reference. */
interface Ref {
  id: string;
  ts: number;
  text: string;
  channel: string;
  truth: string | null;
  v1: { scores: number[]; predicted: number };
  v2: { scores: number[]; predicted: number };
}
let refs: Ref[];

beforeAll(async () => {
  dir = makeTempDir('browse');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 2000);
  const v1 = storedScores(ctx, 'v1');
  const v2 = storedScores(ctx, 'v2');
  const rows = ctx.store.db
    .prepare(
      `SELECT e.external_id AS id, e.ts, e.text, json_extract(e.metadata, '$.channel') AS channel,
              e.ground_truth AS truth FROM examples e
       JOIN projects p ON p.id = e.project_id WHERE p.name = 'sentiment' ORDER BY e.id`,
    )
    .all() as { id: string; ts: number; text: string; channel: string; truth: string | null }[];
  refs = rows.map((r) => ({ ...r, v1: v1.get(r.id)!, v2: v2.get(r.id)! }));
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

const browse = (input: Omit<Input<'examples.browse'>, 'project'>) =>
  call('examples.browse', { project, ...input }, ctx);
const ids = (page: { rows: { externalId: string }[] }) => page.rows.map((r) => r.externalId);
/** The examples the label-state test leaves labeled, each with its label. */
const labeledBefore = new Map<string, string>();

describe('data browser', () => {
  it('pages through every example in log order, with each run’s prediction', async () => {
    const first = await browse({ limit: 50 });
    expect(first.total).toBe(refs.length);
    expect(ids(first)).toEqual(refs.slice(0, 50).map((r) => r.id));
    const deep = await browse({ offset: 1950, limit: 100 });
    expect(ids(deep)).toEqual(refs.slice(1950).map((r) => r.id));
    const row = first.rows[3]!;
    expect(row.predictions.map((p) => p.run)).toEqual(['sentiment-clf@v1', 'sentiment-clf@v2']);
    expect(row.predictions[1]!.predicted).toEqual([SENTIMENT[refs[3]!.v2.predicted]]);
    expect(row.labelState).toBe('unlabeled');
    expect(row.queueState).toBe('not-queued');
    expect(first.metadataKeys).toContain('channel');
  });

  it('filters by text, metadata, time, predicted class, score range and disagreement as a direct computation does', async () => {
    const cases: [Input<'examples.browse'>['filters'], (r: Ref) => boolean][] = [
      [{ search: 'AIR FRYER' }, (r) => r.text.toLowerCase().includes('air fryer') || r.id.includes('air fryer')],
      [{ metadata: { channel: 'web' } }, (r) => r.channel === 'web'],
      [{ from: refs[500]!.ts, to: refs[900]!.ts }, (r) => r.ts >= refs[500]!.ts && r.ts < refs[900]!.ts],
      [{ run: 'v1', predictedClasses: ['neutral'] }, (r) => r.v1.predicted === 1],
      [
        { run: 'v2', scoreClass: 'positive', scoreMin: 0.4, scoreMax: 0.6 },
        (r) => r.v2.scores[2]! >= 0.4 && r.v2.scores[2]! <= 0.6,
      ],
      [{ run: 'v2', disagreesWith: 'v1' }, (r) => r.v1.predicted !== r.v2.predicted],
      [
        { run: 'v1', predictedClasses: ['positive'], metadata: { channel: 'mobile' }, scoreMax: 0.9 },
        (r) => r.v1.predicted === 2 && r.channel === 'mobile' && Math.max(...r.v1.scores) <= 0.9,
      ],
    ];
    for (const [filters, keep] of cases) {
      const expected = refs.filter(keep).map((r) => r.id);
      expect(expected.length, JSON.stringify(filters)).toBeGreaterThan(0);
      const page = await browse({ filters, limit: 500 });
      expect(page.total, JSON.stringify(filters)).toBe(expected.length);
      expect(ids(page)).toEqual(expected.slice(0, 500));
    }
  });

  it('sorts by score, confidence and time in both directions, ties in log order, on the first page and deep ones', async () => {
    const order = (key: (r: Ref) => number, dir: 1 | -1) =>
      refs
        .map((r, i) => ({ r, i, k: key(r) }))
        .sort((a, b) => (a.k === b.k ? a.i - b.i : dir * (a.k - b.k)))
        .map((x) => x.r.id);
    const byScore = order((r) => r.v2.scores[0]!, -1);
    const page = await browse({
      filters: { run: 'v2', scoreClass: 'negative' },
      sort: { by: 'score', direction: 'desc' },
      limit: 100,
    });
    expect(ids(page)).toEqual(byScore.slice(0, 100));
    const deep = await browse({
      filters: { run: 'v2', scoreClass: 'negative' },
      sort: { by: 'score', direction: 'desc' },
      offset: 1900,
      limit: 100,
    });
    expect(ids(deep)).toEqual(byScore.slice(1900, 2000));
    const leastSure = order((r) => Math.max(...r.v1.scores), 1);
    expect(
      ids(await browse({ filters: { run: 'v1' }, sort: { by: 'confidence', direction: 'asc' }, limit: 30 })),
    ).toEqual(leastSure.slice(0, 30));
    const newest = order((r) => r.ts, -1);
    expect(ids(await browse({ sort: { by: 'time', direction: 'desc' }, offset: 10, limit: 20 }))).toEqual(
      newest.slice(10, 30),
    );
  });

  it('knows each example’s label state and queue state, and queues what a filter matches', async () => {
    const r = await call(
      'examples.queue',
      { project, filters: { run: 'v2', disagreesWith: 'v1', metadata: { channel: 'web' } }, limit: 5 },
      ctx,
    );
    const expected = refs.filter((x) => x.v1.predicted !== x.v2.predicted && x.channel === 'web');
    expect(r.matched).toBe(expected.length);
    expect(r.queued).toBe(5);
    const queued = await browse({ filters: { queueStates: ['pending'] }, limit: 50 });
    expect(ids(queued)).toEqual(expected.slice(0, 5).map((x) => x.id));

    // Two annotators: one agreement, one conflict.
    const a = expected[0]!.id;
    const b = expected[1]!.id;
    const record = (externalId: string, annotator: string, label: string) =>
      call(
        'labels.record',
        { project, externalId, annotator, schemaVersion: 1, action: 'label', labels: [label] },
        ctx,
      );
    await record(a, 'ana', 'positive');
    await record(b, 'ana', 'positive');
    await record(b, 'bo', 'negative');
    labeledBefore.set(a, 'positive');
    const labeled = await browse({ filters: { labelStates: ['labeled'] } });
    expect(ids(labeled)).toEqual([a]);
    expect(labeled.rows[0]!.label).toEqual(['positive']);
    expect(ids(await browse({ filters: { labelStates: ['conflict'] } }))).toEqual([b]);
    expect(ids(await browse({ filters: { labels: ['positive'] } }))).toEqual([a]);
    expect((await browse({ filters: { labelStates: ['unlabeled'] } })).total).toBe(refs.length - 2);

    const detail = await call('examples.detail', { project, externalId: b }, ctx);
    expect(detail.labelState).toBe('conflict');
    expect(detail.queueState).not.toBe('not-queued');
    expect(detail.history.map((h) => [h.annotator, h.labels])).toEqual([
      ['ana', ['positive']],
      ['bo', ['negative']],
    ]);
    const ref = refs.find((x) => x.id === b)!;
    expect(SENTIMENT.map((c) => detail.predictions[0]!.scores[c])).toEqual(ref.v1.scores);
  });

  it('filters by current label and by ground truth as a direct computation does', async () => {
    const page = await browse({ limit: 1 });
    expect(page.hasGroundTruth).toBe(true);
    expect(page.labels.map((l) => l.id)).toEqual(SENTIMENT);
    // 90 more examples labeled: one annotator each, and every 9th contradicted by a second one.
    const label = new Map(labeledBefore);
    const fresh = refs.filter((r) => !labeledBefore.has(r.id)).slice(300, 390);
    for (const [i, r] of fresh.entries()) {
      const first = SENTIMENT[i % 3]!;
      await call(
        'labels.record',
        { project, externalId: r.id, annotator: 'cy', schemaVersion: 1, action: 'label', labels: [first] },
        ctx,
      );
      if (i % 9 === 0) {
        const other = SENTIMENT[(i + 1) % 3]!;
        await call(
          'labels.record',
          { project, externalId: r.id, annotator: 'dee', schemaVersion: 1, action: 'label', labels: [other] },
          ctx,
        );
      } else label.set(r.id, first);
    }
    const cases: [Input<'examples.browse'>['filters'], (r: Ref) => boolean][] = [
      [{ labels: ['neutral'] }, (r) => label.get(r.id) === 'neutral'],
      [{ labels: ['negative', 'positive'] }, (r) => ['negative', 'positive'].includes(label.get(r.id) ?? '')],
      [{ groundTruth: ['negative'] }, (r) => r.truth === 'negative'],
      [{ groundTruth: ['neutral', 'positive'] }, (r) => r.truth === 'neutral' || r.truth === 'positive'],
      [
        { groundTruth: ['positive'], metadata: { channel: 'web' }, run: 'v1', predictedClasses: ['negative'] },
        (r) => r.truth === 'positive' && r.channel === 'web' && r.v1.predicted === 0,
      ],
      [{ labels: ['positive'], labelStates: ['labeled'] }, (r) => label.get(r.id) === 'positive'],
    ];
    for (const [filters, keep] of cases) {
      const expected = refs.filter(keep).map((r) => r.id);
      expect(expected.length, JSON.stringify(filters)).toBeGreaterThan(0);
      const got = await browse({ filters, limit: 500 });
      expect(got.total, JSON.stringify(filters)).toBe(expected.length);
      expect(ids(got)).toEqual(expected.slice(0, 500));
    }
    // The labels filter and the ground truth disagree where the annotators corrected the log.
    const corrected = refs.filter((r) => r.truth !== null && label.has(r.id) && label.get(r.id) !== r.truth);
    const neutralForPositive = corrected.filter((r) => label.get(r.id) === 'neutral' && r.truth === 'positive');
    expect(neutralForPositive.length).toBeGreaterThan(0);
    const both = await browse({ filters: { labels: ['neutral'], groundTruth: ['positive'] }, limit: 500 });
    expect(ids(both)).toEqual(neutralForPositive.map((r) => r.id));
    const unknown = await failure(browse({ filters: { groundTruth: ['happy'] } }));
    expect(unknown.code).toBe('invalid-input');
    expect(unknown.message).toContain('ground truth');
  });

  it('refuses what it cannot apply, saying what to do', async () => {
    const badClass = await failure(browse({ filters: { predictedClasses: ['happy'] } }));
    expect(badClass.code).toBe('invalid-input');
    expect(badClass.message).toContain('negative, neutral, positive');
    const badRun = await failure(browse({ filters: { run: 'v7' } }));
    expect(badRun.code).toBe('not-found');
    expect(badRun.message).toContain('sentiment-clf@v2');
    const sameRun = await failure(browse({ filters: { run: 'v1', disagreesWith: 'v1' } }));
    expect(sameRun.message).toContain('two different model runs');
    const empty = await failure(browse({ filters: { scoreMin: 0.8, scoreMax: 0.2 } }));
    expect(empty.code).toBe('invalid-input');
    const missing = await failure(call('examples.detail', { project, externalId: 'nope' }, ctx));
    expect(missing.code).toBe('not-found');
  });
});
