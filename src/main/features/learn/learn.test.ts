import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import {
  importFile,
  importGuessed,
  topicRows,
  TOPICS,
  makeTempDir,
  openContext,
  removeDir,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import {
  LEARN_ROWS as N,
  learnMapping as mapping,
  learnRows as rows,
  truthOf,
} from '../../../../test/helpers/learn-project';
import type { LearnRefreshResult } from '../../../shared/features/learn/contract';
import { call } from '../../core/dispatch';
import { fitAndScore } from './compute';
import { refreshLearner } from './refresh';

let dir: string;
let ctx: TestContext;
const loop = { project: 'loop' };

async function importProject(name: string, withText: boolean, withFeatures: boolean) {
  const file = writeJsonl(path.join(dir, `${name}.jsonl`), rows(withText, withFeatures));
  const { status } = await importFile(ctx, file, mapping(withText, withFeatures), { project: name });
  expect(status.state).toBe('succeeded');
}

async function label(project: string, i: number, cls: 'ham' | 'spam', annotator = 'ann') {
  return call(
    'labels.record',
    {
      project: { project },
      externalId: `m${i}`,
      annotator,
      schemaVersion: currentSchema(project),
      action: 'label',
      labels: [cls],
    },
    ctx,
  );
}

function currentSchema(project: string): number {
  const p = ctx.store.projects.byName(project)!;
  return ctx.store.labelSchemas.latest(p.id)!.version;
}

async function refreshNow(project = 'loop'): Promise<LearnRefreshResult> {
  const { jobId } = await call('learn.refresh', { project: { project } }, ctx);
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw Object.assign(new Error(status.error?.message), { api: status.error });
  return status.result as LearnRefreshResult;
}

/** What a refresh must not touch when it fails: model runs, the queue, the refresh records. */
function snapshot(projectName = 'loop') {
  const id = ctx.store.projects.byName(projectName)!.id;
  const db = ctx.store.db;
  return {
    runs: db.prepare('SELECT id, model_name, model_version FROM model_runs WHERE project_id = ? ORDER BY id').all(id),
    queue: db
      .prepare('SELECT example_id, priority, reason, status, control FROM queue_items WHERE project_id = ? ORDER BY id')
      .all(id),
    refreshes: db.prepare('SELECT id FROM learner_refreshes WHERE project_id = ?').all(id),
    predictions: db.prepare('SELECT count(*) FROM predictions').pluck().get(),
  };
}

const inline = (input: Parameters<typeof fitAndScore>[0]) => Promise.resolve(fitAndScore(input));

beforeAll(async () => {
  dir = makeTempDir('learn');
  ctx = openContext(dir);
  await importProject('loop', true, true);
  await importProject('words', true, false);
  await importProject('numbers', false, true);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

describe('the learner in the loop', () => {
  it('refuses a representation the project lacks, saying what it has', async () => {
    const noFeatures = await failure(
      call('learn.configure', { project: { project: 'words' }, representation: 'features' }, ctx),
    );
    expect(noFeatures.code).toBe('invalid-input');
    expect(noFeatures.message).toBe("project 'words' has no logged feature vectors: use 'text'");
    const noText = await failure(
      call('learn.configure', { project: { project: 'numbers' }, representation: 'text' }, ctx),
    );
    expect(noText.message).toBe("project 'numbers' has no example text: use 'features'");
    const noEncoder = await failure(
      call('learn.configure', { project: { project: 'words' }, representation: 'embeddings:minilm' }, ctx),
    );
    expect(noEncoder.message).toMatch(/no stored embeddings of encoder 'minilm'/);
    const status = await call('learn.status', { project: 'words' }, ctx);
    expect(status.config).toBeNull();
  });

  it('refuses to fit on one class and keeps no learner run', async () => {
    await call('learn.configure', { project: loop, representation: 'features', every: 10 }, ctx);
    for (const i of [0, 2, 4]) await label('loop', i, 'ham');
    const before = snapshot();
    const e = await failure(refreshNow());
    expect((e as unknown as { api: { details: { reason: string } } }).api.details.reason).toBe('one-class');
    expect(e.message).toMatch(/needs labels of at least two classes; all 3 labels under schema v1 are 'ham'/);
    expect(snapshot()).toEqual(before);
    const status = await call('learn.status', { project: 'loop' }, ctx);
    expect(status.lastProblem).toMatch(/at least two classes/);
  });

  it('fits, scores every example into learner@<labels> and re-ranks the queue with a control share', async () => {
    for (const i of [1, 3, 5, 6, 7, 8, 9, 10, 11, 13, 15]) await label('loop', i, truthOf(i));
    const result = await refreshNow();
    expect(result.applied).toBe(true);
    const r = result.refresh!;
    expect(r.labels).toBe(14);
    expect(r.classCounts).toEqual([6, 8]);
    expect(r.modelRun?.name).toBe('learner@14');
    expect(r.coldStart).toBe(false);
    const runs = await call('mining.runs', { project: 'loop' }, ctx);
    expect(runs[0]!.strategy).toBe('learner');
    // Every example scored; the learner separates the classes by the first feature.
    const p = ctx.store.projects.byName('loop')!;
    const cols = ctx.store.predictionColumns.load(r.modelRun!.id);
    expect(cols.n).toBe(N);
    let right = 0;
    const truth = new Map(ctx.store.mining.groundTruth(p.id).map((g) => [g.id, g.ground_truth === 'spam' ? 1 : 0]));
    for (let j = 0; j < cols.n; j++) if (cols.predicted[j] === truth.get(cols.exampleIds[j]!)) right++;
    expect(right / N).toBeGreaterThan(0.85);
    // The queue: 4 × every = 50 new items (the minimum), 10% of them random control, none labeled.
    const queue = await call('queue.list', { project: loop, limit: 1000 }, ctx);
    expect(queue).toHaveLength(50);
    expect(queue.filter((q) => q.control)).toHaveLength(5);
    expect(queue.filter((q) => !q.control)[0]!.reason).toMatch(/^learner@14 is unsure: P\(spam\) 0\.\d\d$/);
    expect(queue.find((q) => q.control)!.reason).toMatch(/random control sample \(10% of the learner's queue\)/);
    // The most uncertain first: mined priorities descend.
    const mined = queue.filter((q) => !q.control).map((q) => q.priority);
    expect([...mined].sort((a, b) => b - a)).toEqual(mined);
    // Control items are spread through the ranking, one in every ten.
    expect(queue.findIndex((q) => q.control)).toBe(9);
    const stats = await call('queue.stats', { project: 'loop' }, ctx);
    expect(stats.learner).toEqual({ refreshedAt: r.at, labels: 14 });
  });

  it('refreshes idempotently: the same labels change nothing', async () => {
    const before = snapshot();
    const again = await refreshNow();
    expect(again.applied).toBe(false);
    expect(again.message).toMatch(/nothing changed since refresh #\d+: the learner already learned these 14 labels/);
    expect(snapshot()).toEqual(before);
  });

  it('scores each new label before learning from it (prequential), by how its item was queued', async () => {
    const queue = await call('queue.list', { project: loop, limit: 1000 }, ctx);
    const picks = [queue.find((q) => q.control)!, queue.find((q) => !q.control)!];
    for (const q of picks) await label('loop', Number(q.externalId.slice(1)), truthOf(Number(q.externalId.slice(1))));
    const status = await call('learn.status', { project: 'loop' }, ctx);
    expect(status.meter.control.n).toBe(1);
    expect(status.meter.mined.n).toBe(1);
    expect(status.labelsSinceRefresh).toBe(2);
    expect(status.nextRefreshIn).toBe(8);
  });

  it('leaves the previous run and queue intact when a refresh dies before it applies', async () => {
    for (const i of [17, 19, 20, 22]) await label('loop', i, truthOf(i));
    const before = snapshot();
    const project = ctx.store.projects.byName('loop')!;
    const boom = refreshLearner(ctx, project, { signal: new AbortController().signal }, inline, {
      beforeApply: () => {
        throw new Error('killed');
      },
    });
    await expect(boom).rejects.toThrow('killed');
    expect(snapshot()).toEqual(before);
    // The next refresh takes the name the dead one left.
    const ok = await refreshLearner(ctx, project, { signal: new AbortController().signal }, inline);
    expect(ok.refresh!.modelRun!.name).toBe('learner@20');
  });

  it('discards a refresh when the label schema changes while it runs', async () => {
    for (const i of [24, 25]) await label('loop', i, truthOf(i));
    const before = snapshot();
    const project = ctx.store.projects.byName('loop')!;
    const latest = ctx.store.labelSchemas.latest(project.id)!;
    const e = await failure(
      refreshLearner(ctx, project, { signal: new AbortController().signal }, inline, {
        beforeApply: () => {
          ctx.store.labelSchemas.add(project.id, {
            labels: latest.labels,
            guidelines: 'spam now includes newsletters',
            changeNote: 'guidelines',
            mappingFromPrevious: [],
          });
        },
      }),
    );
    expect(e.code).toBe('conflict');
    expect(e.message).toMatch(/changed to v2 while the learner was refreshing: this refresh was discarded/);
    const after = snapshot();
    expect(after).toEqual(before);
  });

  it('queues labels the learner finds likely wrong for a second look, with a reason an annotator reads', async () => {
    await call('learn.configure', { project: { project: 'numbers' }, representation: 'features' }, ctx);
    // Clear cases: their first feature lies far on the side of their true class.
    const flipped = [0, 11, 22];
    for (let i = 0; i < 40; i++) {
      const t = truthOf(i);
      await label('numbers', i, flipped.includes(i) ? (t === 'spam' ? 'ham' : 'spam') : t);
    }
    const preview = await call(
      'mining.preview',
      { project: { project: 'numbers' }, strategy: { strategy: 'label-issues' }, limit: 3 },
      ctx,
    );
    expect(preview.scanned).toBe(40);
    const result = await call(
      'mining.run',
      { project: { project: 'numbers' }, strategy: { strategy: 'label-issues' }, limit: 3 },
      ctx,
    );
    expect(result.strategy).toBe('label-issues');
    expect(result.top.map((t) => t.externalId).sort()).toEqual(flipped.map((i) => `m${i}`).sort());
    const m22 = result.top.find((t) => t.externalId === 'm22')!;
    expect(m22.reason).toMatch(/^labeled spam; a model trained without this label gives spam 0\.\d\d \(ham 0\.\d\d\)$/);
    // Each goes back to the queue for one more annotator.
    const queue = await call('queue.list', { project: { project: 'numbers' }, status: 'pending' }, ctx);
    expect(queue.map((q) => q.externalId).sort()).toEqual(flipped.map((i) => `m${i}`).sort());
    expect(queue.every((q) => q.labelsWanted === 2)).toBe(true);
    const status = await call('learn.status', { project: 'numbers' }, ctx);
    expect(status.labelIssues).toMatchObject({ checked: 40, queued: 3 });
  });

  it('at cold start queues typical, diverse items (k-center) instead of uncertain ones', async () => {
    await call('learn.configure', { project: { project: 'words' }, representation: 'text', every: 10 }, ctx);
    for (const i of [0, 1, 2, 3, 4, 5]) await label('words', i, truthOf(i));
    const result = await refreshNow('words');
    expect(result.refresh).toMatchObject({ labels: 6, coldStart: true, classCounts: [3, 3] });
    const queue = await call('queue.list', { project: { project: 'words' }, limit: 1000 }, ctx);
    expect(queue).toHaveLength(50);
    const picks = queue.filter((q) => !q.control);
    expect(picks).toHaveLength(45);
    for (const q of picks)
      expect(q.reason).toBe('typical and diverse pick (k-center over text): some class has fewer than 5 labels');
    // The most typical first, then each the farthest from those before: both kinds of message early on.
    const firstFour = picks.slice(0, 4).map((q) => Number(q.externalId.slice(1)) % 2);
    expect(new Set(firstFour).size).toBe(2);
  });

  it("says so when an annotator's labels contradict the imported ground truth, and trains on the annotator's", async () => {
    await importProject('contrary', false, true);
    const project = { project: 'contrary' };
    await call('learn.configure', { project, representation: 'features', labelSource: 'curated+truth' }, ctx);
    const flipped = (i: number): 'ham' | 'spam' => (truthOf(i) === 'spam' ? 'ham' : 'spam');
    for (let i = 0; i < 20; i++) await label('contrary', i, flipped(i));
    const result = await refreshNow('contrary');
    expect(result.refresh!.fit).toMatchObject({ truthCompared: 20, truthDisagreements: 20 });
    expect(result.message).toMatch(
      /warning: 20 of the 20 curated labels on examples with imported ground truth disagree with it \(100%\)/,
    );
    // Curated labels win over ground truth on the examples both label: truth fills only the other 380.
    expect(result.refresh!.fit).toMatchObject({ fromTruth: 380 });
    // Agreeing labels raise no warning.
    await importProject('agreeing', false, true);
    await call('learn.configure', { project: { project: 'agreeing' }, representation: 'features' }, ctx);
    for (let i = 0; i < 10; i++) await label('agreeing', i, truthOf(i));
    const calm = await refreshNow('agreeing');
    expect(calm.refresh!.fit).toMatchObject({ truthCompared: 10, truthDisagreements: 0 });
    expect(calm.message).not.toMatch(/warning/);
  });

  it('reads the stored vectors again once an import brings new examples', async () => {
    await importProject('growing', false, true);
    const project = { project: 'growing' };
    await call('learn.configure', { project, representation: 'features' }, ctx);
    for (let i = 0; i < 10; i++) await label('growing', i, truthOf(i));
    const first = await refreshNow('growing');
    expect(ctx.store.predictionColumns.load(first.refresh!.modelRun!.id).n).toBe(400);
    const more = rows(false, true)
      .slice(0, 100)
      .map((r, i) => ({ ...r, id: `g${i}` }));
    const file = writeJsonl(path.join(dir, 'growing-more.jsonl'), more);
    const { status } = await importFile(ctx, file, mapping(false, true), { project: 'growing' });
    expect(status.state).toBe('succeeded');
    for (let i = 10; i < 12; i++) await label('growing', i, truthOf(i));
    const second = await refreshNow('growing');
    const cols = ctx.store.predictionColumns.load(second.refresh!.modelRun!.id);
    expect(cols.n).toBe(500);
    // The new examples are scored from their own vectors: g_i repeats m_i's features, so its score too.
    const ext = new Map(
      (
        ctx.store.db
          .prepare('SELECT id, external_id FROM examples WHERE project_id = ?')
          .all(ctx.store.projects.byName('growing')!.id) as { id: number; external_id: string }[]
      ).map((r) => [r.external_id, r.id]),
    );
    const scoreOf = (externalId: string) => cols.scores[cols.exampleIds.indexOf(ext.get(externalId)!)]!;
    for (const i of [0, 1, 37, 99]) expect(scoreOf(`g${i}`)).toBeCloseTo(scoreOf(`m${i}`), 6);
    // With no new examples the next refresh reuses the vectors it read, standardised the same way.
    for (let i = 12; i < 14; i++) await label('growing', i, truthOf(i));
    const third = await refreshNow('growing');
    const again = ctx.store.predictionColumns.load(third.refresh!.modelRun!.id);
    expect(again.n).toBe(500);
    expect(third.refresh!.fit).toMatchObject({ missingInputs: 0, reusedVectors: true });
    expect(second.refresh!.fit).toMatchObject({ reusedVectors: false });
  });

  it('learns a multilabel project one class against the rest', async () => {
    const log = writeJsonl(path.join(dir, 'topics.jsonl'), topicRows(120));
    await importGuessed(ctx, log, { project: 'topics' });
    const project = { project: 'topics' };
    await call('learn.configure', { project, representation: 'text' }, ctx);
    // news i is about a topic where its logged score says so: the label sets follow the text's number.
    const rowsOf = topicRows(120);
    for (let i = 0; i < 40; i++)
      await call(
        'labels.record',
        {
          project,
          externalId: `n${i}`,
          annotator: 'ann',
          schemaVersion: 1,
          action: 'label',
          labels: rowsOf[i]!.predicted_label,
        },
        ctx,
      );
    const result = await refreshNow('topics');
    expect(result.refresh!.labels).toBe(40);
    expect(result.refresh!.classCounts).toHaveLength(TOPICS.length);
    const cols = ctx.store.predictionColumns.load(result.refresh!.modelRun!.id);
    expect(cols.n).toBe(120);
    expect(cols.width).toBe(3);
    // Predicted: a bitmask of the classes at P ≥ 0.5.
    for (let j = 0; j < cols.n; j++) {
      let mask = 0;
      for (let c = 0; c < 3; c++) if (cols.scores[j * 3 + c]! >= 0.5) mask |= 1 << c;
      expect(cols.predicted[j]).toBe(mask);
    }
  });
});
