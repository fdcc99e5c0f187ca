import { prepared, type Db } from './database';

type ModelRef = { name: string; version: string };

/** The examples a model was trained on, where a list (not an export or a cut-off) says which. */
export class TrainingExampleQueries {
  constructor(private readonly db: Db) {}

  set(projectId: number, model: ModelRef, exampleIds: readonly number[]): void {
    const insert = prepared(
      this.db,
      'INSERT OR IGNORE INTO model_training_examples (project_id, model_name, model_version, example_id) VALUES (?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      prepared(
        this.db,
        'DELETE FROM model_training_examples WHERE project_id = ? AND model_name = ? AND model_version = ?',
      ).run(projectId, model.name, model.version);
      for (const id of exampleIds) insert.run(projectId, model.name, model.version, id);
    })();
  }

  /** null: no list is recorded for this model. */
  get(projectId: number, model: ModelRef): number[] | null {
    const ids = prepared(
      this.db,
      'SELECT example_id FROM model_training_examples WHERE project_id = ? AND model_name = ? AND model_version = ? ORDER BY example_id',
    )
      .pluck()
      .all(projectId, model.name, model.version) as number[];
    return ids.length > 0 ? ids : null;
  }

  /** The project's example ids of these external ids (unknown ones are left out). */
  resolve(projectId: number, externalIds: readonly string[]): number[] {
    const one = prepared(this.db, 'SELECT id FROM examples WHERE project_id = ? AND external_id = ?').pluck();
    const out: number[] = [];
    for (const e of externalIds) {
      const id = one.get(projectId, e) as number | undefined;
      if (id !== undefined) out.push(id);
    }
    return out;
  }

  externalIds(exampleIds: ArrayLike<number>): string[] {
    const one = prepared(this.db, 'SELECT external_id FROM examples WHERE id = ?').pluck();
    return Array.from(exampleIds, (id) => one.get(id) as string);
  }
}
