import path from 'node:path';
import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import { openDatabase, closeDatabase } from '../src/main/store/database';
import { percentile, removeDb, round, twoRunDatabase } from './bench-data';

const CLASSES = ['negative', 'neutral', 'positive'];

/** A bare one-row insert + commit with the primary connection's pragmas: the disk's floor. */
function fsyncFloor(workDir: string, n: number): number[] {
  const file = path.join(workDir, `fsync-${process.pid}.db`);
  removeDb(file);
  const db = openDatabase(file);
  try {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      insert.run(`row ${i}`); // autocommit: one transaction, fsync'd (synchronous=FULL)
      out.push(performance.now() - t0);
    }
    return out;
  } finally {
    closeDatabase(db);
    removeDb(file);
  }
}

/** next-item + label commit, as a review window does it, on a 1M-example project. */
export async function labelBench(o: { rows: number; labels: number; workDir: string }) {
  const { db } = await twoRunDatabase(o.workDir, o.rows);
  // As the review screen runs it: the app's context, with its background WAL checkpointer.
  const ctx = createContext({ dbPath: db, runtime: 'server', dataDir: o.workDir });
  try {
    const project = { project: 'sentiment' };
    const mined = await call('mining.run', { project, strategy: { strategy: 'entropy' }, limit: o.labels + 100 }, ctx);
    if (mined.added < o.labels) throw new Error(`only ${mined.added} items queued`);
    const schemaVersion = (await call('labels.versions', project, ctx)).at(-1)!.version;
    const times: number[] = [];
    const nextTimes: number[] = [];
    for (let i = 0; i < o.labels; i++) {
      const t0 = performance.now();
      const next = await call('queue.next', { project, annotator: 'bench', session: 'w1' }, ctx);
      const t1 = performance.now();
      if (!next.item) throw new Error('queue ran dry');
      await call(
        'labels.record',
        {
          project,
          externalId: next.item.externalId,
          annotator: 'bench',
          schemaVersion,
          action: 'label',
          labels: [CLASSES[i % 3]!],
          timeSpentMs: 1200,
          clientEventId: `bench-${i}`,
        },
        ctx,
      );
      const t2 = performance.now();
      times.push(t2 - t0);
      nextTimes.push(t1 - t0);
    }
    const floor = fsyncFloor(o.workDir, o.labels);
    process.stderr.write(
      `next-item alone: p50 ${round(percentile(nextTimes, 50), 3)} ms, p99 ${round(percentile(nextTimes, 99), 3)} ms\n` +
        `fsync floor: p50 ${round(percentile(floor, 50), 3)} ms\n`,
    );
    return {
      bench: 'label',
      labels: o.labels,
      p50_ms: round(percentile(times, 50), 3),
      p99_ms: round(percentile(times, 99), 3),
      fsync_p99_ms: round(percentile(floor, 99), 3),
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
  }
}
