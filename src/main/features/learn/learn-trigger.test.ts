import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile, makeTempDir, removeDir, writeJsonl } from '../../../../test/helpers/import-fixtures';
import { learnMapping, learnRows, truthOf } from '../../../../test/helpers/learn-project';
import { createContext } from '../../core/create-context';
import { call } from '../../core/dispatch';
import { runningRefresh } from './refresh-job';

// In a long-lived process (the app, browser mode) the learner refits by itself after every N labels.
let dir: string;
let ctx: ReturnType<typeof createContext>;

beforeAll(async () => {
  dir = makeTempDir('learn-trigger');
  ctx = createContext({ dbPath: path.join(dir, 'w.db'), runtime: 'server', dataDir: dir });
  const file = writeJsonl(path.join(dir, 'loop.jsonl'), learnRows(true, true));
  await importFile(ctx, file, learnMapping(true, true), { project: 'loop' });
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

const label = (i: number) =>
  call(
    'labels.record',
    {
      project: { project: 'loop' },
      externalId: `m${i}`,
      annotator: 'ann',
      schemaVersion: 1,
      action: 'label',
      labels: [truthOf(i)],
    },
    ctx,
  );

describe('the refresh cadence', () => {
  it('starts a refresh after every N new labels, without holding up the save', async () => {
    await call('learn.configure', { project: { project: 'loop' }, representation: 'features', every: 6 }, ctx);
    const projectId = ctx.store.projects.byName('loop')!.id;
    for (let i = 0; i < 5; i++) await label(i);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runningRefresh(projectId)).toBeNull();
    await label(5);
    // The save has returned; the refresh starts right after it.
    expect(ctx.store.learn.refreshCount(projectId)).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    const jobId = runningRefresh(projectId);
    expect(jobId).not.toBeNull();
    const job = await ctx.jobs.wait(jobId!);
    expect(job.state, job.error?.message).toBe('succeeded');
    const status = await call('learn.status', { project: 'loop' }, ctx);
    expect(status.lastRefresh).toMatchObject({ labels: 6 });
    expect(status.labelsSinceRefresh).toBe(0);
    expect(status.nextRefreshIn).toBe(6);
  });
});
