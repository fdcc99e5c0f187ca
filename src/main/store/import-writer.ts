import type { Statement } from 'better-sqlite3';
import type { Db } from './database';
import type { RowBatch, SourceReject } from '../features/import/batch';
import { PredictionColumnWriter } from './prediction-columns';

export interface BatchOutcome {
  imported: number;
  present: number;
  examplesAdded: number;
  /** Rows refused at write time (duplicate ids in the file, an id reused for other content). */
  rejects: SourceReject[];
}

/** The run is no longer this process's: another took it over after its heartbeat went stale. */
export class RunTakenOverError extends Error {}

/** Rows per multi-row INSERT: fewer statement calls, well under SQLite's parameter limit. */
const CHUNK = 64;
const EXAMPLE_COLUMNS =
  'id, project_id, external_id, ts, text, text_parts, features, image_path, metadata, ground_truth, content_hash, import_run_id';
const PREDICTION_COLUMNS = 'model_run_id, example_id, predicted, scores, import_run_id';

function valuesList(rows: number, columns: number): string {
  const one = `(${new Array<string>(columns).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(one).join(', ');
}

/**
 * Writes validated batches of one import run. Each batch and the run's checkpoint commit
 * together, so a crash leaves whole batches and a record count to resume from.
 */
export class ImportWriter {
  private readonly insertExamples = new Map<number, Statement>();
  private readonly insertPredictions = new Map<string, Statement>();
  private readonly idsInRange;
  private readonly nextExampleId;
  private readonly findExample;
  private readonly predictionOwner;
  private readonly insertModelRun;
  private readonly findModelRun;
  private readonly checkpoint;
  private readonly addCount;
  private readonly modelRunIds = new Map<string, number>(); // "name\u0000version" → model run
  private readonly columns: PredictionColumnWriter;
  /**
   * `parserRejects` are rows the parser refused; `appendRejects` writes rejects to the
   * rejects file and returns its new size, recorded in the same transaction.
   */
  readonly writeBatch: (
    batch: RowBatch,
    recordsEnd: number,
    parserRejects: SourceReject[],
    appendRejects: (rejects: SourceReject[]) => number,
  ) => BatchOutcome;

  constructor(
    private readonly db: Db,
    private readonly projectId: number,
    private readonly importRunId: number,
    /** The run's holder: a batch commits only while the run is still this holder's. */
    private readonly owner: { pid: number; host: string },
    /** JSONL: a record's row number is its line number. */
    private readonly rowsAreLines = false,
  ) {
    this.nextExampleId = db.prepare('SELECT coalesce(max(id), 0) + 1 FROM examples').pluck();
    this.idsInRange = db.prepare('SELECT id FROM examples WHERE id >= ? AND id < ?').pluck();
    this.findExample = db.prepare('SELECT id, content_hash FROM examples WHERE project_id = ? AND external_id = ?');
    this.predictionOwner = db
      .prepare('SELECT import_run_id FROM predictions WHERE model_run_id = ? AND example_id = ?')
      .pluck();
    this.insertModelRun = db.prepare(
      `INSERT INTO model_runs (project_id, source, model_name, model_version, import_run_id, created_at)
       VALUES (?, 'import', ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.findModelRun = db
      .prepare(
        `SELECT id FROM model_runs WHERE project_id = ? AND source = 'import' AND model_name = ? AND model_version = ?`,
      )
      .pluck();
    this.checkpoint = db.prepare(
      `UPDATE import_runs SET records_read = @recordsEnd, rejects_bytes = @rejectsBytes,
         rows_imported = rows_imported + @imported, rows_present = rows_present + @present,
         rows_rejected = rows_rejected + @rejected, examples_added = examples_added + @examplesAdded,
         truth_added = truth_added + @truthAdded,
         min_ts = CASE WHEN @minTs IS NULL THEN min_ts WHEN min_ts IS NULL THEN @minTs ELSE min(min_ts, @minTs) END,
         max_ts = CASE WHEN @maxTs IS NULL THEN max_ts WHEN max_ts IS NULL THEN @maxTs ELSE max(max_ts, @maxTs) END,
         heartbeat_at = @now
       WHERE id = @id AND status = 'running' AND owner_pid = @pid AND owner_host = @host`,
    );
    this.addCount = db.prepare(
      `INSERT INTO import_run_counts (import_run_id, model_run_id, value, n) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET n = n + excluded.n`,
    );
    this.columns = new PredictionColumnWriter(db);
    const transaction = db.transaction(
      (
        batch: RowBatch,
        recordsEnd: number,
        parserRejects: SourceReject[],
        appendRejects: (r: SourceReject[]) => number,
      ) => this.write(batch, recordsEnd, parserRejects, appendRejects),
    );
    // IMMEDIATE: the batch's first statement reads max(id); a deferred transaction whose snapshot
    // another connection's commit made stale could not then take the write lock (SQLITE_BUSY_SNAPSHOT).
    this.writeBatch = (...args) => transaction.immediate(...args);
  }

  // No RETURNING on the usual path: it costs about a fifth of the writer's time (measured).
  private examplesStatement(rows: number): Statement {
    let s = this.insertExamples.get(rows);
    if (!s) {
      s = this.db.prepare(
        `INSERT INTO examples (${EXAMPLE_COLUMNS}) VALUES ${valuesList(rows, 12)}
         ON CONFLICT (project_id, external_id) DO NOTHING`,
      );
      this.insertExamples.set(rows, s);
    }
    return s;
  }

  /** `returning`: the (model run, example) of each row written, for chunks that may hit stored predictions. */
  private predictionsStatement(rows: number, returning: boolean): Statement {
    const key = `${rows}${returning ? 'r' : ''}`;
    let s = this.insertPredictions.get(key);
    if (!s) {
      const sql = `INSERT INTO predictions (${PREDICTION_COLUMNS}) VALUES ${valuesList(rows, 5)} ON CONFLICT DO NOTHING`;
      s = returning ? this.db.prepare(`${sql} RETURNING model_run_id, example_id`).raw() : this.db.prepare(sql);
      this.insertPredictions.set(key, s);
    }
    return s;
  }

  /**
   * The model run of a batch's model index. Indexes are the parser's own numbering: each parser
   * of a sharded import numbers the models it meets, so runs are known by name and version.
   */
  private modelRunsOf(batch: RowBatch): (index: number) => number {
    const ids: (number | undefined)[] = [];
    return (index) => {
      let id = ids[index];
      if (id === undefined) {
        const [name, version] = batch.models[index]!;
        const key = `${name}\u0000${version}`;
        id = this.modelRunIds.get(key);
        if (id === undefined) {
          this.insertModelRun.run(this.projectId, name, version, this.importRunId, Date.now());
          id = this.findModelRun.get(this.projectId, name, version) as number;
          this.modelRunIds.set(key, id);
        }
        ids[index] = id;
      }
      return id;
    };
  }

  private write(
    batch: RowBatch,
    recordsEnd: number,
    parserRejects: SourceReject[],
    appendRejects: (r: SourceReject[]) => number,
  ): BatchOutcome {
    const out: BatchOutcome = { imported: 0, present: 0, examplesAdded: 0, rejects: [] };
    const n = batch.n;
    const { features, featureDim, scores, width } = batch;
    const scoreBytes = Buffer.from(scores.buffer, scores.byteOffset, scores.byteLength);
    const featureBytes = features ? Buffer.from(features.buffer, features.byteOffset, features.byteLength) : null;

    // Examples get ids in file order; an id the unique key refuses stays unused.
    const modelRun = this.modelRunsOf(batch);
    const firstId = this.nextExampleId.get() as number;
    const exampleIds = new Float64Array(n);
    const skip = new Uint8Array(n);
    const isNew = new Uint8Array(n);
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      const params: unknown[] = [];
      for (let i = start; i < end; i++) {
        const ts = batch.ts[i]!;
        params.push(
          firstId + i,
          this.projectId,
          batch.ids[i],
          Number.isNaN(ts) ? null : ts,
          batch.texts[i],
          batch.textParts[i],
          featureBytes ? featureBytes.subarray(i * featureDim * 4, (i + 1) * featureDim * 4) : null,
          batch.imagePaths[i],
          batch.metadata[i],
          batch.groundTruth[i],
          batch.hashes[i],
          this.importRunId,
        );
      }
      const added = this.examplesStatement(end - start).run(params).changes;
      out.examplesAdded += added;
      if (added === end - start) {
        for (let i = start; i < end; i++) {
          exampleIds[i] = firstId + i;
          isNew[i] = 1;
        }
        continue;
      }
      // Rows the unique key refused left their ids unused: the ids present are the rows added.
      const fresh = new Set(this.idsInRange.all(firstId + start, firstId + end) as number[]);
      for (let i = start; i < end; i++) {
        if (fresh.has(firstId + i)) {
          exampleIds[i] = firstId + i;
          isNew[i] = 1;
          continue;
        }
        const existing = this.findExample.get(this.projectId, batch.ids[i]) as { id: number; content_hash: number };
        if (existing.content_hash !== batch.hashes[i]) {
          out.rejects.push(this.reject(batch, i, `id '${batch.ids[i]}' is already stored with a different input`));
          skip[i] = 1;
        } else exampleIds[i] = existing.id;
      }
    }

    const predicted = new Map<string, number>(); // "modelRunId\u0000value" → rows
    const insertedRows = new Map<number, number[]>(); // model run → batch rows written
    const countPrediction = (i: number) => {
      const modelRunId = modelRun(batch.modelIndex[i]!);
      const key = `${modelRunId}\u0000${batch.predicted[i]}`;
      predicted.set(key, (predicted.get(key) ?? 0) + 1);
      const rows = insertedRows.get(modelRunId);
      if (rows) rows.push(i);
      else insertedRows.set(modelRunId, [i]);
    };
    const rowsToWrite: number[] = [];
    for (let i = 0; i < n; i++) if (!skip[i]) rowsToWrite.push(i);
    for (let start = 0; start < rowsToWrite.length; start += CHUNK) {
      const chunk = rowsToWrite.slice(start, start + CHUNK);
      const params: unknown[] = [];
      for (const i of chunk) {
        params.push(
          modelRun(batch.modelIndex[i]!),
          exampleIds[i],
          batch.predicted[i],
          scoreBytes.subarray(i * width * 4, (i + 1) * width * 4),
          this.importRunId,
        );
      }
      // Predictions of examples this batch added cannot be stored yet: no conflict to tell apart.
      if (chunk.every((i) => isNew[i])) {
        const written = this.predictionsStatement(chunk.length, false).run(params).changes;
        if (written !== chunk.length) throw new Error(`${chunk.length - written} predictions of new examples refused`);
        out.imported += written;
        for (const i of chunk) countPrediction(i);
        continue;
      }
      const inserted = this.predictionsStatement(chunk.length, true).all(params) as [number, number][];
      out.imported += inserted.length;
      if (inserted.length === chunk.length) {
        for (const i of chunk) countPrediction(i);
        continue;
      }
      // Some rows conflicted: tell a repeat inside this file from a prediction stored earlier. A
      // pair is written once, by the first of its rows (VALUES are inserted in order).
      const written = new Set(inserted.map(([run, id]) => `${run}:${id}`));
      for (const i of chunk) {
        const id = exampleIds[i]!;
        const modelRunId = modelRun(batch.modelIndex[i]!);
        if (written.delete(`${modelRunId}:${id}`)) {
          countPrediction(i);
          continue;
        }
        if (this.predictionOwner.get(modelRunId, id) === this.importRunId) {
          const [name, version] = batch.models[batch.modelIndex[i]!]!;
          out.rejects.push(
            this.reject(batch, i, `duplicate id '${batch.ids[i]}' for model ${name} ${version} in this file`),
          );
        } else out.present++;
      }
    }

    for (const [modelRunId, rows] of insertedRows) {
      this.columns.append(modelRunId, this.importRunId, rows, exampleIds, batch.predicted, scores, width);
    }

    let truthAdded = 0;
    let minTs = Infinity;
    let maxTs = -Infinity;
    const truth = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (!isNew[i]) continue;
      const t = batch.ts[i]!;
      if (!Number.isNaN(t)) {
        if (t < minTs) minTs = t;
        if (t > maxTs) maxTs = t;
      }
      const g = batch.groundTruth[i];
      if (g !== null && g !== undefined) {
        truthAdded++;
        truth.set(g, (truth.get(g) ?? 0) + 1);
      }
    }
    for (const [key, count] of predicted) {
      const [modelRunId, value] = key.split('\u0000');
      this.addCount.run(this.importRunId, Number(modelRunId), value, count);
    }
    for (const [label, count] of truth) this.addCount.run(this.importRunId, 0, label, count);

    const all =
      out.rejects.length > 0 ? [...parserRejects, ...out.rejects].sort((a, b) => a.row - b.row) : parserRejects;
    const rejectsBytes = appendRejects(all);
    const checkpointed = this.checkpoint.run({
      recordsEnd,
      rejectsBytes,
      imported: out.imported,
      present: out.present,
      rejected: all.length,
      examplesAdded: out.examplesAdded,
      truthAdded,
      minTs: Number.isFinite(minTs) ? minTs : null,
      maxTs: Number.isFinite(maxTs) ? maxTs : null,
      id: this.importRunId,
      now: Date.now(),
      pid: this.owner.pid,
      host: this.owner.host,
    });
    // Throwing rolls the whole batch back: a holder that lost the run writes nothing more into it.
    if (checkpointed.changes !== 1)
      throw new RunTakenOverError(`import #${this.importRunId} is no longer this process's`);
    return out;
  }

  private reject(batch: RowBatch, i: number, reason: string): SourceReject {
    const row = batch.rows[i]!;
    return { row, line: this.rowsAreLines ? row : null, field: 'id', reason, raw: batch.ids[i]! };
  }
}
