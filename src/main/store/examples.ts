import { prepared, type Db } from './database';

export interface ExampleRow {
  id: number;
  external_id: string;
  ts: number | null;
  text: string | null;
  text_parts: string | null;
  features: Buffer | null;
  image_path: string | null;
  metadata: string | null;
  ground_truth: string | null;
}

export interface ExamplePrediction {
  model_run_id: number;
  model_name: string;
  model_version: string;
  predicted: number;
  scores: Buffer;
}

/** One example as the review screen shows it. */
export class ExampleQueries {
  constructor(private readonly db: Db) {}

  /** Where an example's image is, and the log it came from (relative paths are relative to it). */
  imageOf(projectId: number, externalId: string): { image_path: string | null; source_path: string } | null {
    return (
      (prepared(
        this.db,
        `SELECT e.image_path, r.source_path FROM examples e JOIN import_runs r ON r.id = e.import_run_id
          WHERE e.project_id = ? AND e.external_id = ?`,
      ).get(projectId, externalId) as { image_path: string | null; source_path: string } | undefined) ?? null
    );
  }

  byId(id: number): ExampleRow | null {
    return (
      (prepared(
        this.db,
        'SELECT id, external_id, ts, text, text_parts, features, image_path, metadata, ground_truth FROM examples WHERE id = ?',
      ).get(id) as ExampleRow | undefined) ?? null
    );
  }

  /** Every model run's prediction for the example: primary-key lookups, one per run of the project. */
  predictions(projectId: number, exampleId: number): ExamplePrediction[] {
    return prepared(
      this.db,
      `SELECT p.model_run_id, m.model_name, m.model_version, p.predicted, p.scores
         FROM model_runs m JOIN predictions p ON p.model_run_id = m.id AND p.example_id = ?
         WHERE m.project_id = ? ORDER BY m.created_at, m.id`,
    ).all(exampleId, projectId) as ExamplePrediction[];
  }
}
