import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import { rankRows } from '../src/main/features/mining/mine';
import { chooseModelRuns } from '../src/main/features/mining/model-runs';
import { topK } from '../src/shared/features/mining';
import { MiningRequestSchema } from '../src/shared/features/mining/contract';
import type { Input } from '../src/shared/api/contract';
import { median, removeDb, round, twoRunDatabase } from './bench-data';

const TOP = 10_000;
const REPEAT = 7;

/** The first call (cold: columns read from disk) and REPEAT more (warm: columns cached in memory). */
function time(fn: () => void): { cold: number; warm: number[] } {
  const c0 = performance.now();
  fn();
  const cold = performance.now() - c0;
  const out: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return { cold, warm: out };
}

/** DuckDB's time for the same entropy top-k over the same scores, loaded into an in-memory table. */
async function duckdbEntropy(log: string): Promise<number[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    await con.run(
      `CREATE TABLE p AS SELECT id, scores[1] AS p0, scores[2] AS p1, scores[3] AS p2
       FROM read_json('${log.replace(/'/g, "''")}', columns={id: 'VARCHAR', scores: 'FLOAT[]'}, format='newline_delimited')`,
    );
    const query = `SELECT id, -(p0 * ln(greatest(p0, 1e-12)) + p1 * ln(greatest(p1, 1e-12)) + p2 * ln(greatest(p2, 1e-12))) / ln(3) AS h
      FROM p ORDER BY h DESC LIMIT ${TOP}`;
    await con.runAndReadAll(query);
    const out: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const t0 = performance.now();
      const rows = await con.runAndReadAll(query);
      out.push(performance.now() - t0);
      if (rows.currentRowCount !== TOP) throw new Error(`DuckDB returned ${rows.currentRowCount} rows`);
    }
    return out;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

export async function mineBench(o: { rows: number; workDir: string }) {
  const { db, logs } = await twoRunDatabase(o.workDir, o.rows);
  const ctx = createContext({ dbPath: db, runtime: 'cli', dataDir: o.workDir });
  try {
    const project = ctx.store.projects.byName('sentiment')!;
    const request = (strategy: Input<'mining.run'>['strategy']) =>
      MiningRequestSchema.parse({ project: { project: 'sentiment' }, strategy, limit: TOP });
    const ranking = (strategy: Input<'mining.run'>['strategy']) => {
      const req = request(strategy);
      const runs = chooseModelRuns(project, req.strategy.strategy, ctx.store.mining.modelRuns(project.id), undefined);
      return () => {
        // What the DuckDB query does: read every row's scores, score them, keep the top 10,000.
        const { priority, loaded } = rankRows(ctx, project, req, runs);
        const top = topK(priority, TOP, loaded.eligible);
        if (top.length !== TOP) throw new Error(`ranked ${top.length}`);
      };
    };
    const entropy = time(ranking({ strategy: 'entropy' }));
    const disagreement = time(ranking({ strategy: 'disagreement', measure: 'label-flip' }));
    const duck = await duckdbEntropy(logs[0]!.replace('-v1.', '-v2.'));

    // The whole mining run as the CLI does it: ranking, duplicate suppression, reasons, queue write.
    const t0 = performance.now();
    const full = await call(
      'mining.run',
      { project: { project: 'sentiment' }, strategy: { strategy: 'entropy' }, limit: TOP },
      ctx,
    );
    const fullMs = performance.now() - t0;

    const entropyMs = median(entropy.warm);
    const disagreementMs = median(disagreement.warm);
    const duckMs = median(duck);
    process.stderr.write(
      `entropy: cold ${round(entropy.cold)} ms, warm ${entropy.warm.map((t) => round(t)).join(' ')} ms\n` +
        `disagreement: cold ${round(disagreement.cold)} ms (one run already cached), warm ${disagreement.warm.map((t) => round(t)).join(' ')} ms\n` +
        `duckdb ${duck.map((t) => round(t)).join(' ')} ms\nfull mining.run (entropy, dedupe, reasons, queue write): ${round(fullMs)} ms ` +
        `(${JSON.stringify(full.timings)})\n`,
    );
    return {
      bench: 'mine',
      rows: o.rows,
      entropy_ms: round(entropyMs),
      disagreement_ms: round(disagreementMs),
      duckdb_entropy_ms: round(duckMs),
      ratio: round(Math.max(entropyMs, disagreementMs) / duckMs, 2),
      entropy_cold_ms: round(entropy.cold),
      full_mine_ms: round(fullMs),
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
  }
}
