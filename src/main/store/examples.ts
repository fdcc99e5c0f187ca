import { prepared, type Db } from './database';

export interface ExampleRow {
  id: number;
  external_id: string;
  ts: number | null;
  text: string | null;
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

  byId(id: number): ExampleRow | null {
    return (
      (prepared(
        this.db,
        'SELECT id, external_id, ts, text, features, image_path, metadata, ground_truth FROM examples WHERE id = ?',
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
