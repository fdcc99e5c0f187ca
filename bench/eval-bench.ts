import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import { removeDb, round, twoRunDatabase } from './bench-data';

const CLASSES = ['negative', 'neutral', 'positive'];

/**
 * Eval on a large project: two model runs over `rows` demo examples (with their channel and lang
 * metadata), the demo's ground truth (~10% of the rows) and rows / 50 curated labels. eval_ms: one
 * whole `insights.eval` as the CLI runs it (reports of both runs, the gate with 1,000 resamples);
 * bootstrap_ms: the 1,000 resamples' share, from the difference to a run with 100 resamples.
 */
export async function evalBench(o: { rows: number; workDir: string }) {
  const { db } = await twoRunDatabase(o.workDir, o.rows);
  const ctx = createContext({ dbPath: db, runtime: 'cli', dataDir: o.workDir });
  try {
    const project = { project: 'sentiment' };
    const schemaVersion = (await call('labels.versions', project, ctx)).at(-1)!.version;
    const curated = Math.floor(o.rows / 50);
    // Setup only: label commits without an fsync each, so building the fixture stays quick.
    ctx.store.db.pragma('synchronous = OFF');
    const step = Math.max(1, Math.floor(o.rows / curated));
    for (let i = 0; i < curated; i++) {
      await call(
        'labels.record',
        {
          project,
          externalId: `s-${String(i * step + 1).padStart(7, '0')}`,
          annotator: 'bench',
          schemaVersion,
          action: 'label',
          labels: [CLASSES[i % 3]!],
        },
        ctx,
      );
    }
    ctx.store.db.pragma('synchronous = FULL');
    const request = { project, source: 'both' as const, champion: 'v1', challenger: 'v2', metric: 'accuracy' as const };
    await call('insights.eval', { ...request, samples: 100 }, ctx); // warm-up: the columns come into memory
    const t0 = performance.now();
    const r = await call('insights.eval', { ...request, samples: 100 }, ctx);
    const shortMs = performance.now() - t0;
    const t1 = performance.now();
    await call('insights.eval', { ...request, samples: 1000 }, ctx);
    const evalMs = performance.now() - t1;
    // Slice discovery on the same labels: metadata values and pairs of them, one run against another.
    const t2 = performance.now();
    await call('insights.slices', { project, source: 'both', run: 'v2', vs: 'v1', maxDepth: 2 }, ctx);
    const slicesMs = performance.now() - t2;
    process.stderr.write(
      `eval with 100 resamples: ${round(shortMs)} ms; with 1,000: ${round(evalMs)} ms; ` +
        `${r.evaluationSet.n} labels (${r.evaluationSet.fromTruth} ground truth, ${r.evaluationSet.fromCurated} curated)\n`,
    );
    return {
      bench: 'eval',
      rows: o.rows,
      labels: r.evaluationSet.n,
      eval_ms: round(evalMs),
      bootstrap_ms: round((Math.max(0, evalMs - shortMs) / 900) * 1000),
      slices_ms: round(slicesMs),
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
  }
}
