import type { Statement } from 'better-sqlite3';
import type { Db } from './database';
import { prepared } from './database';
import { PredictionColumnWriter } from './prediction-columns';

const CHUNK = 64;

function valuesList(rows: number): string {
  return new Array<string>(rows).fill('(?, ?, ?, ?, ?)').join(', ');
}

/**
 * Writes one batch of rescored predictions, its columnar copy, its predicted-class tallies and the
 * run's checkpoint (the last example id done) in one transaction: a crash leaves whole batches and
 * the place to resume from.
 */
export class RescoreWriter {
  private readonly inserts = new Map<number, Statement>();
  private readonly columns: PredictionColumnWriter;
  readonly writeBatch: (exampleIds: Int32Array, predicted: Int32Array, scores: Float32Array, width: number) => void;

  constructor(
    private readonly db: Db,
    private readonly importRunId: number,
    private readonly modelRunId: number,
  ) {
    this.columns = new PredictionColumnWriter(db);
    this.writeBatch = db.transaction((ids: Int32Array, predicted: Int32Array, scores: Float32Array, width: number) =>
      this.write(ids, predicted, scores, width),
    );
  }

  private insert(rows: number): Statement {
    let s = this.inserts.get(rows);
    if (!s) {
      s = this.db.prepare(
        `INSERT INTO predictions (model_run_id, example_id, predicted, scores, import_run_id) VALUES ${valuesList(rows)}
         ON CONFLICT DO NOTHING`,
      );
      this.inserts.set(rows, s);
    }
    return s;
  }

  private write(ids: Int32Array, predicted: Int32Array, scores: Float32Array, width: number): void {
    const n = ids.length;
    const bytes = Buffer.from(scores.buffer, scores.byteOffset, scores.byteLength);
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      const params: unknown[] = [];
      for (let i = start; i < end; i++) {
        params.push(
          this.modelRunId,
          ids[i],
          predicted[i],
          bytes.subarray(i * width * 4, (i + 1) * width * 4),
          this.importRunId,
        );
      }
      this.insert(end - start).run(params);
    }
    this.columns.append(
      this.modelRunId,
      this.importRunId,
      Array.from({ length: n }, (_, i) => i),
      ids,
      predicted,
      scores,
      width,
    );
    const tally = new Map<number, number>();
    for (const p of predicted) tally.set(p, (tally.get(p) ?? 0) + 1);
    const add = prepared(
      this.db,
      `INSERT INTO import_run_counts (import_run_id, model_run_id, value, n) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET n = n + excluded.n`,
    );
    for (const [value, count] of tally) add.run(this.importRunId, this.modelRunId, String(value), count);
    prepared(
      this.db,
      `UPDATE import_runs SET records_read = ?, rows_imported = rows_imported + ? WHERE id = ? AND status = 'running'`,
    ).run(ids[n - 1] ?? 0, n, this.importRunId);
  }
}
