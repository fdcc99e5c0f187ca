import type { Statement } from 'better-sqlite3';
import { prepared, type Db } from './database';

/** One model run's predictions as columns: row i is example exampleIds[i]. */
export interface PredictionColumns {
  modelRunId: number;
  n: number;
  width: number;
  exampleIds: Int32Array;
  predicted: Float64Array;
  scores: Float32Array;
}

interface ChunkRow {
  rows: number;
  width: number;
  example_ids: Buffer;
  predicted: Buffer;
  scores: Buffer;
}

function bytes(a: Int32Array | Float64Array | Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes the columnar copy of predictions, inside the caller's transaction. */
export class PredictionColumnWriter {
  private readonly insert: Statement;
  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO prediction_columns (model_run_id, import_run_id, rows, width, example_ids, predicted, scores)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** `rows` index into the batch arrays: the predictions actually inserted. */
  append(
    modelRunId: number,
    importRunId: number | null,
    rows: readonly number[],
    exampleIds: ArrayLike<number>,
    predicted: ArrayLike<number>,
    scores: Float32Array,
    width: number,
  ): void {
    const n = rows.length;
    if (n === 0) return;
    const ids = new Int32Array(n);
    const pred = new Float64Array(n);
    let contiguous = rows[0] === 0 && rows[n - 1] === n - 1;
    for (let r = 0; r < n; r++) {
      const i = rows[r]!;
      ids[r] = exampleIds[i]!;
      pred[r] = predicted[i]!;
      contiguous &&= i === r;
    }
    let s: Float32Array;
    if (contiguous) {
      s = scores.subarray(0, n * width); // every row of the batch was written: no gather needed
    } else {
      s = new Float32Array(n * width);
      for (let r = 0; r < n; r++) {
        const from = rows[r]! * width;
        for (let c = 0; c < width; c++) s[r * width + c] = scores[from + c]!;
      }
    }
    this.insert.run(modelRunId, importRunId, n, width, bytes(ids), bytes(pred), bytes(s));
  }
}

/** Copies a blob into a fresh, aligned typed array. */
function copyInto<T extends Int32Array | Float64Array | Float32Array>(target: T, offset: number, blob: Buffer): void {
  new Uint8Array(target.buffer, target.byteOffset + offset * target.BYTES_PER_ELEMENT, blob.byteLength).set(blob);
}

const VISIBLE = `FROM prediction_columns c LEFT JOIN import_runs r ON r.id = c.import_run_id
  WHERE c.model_run_id = ? AND (c.import_run_id IS NULL OR r.status = 'done')`;

/** Model runs whose columns stay in memory between mining runs (about 24 MB per million rows). */
const CACHED_RUNS = 4;

export class PredictionColumnQueries {
  private readonly cache = new Map<number, { version: string; columns: PredictionColumns }>();

  constructor(private readonly db: Db) {}

  /**
   * Every visible prediction of a model run as columns (rows of unfinished imports excluded).
   * A run written before columns existed is backfilled once from its rows. The columns of recent
   * runs are kept in memory while their chunks are unchanged: the arrays are shared, never modify them.
   * Not while another statement on this connection is being iterated: the read opens a transaction.
   */
  load(modelRunId: number): PredictionColumns {
    this.backfill(modelRunId);
    const version = prepared(this.db, `SELECT count(*) || ':' || coalesce(max(c.id), 0) ${VISIBLE}`)
      .pluck()
      .get(modelRunId) as string;
    const hit = this.cache.get(modelRunId);
    if (hit && hit.version === version) {
      this.cache.delete(modelRunId); // most recently used goes last
      this.cache.set(modelRunId, hit);
      return hit.columns;
    }
    const columns = this.read(modelRunId);
    this.cache.delete(modelRunId);
    this.cache.set(modelRunId, { version, columns });
    while (this.cache.size > CACHED_RUNS) this.cache.delete(this.cache.keys().next().value!);
    return columns;
  }

  /**
   * Chunk by chunk: holding every blob and the arrays they are copied into would double the peak.
   * One read transaction, so the size and the chunks come from the same snapshot.
   */
  private read(modelRunId: number): PredictionColumns {
    return this.db.transaction(() => this.readChunks(modelRunId))();
  }

  private readChunks(modelRunId: number): PredictionColumns {
    const size = prepared(this.db, `SELECT coalesce(sum(c.rows), 0) AS n, max(c.width) AS width ${VISIBLE}`).get(
      modelRunId,
    ) as { n: number; width: number | null };
    const width = size.width ?? 1;
    const out: PredictionColumns = {
      modelRunId,
      n: size.n,
      width,
      exampleIds: new Int32Array(size.n),
      predicted: new Float64Array(size.n),
      scores: new Float32Array(size.n * width),
    };
    let at = 0;
    const chunks = prepared(
      this.db,
      `SELECT c.rows, c.width, c.example_ids, c.predicted, c.scores ${VISIBLE} ORDER BY c.id`,
    );
    for (const c of chunks.iterate(modelRunId) as IterableIterator<ChunkRow>) {
      if (c.width !== width) throw new Error(`model run ${modelRunId}: chunks of ${c.width} and ${width} scores a row`);
      copyInto(out.exampleIds, at, c.example_ids);
      copyInto(out.predicted, at, c.predicted);
      copyInto(out.scores, at * width, c.scores);
      at += c.rows;
    }
    return out;
  }

  private backfill(modelRunId: number): void {
    const hasColumns = this.db.prepare('SELECT 1 FROM prediction_columns WHERE model_run_id = ? LIMIT 1');
    if (hasColumns.get(modelRunId)) return;
    const missing = this.db.prepare('SELECT 1 FROM predictions WHERE model_run_id = ? LIMIT 1').get(modelRunId);
    if (!missing) return;
    const writer = new PredictionColumnWriter(this.db);
    const page = this.db.prepare(
      `SELECT example_id, predicted, scores, import_run_id FROM predictions
       WHERE model_run_id = ? AND example_id > ? ORDER BY example_id LIMIT 65536`,
    );
    type Row = { example_id: number; predicted: number; scores: Buffer; import_run_id: number | null };
    this.db
      .transaction(() => {
        for (let after = 0; ;) {
          const rows = page.all(modelRunId, after) as Row[];
          if (rows.length === 0) break;
          after = rows[rows.length - 1]!.example_id;
          const width = rows[0]!.scores.byteLength / 4;
          const byRun = new Map<number | null, number[]>();
          rows.forEach((r, i) => {
            const list = byRun.get(r.import_run_id);
            if (list) list.push(i);
            else byRun.set(r.import_run_id, [i]);
          });
          const scores = new Float32Array(rows.length * width);
          rows.forEach((r, i) => copyInto(scores, i * width, r.scores));
          const ids = rows.map((r) => r.example_id);
          const predicted = rows.map((r) => r.predicted);
          for (const [importRunId, idx] of byRun)
            writer.append(modelRunId, importRunId, idx, ids, predicted, scores, width);
        }
      })
      .immediate();
  }
}
