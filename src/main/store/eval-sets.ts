import { prepared, type Db } from './database';

export interface EvalSetRow {
  id: number;
  project_id: number;
  name: string;
  schema_version_id: number;
  definition: string;
  summary: string;
  created_at: number;
}

export interface EvalSetMember {
  exampleId: number;
  classIndex: number;
  origin: 'truth' | 'curated';
  control: boolean;
}

export interface LineageRow {
  model_name: string;
  model_version: string;
  export_id: number | null;
  train_until: number | null;
  recorded_at: number;
}

/** Frozen evaluation sets, model lineage and the examples of each export. */
export class EvalSetQueries {
  constructor(private readonly db: Db) {}

  byName(projectId: number, name: string): EvalSetRow | null {
    return (
      (prepared(this.db, 'SELECT * FROM eval_sets WHERE project_id = ? AND name = ?').get(projectId, name) as
        EvalSetRow | undefined) ?? null
    );
  }

  list(projectId: number): (EvalSetRow & { n: number })[] {
    return prepared(
      this.db,
      `SELECT s.*, (SELECT count(*) FROM eval_set_examples x WHERE x.eval_set_id = s.id) AS n
         FROM eval_sets s WHERE s.project_id = ? ORDER BY s.id`,
    ).all(projectId) as (EvalSetRow & { n: number })[];
  }

  /** Records the set and its members in one transaction: all of it or nothing. */
  create(set: Omit<EvalSetRow, 'id' | 'created_at'>, members: readonly EvalSetMember[], now: number): number {
    return this.db.transaction(() => {
      const id = Number(
        prepared(
          this.db,
          `INSERT INTO eval_sets (project_id, name, schema_version_id, definition, summary, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        ).run(set.project_id, set.name, set.schema_version_id, set.definition, set.summary, now).lastInsertRowid,
      );
      const insert = prepared(
        this.db,
        'INSERT INTO eval_set_examples (eval_set_id, example_id, class_index, origin, control) VALUES (?, ?, ?, ?, ?)',
      );
      for (const m of members) insert.run(id, m.exampleId, m.classIndex, m.origin, m.control ? 1 : 0);
      return id;
    })();
  }

  members(evalSetId: number): EvalSetMember[] {
    const rows = prepared(
      this.db,
      'SELECT example_id, class_index, origin, control FROM eval_set_examples WHERE eval_set_id = ? ORDER BY example_id',
    )
      .raw()
      .all(evalSetId) as [number, number, 'truth' | 'curated', number][];
    return rows.map(([exampleId, classIndex, origin, control]) => ({
      exampleId,
      classIndex,
      origin,
      control: control === 1,
    }));
  }

  /** Examples queued by a random sample: the control sample of a mining run, or a random-strategy run. */
  controlExamples(projectId: number): Set<number> {
    const ids = prepared(
      this.db,
      `SELECT q.example_id FROM queue_items q JOIN mining_runs m ON m.id = q.mining_run_id
         WHERE q.project_id = ? AND (q.control = 1 OR m.strategy = 'random')`,
    )
      .pluck()
      .all(projectId) as number[];
    return new Set(ids);
  }

  /** Examples queued by a ranking strategy (not a random sample). */
  minedExamples(projectId: number): Set<number> {
    const ids = prepared(
      this.db,
      `SELECT q.example_id FROM queue_items q JOIN mining_runs m ON m.id = q.mining_run_id
         WHERE q.project_id = ? AND q.control = 0 AND m.strategy NOT IN ('random', 'schema-change')`,
    )
      .pluck()
      .all(projectId) as number[];
    return new Set(ids);
  }

  setLineage(
    projectId: number,
    model: { name: string; version: string },
    exportId: number | null,
    trainUntil: number | null,
    now: number,
  ): void {
    prepared(
      this.db,
      `INSERT INTO model_lineage (project_id, model_name, model_version, export_id, train_until, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (project_id, model_name, model_version) DO UPDATE SET export_id = excluded.export_id,
         train_until = excluded.train_until, recorded_at = excluded.recorded_at`,
    ).run(projectId, model.name, model.version, exportId, trainUntil, now);
  }

  lineage(projectId: number, model: { name: string; version: string }): LineageRow | null {
    return (
      (prepared(
        this.db,
        'SELECT model_name, model_version, export_id, train_until, recorded_at FROM model_lineage WHERE project_id = ? AND model_name = ? AND model_version = ?',
      ).get(projectId, model.name, model.version) as LineageRow | undefined) ?? null
    );
  }

  recordExportExamples(exportId: number, splitNames: string[], exampleIds: Int32Array, splits: Uint8Array): void {
    prepared(
      this.db,
      'INSERT OR REPLACE INTO export_examples (export_id, split_names, example_ids, splits) VALUES (?, ?, ?, ?)',
    ).run(
      exportId,
      JSON.stringify(splitNames),
      Buffer.from(exampleIds.buffer, exampleIds.byteOffset, exampleIds.byteLength),
      Buffer.from(splits.buffer, splits.byteOffset, splits.byteLength),
    );
  }

  exportExamples(exportId: number): { splitNames: string[]; exampleIds: Int32Array; splits: Uint8Array } | null {
    const row = prepared(
      this.db,
      'SELECT split_names, example_ids, splits FROM export_examples WHERE export_id = ?',
    ).get(exportId) as { split_names: string; example_ids: Buffer; splits: Buffer } | undefined;
    if (!row) return null;
    const ids = new Int32Array(row.example_ids.byteLength / 4);
    new Uint8Array(ids.buffer).set(row.example_ids);
    return {
      splitNames: JSON.parse(row.split_names) as string[],
      exampleIds: ids,
      splits: Uint8Array.from(row.splits),
    };
  }

  /** Example id → timestamp (null where none) for these examples. */
  timestampsOf(projectId: number): Map<number, number | null> {
    const rows = prepared(this.db, 'SELECT id, ts FROM examples WHERE project_id = ?').raw().all(projectId) as [
      number,
      number | null,
    ][];
    return new Map(rows);
  }

  metadataEquals(projectId: number, key: string, value: string | number | boolean): Set<number> {
    const path = `$.${JSON.stringify(key)}`;
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    return new Set(
      prepared(this.db, 'SELECT id FROM examples WHERE project_id = ? AND json_extract(metadata, ?) = ?')
        .pluck()
        .all(projectId, path, v) as number[],
    );
  }

  /** Whether any example of the project has this metadata field. */
  hasMetadataField(projectId: number, key: string): boolean {
    const path = `$.${JSON.stringify(key)}`;
    return (
      prepared(
        this.db,
        'SELECT 1 FROM examples WHERE project_id = ? AND json_type(metadata, ?) IS NOT NULL LIMIT 1',
      ).get(projectId, path) !== undefined
    );
  }
}
