import type { Db } from './database';
import type { RowBatch, SourceReject } from '../features/import/batch';

export interface BatchOutcome {
  imported: number;
  present: number;
  examplesAdded: number;
  /** Rows refused at write time (duplicate ids in the file, an id reused for other content). */
  rejects: SourceReject[];
}

/**
 * Writes validated batches of one import run. Each batch and the run's checkpoint commit
 * together, so a crash leaves whole batches and a record count to resume from.
 */
export class ImportWriter {
  private readonly insertExample;
  private readonly findExample;
  private readonly insertPrediction;
  private readonly predictionOwner;
  private readonly insertModelRun;
  private readonly findModelRun;
  private readonly checkpoint;
  private readonly modelRunIds = new Map<number, number>();
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
  ) {
    this.insertExample = db.prepare(
      `INSERT INTO examples (project_id, external_id, ts, text, features, image_path, metadata, ground_truth, content_hash, import_run_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, external_id) DO NOTHING`,
    );
    this.findExample = db.prepare('SELECT id, content_hash FROM examples WHERE project_id = ? AND external_id = ?');
    this.insertPrediction = db.prepare(
      `INSERT INTO predictions (model_run_id, example_id, predicted, scores, import_run_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    this.predictionOwner = db.prepare('SELECT import_run_id FROM predictions WHERE model_run_id = ? AND example_id = ?').pluck();
    this.insertModelRun = db.prepare(
      `INSERT INTO model_runs (project_id, source, model_name, model_version, import_run_id, created_at)
       VALUES (?, 'import', ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.findModelRun = db
      .prepare(`SELECT id FROM model_runs WHERE project_id = ? AND source = 'import' AND model_name = ? AND model_version = ?`)
      .pluck();
    this.checkpoint = db.prepare(
      `UPDATE import_runs SET records_read = ?, rejects_bytes = ?, rows_imported = rows_imported + ?,
         rows_present = rows_present + ?, rows_rejected = rows_rejected + ?, examples_added = examples_added + ?
       WHERE id = ? AND status = 'running'`,
    );
    this.writeBatch = db.transaction(
      (batch: RowBatch, recordsEnd: number, parserRejects: SourceReject[], appendRejects: (r: SourceReject[]) => number) =>
        this.write(batch, recordsEnd, parserRejects, appendRejects),
    );
  }

  private modelRun(batch: RowBatch, index: number): number {
    let id = this.modelRunIds.get(index);
    if (id === undefined) {
      const [name, version] = batch.models[index]!;
      this.insertModelRun.run(this.projectId, name, version, this.importRunId, Date.now());
      id = this.findModelRun.get(this.projectId, name, version) as number;
      this.modelRunIds.set(index, id);
    }
    return id;
  }

  private write(
    batch: RowBatch,
    recordsEnd: number,
    parserRejects: SourceReject[],
    appendRejects: (r: SourceReject[]) => number,
  ): BatchOutcome {
    const out: BatchOutcome = { imported: 0, present: 0, examplesAdded: 0, rejects: [] };
    const { features, featureDim, scores, width } = batch;
    const scoreBytes = Buffer.from(scores.buffer, scores.byteOffset, scores.byteLength);
    const featureBytes = features ? Buffer.from(features.buffer, features.byteOffset, features.byteLength) : null;
    for (let i = 0; i < batch.n; i++) {
      const externalId = batch.ids[i]!;
      const ts = batch.ts[i]!;
      const hash = batch.hashes[i]!;
      const info = this.insertExample.run(
        this.projectId,
        externalId,
        Number.isNaN(ts) ? null : ts,
        batch.texts[i],
        featureBytes ? featureBytes.subarray(i * featureDim * 4, (i + 1) * featureDim * 4) : null,
        batch.imagePaths[i],
        batch.metadata[i],
        batch.groundTruth[i],
        hash,
        this.importRunId,
      );
      let exampleId: number;
      if (info.changes === 1) {
        exampleId = Number(info.lastInsertRowid);
        out.examplesAdded++;
      } else {
        const existing = this.findExample.get(this.projectId, externalId) as { id: number; content_hash: number };
        if (existing.content_hash !== hash) {
          out.rejects.push(this.reject(batch, i, `id '${externalId}' is already stored with a different input`));
          continue;
        }
        exampleId = existing.id;
      }
      const modelRunId = this.modelRun(batch, batch.modelIndex[i]!);
      const p = this.insertPrediction.run(
        modelRunId,
        exampleId,
        batch.predicted[i],
        scoreBytes.subarray(i * width * 4, (i + 1) * width * 4),
        this.importRunId,
      );
      if (p.changes === 1) out.imported++;
      else if (this.predictionOwner.get(modelRunId, exampleId) === this.importRunId) {
        out.rejects.push(this.reject(batch, i, `duplicate id '${externalId}' for model ${batch.models[batch.modelIndex[i]!]!.join(' ')} in this file`));
      } else out.present++;
    }
    const all = out.rejects.length > 0 ? [...parserRejects, ...out.rejects].sort((a, b) => a.row - b.row) : parserRejects;
    const rejectsBytes = appendRejects(all);
    this.checkpoint.run(recordsEnd, rejectsBytes, out.imported, out.present, all.length, out.examplesAdded, this.importRunId);
    return out;
  }

  private reject(batch: RowBatch, i: number, reason: string): SourceReject {
    const row = batch.rows[i]!;
    return { row, line: null, field: 'id', reason, raw: batch.ids[i]! };
  }
}
