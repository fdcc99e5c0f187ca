import { prepared, type Db } from './database';

export interface ModelRow {
  id: number;
  project_id: number;
  name: string;
  version: string;
  file: string;
  sha256: string;
  input_mapping: string;
  output_mapping: string;
  created_at: number;
}

export interface ModelInputRow {
  id: number;
  external_id: string;
  features: Buffer | null;
  text: string | null;
  /** What a model's input template may name besides the text. */
  text_parts: string | null;
  metadata: string | null;
}

/** The model registry: ONNX files copied into the data folder, with their mappings. */
export class ModelQueries {
  constructor(private readonly db: Db) {}

  add(m: Omit<ModelRow, 'id' | 'created_at'>, now: number): number {
    return Number(
      prepared(
        this.db,
        `INSERT INTO models (project_id, name, version, file, sha256, input_mapping, output_mapping, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(m.project_id, m.name, m.version, m.file, m.sha256, m.input_mapping, m.output_mapping, now).lastInsertRowid,
    );
  }

  setMappings(id: number, inputMapping: string, outputMapping: string): void {
    prepared(this.db, 'UPDATE models SET input_mapping = ?, output_mapping = ? WHERE id = ?').run(
      inputMapping,
      outputMapping,
      id,
    );
  }

  forProject(projectId: number): ModelRow[] {
    return prepared(this.db, 'SELECT * FROM models WHERE project_id = ? ORDER BY id').all(projectId) as ModelRow[];
  }

  byId(id: number): ModelRow | null {
    return (prepared(this.db, 'SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined) ?? null;
  }

  /**
   * The next examples after `afterId` (id order) an import finished bringing, with their features.
   * `+project_id` keeps SQLite on the rowid range instead of the (project, external id) index,
   * which would sort the whole project for every batch.
   */
  featureBatch(projectId: number, afterId: number, limit: number): ModelInputRow[] {
    return prepared(
      this.db,
      `SELECT e.id, e.external_id, e.features, e.text, e.text_parts, e.metadata FROM examples e JOIN import_runs r ON r.id = e.import_run_id
       WHERE +e.project_id = ? AND e.id > ? AND r.status = 'done' ORDER BY e.id LIMIT ?`,
    ).all(projectId, afterId, limit) as ModelInputRow[];
  }

  visibleAfter(projectId: number, afterId: number): number {
    return prepared(
      this.db,
      `SELECT count(*) FROM examples e JOIN import_runs r ON r.id = e.import_run_id
       WHERE e.project_id = ? AND e.id > ? AND r.status = 'done'`,
    )
      .pluck()
      .get(projectId, afterId) as number;
  }

  modelRun(projectId: number, name: string, version: string): { id: number; import_run_id: number | null } | null {
    return (
      (prepared(
        this.db,
        `SELECT id, import_run_id FROM model_runs WHERE project_id = ? AND source = 'rescore' AND model_name = ? AND model_version = ?`,
      ).get(projectId, name, version) as { id: number; import_run_id: number | null } | undefined) ?? null
    );
  }

  createModelRun(projectId: number, name: string, version: string, importRunId: number, now: number): number {
    return Number(
      prepared(
        this.db,
        `INSERT INTO model_runs (project_id, source, model_name, model_version, import_run_id, created_at)
         VALUES (?, 'rescore', ?, ?, ?, ?)`,
      ).run(projectId, name, version, importRunId, now).lastInsertRowid,
    );
  }

  /** Removes a model run that holds no predictions (a rescore that failed before writing any). */
  removeIfEmpty(modelRunId: number): void {
    prepared(
      this.db,
      'DELETE FROM model_runs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM predictions WHERE model_run_id = ?)',
    ).run(modelRunId, modelRunId);
  }

  /** Feature vectors of the examples that carry ground truth (to fit the demo's retrained model). */
  labeledFeatures(projectId: number): { features: Buffer; ground_truth: string }[] {
    return prepared(
      this.db,
      `SELECT features, ground_truth FROM examples
       WHERE project_id = ? AND ground_truth IS NOT NULL AND features IS NOT NULL ORDER BY id`,
    ).all(projectId) as { features: Buffer; ground_truth: string }[];
  }
}
