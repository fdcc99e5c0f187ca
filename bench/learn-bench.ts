import fs from 'node:fs';
import path from 'node:path';
import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import { hashTexts } from '../src/main/features/learn/hashing';
import { refreshLearner } from '../src/main/features/learn/refresh';
import { computeInWorker } from '../src/main/features/learn/run-compute';
import type { LearnRefreshResult } from '../src/shared/features/learn/contract';
import { removeDb, round } from './bench-data';

const DIM = 256;
/** Features that carry the class; the rest are noise. */
const SIGNAL = 16;
const WORDS = [
  ['invoice', 'meeting', 'report', 'lunch', 'family', 'schedule', 'project', 'review'],
  ['prize', 'winner', 'free', 'click', 'offer', 'urgent', 'bonus', 'claim'],
];

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A binary log of `rows` messages with 256 logged features and a text each, ground truth on every row. */
function writeLog(file: string, rows: number): void {
  const r = rng(11);
  const fd = fs.openSync(file, 'w');
  try {
    let chunk: string[] = [];
    for (let i = 0; i < rows; i++) {
      const cls = r() < 0.3 ? 1 : 0;
      const f = new Array<string>(DIM);
      for (let d = 0; d < DIM; d++) f[d] = ((d < SIGNAL ? (cls ? 0.4 : -0.4) : 0) + (r() - 0.5) * 2).toFixed(3);
      const words = Array.from({ length: 12 }, () => {
        const own = r() < 0.6;
        const set = WORDS[own ? cls : 1 - cls]!;
        return set[Math.floor(r() * set.length)]!;
      });
      chunk.push(
        `{"id":"b${i}","ts":${1_700_000_000_000 + i * 1000},"text":"${words.join(' ')} message ${i}","f":[${f.join(',')}],"p":${(0.3 + r() * 0.4).toFixed(3)},"truth":"${cls ? 'spam' : 'ham'}","model":"prod","model_version":"v1"}`,
      );
      if (chunk.length === 2000) {
        fs.writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (chunk.length > 0) fs.writeSync(fd, chunk.join('\n') + '\n');
  } finally {
    fs.closeSync(fd);
  }
}

async function refresh(ctx: ReturnType<typeof createContext>, projectName: string): Promise<LearnRefreshResult> {
  const project = ctx.store.projects.byName(projectName)!;
  const t0 = performance.now();
  const result = await refreshLearner(ctx, project, { signal: new AbortController().signal }, computeInWorker);
  const wall = performance.now() - t0;
  if (!result.applied) throw new Error(`refresh did not apply: ${result.message}`);
  return { ...result, refresh: { ...result.refresh!, timings: { ...result.refresh!.timings, wallMs: wall } } };
}

/**
 * A learner refresh over `rows` examples and `labels` curated labels: fit (warm start from the
 * previous refresh, as in the loop), score every example, re-rank the queue; with 256 logged
 * features and with hashed text. And the hashing featuriser's throughput on one core.
 */
export async function learnBench(o: { rows: number; labels: number; workDir: string }) {
  fs.mkdirSync(o.workDir, { recursive: true });
  const log = path.join(o.workDir, `learn-${o.rows}.jsonl`);
  if (!fs.existsSync(log)) {
    process.stderr.write(`generating ${log}…\n`);
    writeLog(log, o.rows);
  }
  const db = path.join(o.workDir, `learn-${process.pid}.db`);
  removeDb(db);
  const ctx = createContext({ dbPath: db, runtime: 'cli', dataDir: o.workDir });
  try {
    process.stderr.write(`importing ${o.rows} rows…\n`);
    const { jobId } = await call(
      'import.start',
      {
        path: log,
        project: 'learn',
        mapping: {
          id: 'id',
          inputKind: 'text',
          text: 'text',
          features: { kind: 'vector', field: 'f', dim: DIM },
          timestamp: { field: 'ts', unit: 'ms' },
          taskType: 'binary',
          classes: ['ham', 'spam'],
          scores: { kind: 'columns', columns: ['p'] },
          scoreTransform: 'none',
          groundTruth: 'truth',
          model: { nameField: 'model', versionField: 'model_version' },
          metadata: [],
          sumTolerance: 0.01,
        },
        strict: false,
      },
      ctx,
    );
    const imported = await ctx.jobs.wait(jobId);
    if (imported.state !== 'succeeded') throw new Error(`import failed: ${imported.error?.message}`);
    const labels = Math.min(o.labels, o.rows);
    process.stderr.write(`labeling ${labels} examples…\n`);
    const project = ctx.store.projects.byName('learn')!;
    const truth = ctx.store.mining.groundTruth(project.id);
    const external = new Map(
      ctx.store.mining.candidates(truth.slice(0, labels).map((t) => t.id)).map((c) => [c.id, c.external_id]),
    );
    // The first labels, then the rest: the timed refresh warm-starts from the previous fit as the loop does.
    const label = async (from: number, to: number) => {
      for (let i = from; i < to; i++)
        await call(
          'labels.record',
          {
            project: { project: 'learn' },
            externalId: external.get(truth[i]!.id)!,
            annotator: 'bench',
            schemaVersion: 1,
            action: 'label',
            labels: [truth[i]!.ground_truth],
          },
          ctx,
        );
    };
    const first = Math.max(50, labels - 100);
    await label(0, first);
    await call('learn.configure', { project: { project: 'learn' }, representation: 'features', every: 100 }, ctx);
    await refresh(ctx, 'learn');
    await label(first, labels);
    process.stderr.write('refreshing (features)…\n');
    const features = (await refresh(ctx, 'learn')).refresh!;

    await call('learn.configure', { project: { project: 'learn' }, representation: 'text', every: 100 }, ctx);
    process.stderr.write('refreshing (hashed text)…\n');
    const text = (await refresh(ctx, 'learn')).refresh!;

    const texts = Array.from(
      { length: Math.min(o.rows, 50_000) },
      (_, i) => `${WORDS[i % 2]!.join(' ')} message ${i} about the offer`,
    );
    hashTexts(texts.slice(0, 1000));
    const h0 = performance.now();
    hashTexts(texts);
    const hashSeconds = (performance.now() - h0) / 1000;

    const t = features.timings;
    return {
      bench: 'learn',
      rows: o.rows,
      labels: features.labels,
      fit_ms: round(t.fitMs ?? 0),
      score_ms: round(t.scoreMs ?? 0),
      rerank_ms: round(t.rerankMs ?? 0),
      refresh_ms: round(t.wallMs ?? 0),
      hash_texts_per_s: Math.round(texts.length / hashSeconds),
      phases_ms: { read: t.readMs, labels: t.labelsMs, write: t.writeMs, apply: t.applyMs },
      text: {
        fit_ms: round(text.timings.fitMs ?? 0),
        score_ms: round(text.timings.scoreMs ?? 0),
        rerank_ms: round(text.timings.rerankMs ?? 0),
        refresh_ms: round(text.timings.wallMs ?? 0),
        read_ms: text.timings.readMs,
        hash_ms: text.timings.hashMs,
      },
      fit: { features: features.fit, text: text.fit },
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
  }
}
