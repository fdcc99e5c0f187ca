import { prepared, type Db } from './database';

/** One stored prediction with the example it scored. */
export interface PredictionRow {
  example_id: number;
  external_id: string;
  ts: number | null;
  text: string | null;
  image_path: string | null;
  features: Buffer | null;
  predicted: number;
  scores: Buffer;
}

/** Reads a model run's predictions in example order, a chunk at a time (rows of unfinished imports excluded). */
export class PredictionReads {
  constructor(private readonly db: Db) {}

  chunkAfter(modelRunId: number, afterExampleId: number, limit: number): PredictionRow[] {
    return prepared(
      this.db,
      `SELECT p.example_id, e.external_id, e.ts, e.text, e.image_path, e.features, p.predicted, p.scores
       FROM predictions p
       JOIN examples e ON e.id = p.example_id
       JOIN import_runs er ON er.id = e.import_run_id
       LEFT JOIN import_runs pr ON pr.id = p.import_run_id
       WHERE p.model_run_id = ? AND p.example_id > ? AND er.status = 'done'
         AND (p.import_run_id IS NULL OR pr.status = 'done')
       ORDER BY p.example_id LIMIT ?`,
    ).all(modelRunId, afterExampleId, limit) as PredictionRow[];
  }

  /** How many predictions `chunkAfter` will give in all (for progress). */
  count(modelRunId: number): number {
    return prepared(
      this.db,
      `SELECT count(*) FROM predictions p
       JOIN examples e ON e.id = p.example_id
       JOIN import_runs er ON er.id = e.import_run_id
       LEFT JOIN import_runs pr ON pr.id = p.import_run_id
       WHERE p.model_run_id = ? AND er.status = 'done' AND (p.import_run_id IS NULL OR pr.status = 'done')`,
    )
      .pluck()
      .get(modelRunId) as number;
  }
}
