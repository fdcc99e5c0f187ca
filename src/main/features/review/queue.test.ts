import { spawn } from 'node:child_process';
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
  dir = makeTempDir('queue');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 2000);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

const next = (annotator: string, session = 'default', leaseSeconds?: number) =>
  call('queue.next', { project, annotator, session, ...(leaseSeconds ? { leaseSeconds } : {}) }, ctx);

const label = (externalId: string, annotator: string, labels: string[] | null, action = 'label' as const) =>
  call('labels.record', { project, externalId, annotator, schemaVersion: 1, action, labels }, ctx);

describe('review queue', () => {
  it('leases the top item to one annotator at a time and gives a session its own item back', async () => {
    await call('mining.run', { project, strategy: { strategy: 'margin' }, limit: 30 }, ctx);
    const a = await next('ana');
    const b = await next('ben');
    expect(a.item!.externalId).not.toBe(b.item!.externalId);
    expect(a.item!.priority).toBeGreaterThanOrEqual(b.item!.priority);
    expect(a.example!.predictions.map((p) => p.model)).toEqual(['sentiment-clf@v1', 'sentiment-clf@v2']);
    expect(a.example!.text).toBeTruthy();
    expect((await next('ana')).item!.externalId).toBe(a.item!.externalId); // a reload of the same window
    const otherWindow = await next('ana', 'second-window');
    expect([a.item!.externalId, b.item!.externalId]).not.toContain(otherWindow.item!.externalId);

    const taken = await failure(label(a.item!.externalId, 'ben', ['positive']));
    expect(taken.code).toBe('conflict');
    expect(taken.message).toMatch(/is leased to ana until/);

    await label(a.item!.externalId, 'ana', ['positive']);
    const after = await call('queue.list', { project, status: 'done' }, ctx);
    expect(after.map((i) => i.externalId)).toContain(a.item!.externalId);
    await call('queue.release', { project, annotator: 'ana' }, ctx);
    await call('queue.release', { project, annotator: 'ben' }, ctx);
  });

  it('returns an expired lease to the queue', async () => {
    const held = await next('cy', 'default', 1);
    await new Promise((r) => setTimeout(r, 1100));
    const taken = await next('dee');
    expect(taken.item!.externalId).toBe(held.item!.externalId);
    await label(taken.item!.externalId, 'dee', ['neutral']); // the lapsed holder lost it
    await call('queue.release', { project, annotator: 'cy' }, ctx);
  });

  it('skips, undoes back to the annotator, and sends a doubly labeled item to a second annotator', async () => {
    const skipped = await next('ana');
    await label(skipped.item!.externalId, 'ana', null, 'skip' as never);
    expect((await call('queue.list', { project, status: 'skipped' }, ctx)).map((i) => i.externalId)).toContain(
      skipped.item!.externalId,
    );
    await label(skipped.item!.externalId, 'ana', null, 'undo' as never);
    const back = await call('queue.list', { project, status: 'leased' }, ctx);
    expect(back.find((i) => i.externalId === skipped.item!.externalId)?.lease?.annotator).toBe('ana');
    await label(skipped.item!.externalId, 'ana', ['negative']);

    const mined = await call(
      'mining.run',
      { project, strategy: { strategy: 'entropy' }, limit: 5, secondLabelShare: 1, seed: 3 },
      ctx,
    );
    expect(mined.doublyLabeled).toBe(mined.selected);
    const doubles = (await call('queue.list', { project, status: 'pending', limit: 1000 }, ctx)).filter(
      (i) => i.labelsWanted === 2,
    );
    const first = doubles[0]!;
    // Ana labels items until she has labeled the first doubly labeled one.
    for (let i = 0; i < 50; i++) {
      const item = (await next('ana')).item!;
      await label(item.externalId, 'ana', ['positive']);
      if (item.externalId === first.externalId) break;
    }
    const state = (await call('queue.list', { project, limit: 1000 }, ctx)).find(
      (i) => i.externalId === first.externalId,
    );
    expect(state).toMatchObject({ status: 'pending', labelsWanted: 2 });
    expect((await next('ana')).item!.externalId).not.toBe(first.externalId);
    await call('queue.release', { project, annotator: 'ana' }, ctx);
    for (let i = 0; i < 50; i++) {
      const item = (await next('ben')).item!;
      await label(item.externalId, 'ben', item.externalId === first.externalId ? ['negative'] : ['positive']);
      if (item.externalId === first.externalId) break;
    }
    const done = (await call('queue.list', { project, status: 'done', limit: 1000 }, ctx)).map((i) => i.externalId);
    expect(done).toContain(first.externalId);

    const conflicts = await call('labels.conflicts', { project }, ctx);
    expect(conflicts.map((c) => c.externalId)).toContain(first.externalId);
    const report = await call('labels.agreement', { project }, ctx);
    expect(report.conflicts).toBeGreaterThanOrEqual(1);
    expect(report.pairs[0]).toMatchObject({ a: 'ana', b: 'ben' });
    const settled = await call(
      'labels.record',
      {
        project,
        externalId: first.externalId,
        annotator: 'lead',
        schemaVersion: 1,
        action: 'adjudicate',
        labels: ['neutral'],
      },
      ctx,
    );
    expect(settled.current.resolution).toMatchObject({ status: 'adjudicated', labels: ['neutral'] });
    expect((await call('labels.conflicts', { project }, ctx)).map((c) => c.externalId)).not.toContain(first.externalId);
  });

  it('never leases one item twice to concurrent processes', async () => {
    await call('mining.run', { project, strategy: { strategy: 'least-confidence' }, limit: 120 }, ctx);
    const pending = (await call('queue.stats', project, ctx)).pending;
    expect(pending).toBeGreaterThan(50);
    const takers = ['p1', 'p2', 'p3', 'p4'].map((name, i) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'test/helpers/queue-taker.ts',
          path.join(dir, 'w.db'),
          'sentiment',
          i < 2 ? 'same' : name,
          name,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      return new Promise<string[]>((resolve, reject) =>
        child.once('exit', (code) => (code === 0 ? resolve(out.split('\n').filter(Boolean)) : reject(new Error(err)))),
      );
    });
    const leased = (await Promise.all(takers)).flat();
    expect(leased).toHaveLength(pending);
    expect(new Set(leased).size).toBe(leased.length);
  }, 60_000);

  it('carries renamed labels forward to a new schema version and requeues split ones', async () => {
    const picked = await call('mining.run', { project, strategy: { strategy: 'random', seed: 5 }, limit: 3 }, ctx);
    const [a, b, c] = picked.top.map((t) => t.externalId) as [string, string, string];
    const say = (externalId: string, labels: string[], schemaVersion = 1) =>
      call('labels.record', { project, externalId, annotator: 'zed', schemaVersion, action: 'label', labels }, ctx);
    await say(a, ['negative']);
    await say(b, ['neutral']);
    await say(c, ['neutral']);
    const [v1] = await call('labels.versions', project, ctx);
    const [negative, neutral, positive] = v1!.labels;
    const v2 = await call(
      'labels.create',
      {
        project,
        draft: {
          labels: [
            { ...negative!, id: 'bad', name: 'Bad' },
            { ...neutral!, id: 'mixed', name: 'Mixed' },
            { ...neutral!, id: 'flat', name: 'Flat', hotkey: '4', color: '#868e96' },
            positive!,
          ],
          guidelines: 'Mixed: praise and complaint together. Flat: neither.',
          changeNote: 'negative is bad; neutral splits into mixed and flat',
          mappingFromPrevious: [
            { kind: 'rename', from: 'negative', to: 'bad' },
            { kind: 'split', from: 'neutral', to: ['mixed', 'flat'] },
          ],
        },
      },
      ctx,
    );
    expect(v2.carryForward.carried).toBeGreaterThanOrEqual(1);
    expect(v2.carryForward.requeued).toBeGreaterThanOrEqual(2);
    const carried = await call('labels.current', { project, externalId: a }, ctx);
    expect(carried.resolution).toMatchObject({ status: 'adjudicated', labels: ['bad'] });
    const queued = await call('queue.list', { project, status: 'pending', limit: 10_000 }, ctx);
    for (const id of [b, c]) {
      expect(queued.find((i) => i.externalId === id)).toMatchObject({
        priority: 1,
        reason: "label 'neutral' was split or removed in v2: label again",
      });
    }
    const stale = await failure(say(b, ['mixed']));
    expect(stale.message).toMatch(/v1 of 'sentiment' is not current \(v2 is\)/);
    await say(b, ['mixed'], 2);
  });
});
