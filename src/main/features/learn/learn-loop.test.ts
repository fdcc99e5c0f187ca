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
import type { ImportMappingInput } from '../../../shared/features/import/mapping';
import type { LearnStatus } from '../../../shared/features/learn/contract';
import { call } from '../../core/dispatch';

// Seeded end-to-end runs of the loop: an annotator labels from the ground truth through the queue
// while the learner refits every 25 labels, and the meter is read at a fixed budget.
const POOL = 3000;
const BUDGET = 500;
const DIM = 100;

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * helpful: the class is a sharp threshold on the sum of five features among a hundred, and rare
 * (about 3%): random labels hold few positives, uncertain ones sit on the boundary. hopeless: the class is a coin toss
 * no feature predicts, so no queue can beat random labels.
 */
function rows(kind: 'helpful' | 'hopeless') {
  const r = rng(kind === 'helpful' ? 3 : 5);
  return Array.from({ length: POOL }, (_, i) => {
    const f = Array.from({ length: DIM }, () => (r() - 0.5) * 4);
    const signal = f[0]! + f[1]! + f[2]! + f[3]! + f[4]! - 4.9;
    const positive = kind === 'helpful' ? signal > 0 : r() < 0.3;
    return {
      id: `x${i}`,
      ts: 1_700_000_000_000 + i * 1000,
      f,
      // the production model: roughly right, not sharp
      p: Math.min(0.99, Math.max(0.01, 1 / (1 + Math.exp(-signal / 2)))),
      truth: positive ? 'yes' : 'no',
      model: 'prod',
      model_version: 'v1',
    };
  });
}

const MAPPING: ImportMappingInput = {
  id: 'id',
  inputKind: 'tabular',
  features: { kind: 'vector', field: 'f', dim: DIM },
  timestamp: { field: 'ts', unit: 'ms' },
  taskType: 'binary',
  classes: ['no', 'yes'],
  scores: { kind: 'columns', columns: ['p'] },
  scoreTransform: 'none',
  groundTruth: 'truth',
  model: { nameField: 'model', versionField: 'model_version' },
  metadata: [],
  sumTolerance: 0.01,
};

let dir: string;
let ctx: TestContext;

beforeAll(async () => {
  dir = makeTempDir('learn-loop');
  ctx = openContext(dir);
  for (const kind of ['hopeless'] as const) {
    const file = writeJsonl(path.join(dir, `${kind}.jsonl`), rows(kind));
    const { status } = await importFile(ctx, file, MAPPING, { project: kind });
    expect(status.state).toBe('succeeded');
  }
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

/** Labels BUDGET items from the queue with their ground truth, refitting every 25 labels; returns the status. */
async function runLoop(projectName: string): Promise<LearnStatus> {
  const project = { project: projectName };
  const truth = new Map(
    ctx.store.mining
      .groundTruth(ctx.store.projects.byName(projectName)!.id)
      .map((g) => [g.id, g.ground_truth] as const),
  );
  await call('learn.configure', { project, representation: 'features', every: 25, controlShare: 0.2 }, ctx);
  // The first items: the production model's least confident ones.
  await call('mining.run', { project, strategy: { strategy: 'least-confidence' }, limit: 100, controlShare: 0.2 }, ctx);
  for (let n = 1; n <= BUDGET; n++) {
    const next = await call('queue.next', { project, annotator: 'ann' }, ctx);
    expect(next.item, `queue empty after ${n - 1} labels`).not.toBeNull();
    const exampleId = ctx.store.queue.item(next.item!.id).example_id;
    await call(
      'labels.record',
      {
        project,
        externalId: next.item!.externalId,
        annotator: 'ann',
        schemaVersion: 1,
        action: 'label',
        labels: [truth.get(exampleId)!],
      },
      ctx,
    );
    if (n % 25 === 0) {
      const { jobId } = await call('learn.refresh', { project }, ctx);
      const job = await ctx.jobs.wait(jobId);
      const oneClass = (job.error?.details as { reason?: string } | undefined)?.reason === 'one-class';
      if (job.state !== 'succeeded' && !oneClass) expect.fail(`refresh after ${n} labels: ${job.error?.message}`);
    }
  }
  return call('learn.status', project, ctx);
}

describe('the loop, seeded, end to end', () => {
  it('says so where uncertainty cannot help', async () => {
    const status = await runLoop('hopeless');
    const m = status.meter;
    expect(m.control.n).toBeGreaterThanOrEqual(30);
    expect(m.verdict, m.message).not.toBe('mined-better');
    expect(m.message).toMatch(/not clearly beating random ones|Random labels would have done better/);
    // The stop signal: successive learners' kappa averaged over the last three refreshes.
    expect(status.refreshes).toBeGreaterThanOrEqual(3);
    expect(status.stop.kappaAverage).not.toBeNull();
    expect(status.stop.message).toMatch(/kappa \d\.\d{3}/);
  }, 300_000);
});
